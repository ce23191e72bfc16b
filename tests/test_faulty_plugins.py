"""Faulty plugins, one per failure kind, dropped in for one test: the engine raises a ValueError naming
the plugin and what it did; the page shows it with st.error and everything else keeps working;
what a plugin says (label, help, parameter names, error messages) is shown as text, never as
HTML or Markdown."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

import manifolds
import transforms
from app_support import assert_healthy, plotly_charts, run_page, vega_charts, widget
from explorer import budget, explore
from explorer.plugins import Param

N = 40  # points asked of a faulty manifold
SLOW_LIMIT = "0.5"  # seconds: MANIFOLD_EXPLORER_PLUGIN_SECONDS while a slow plugin is tested
_release = threading.Event()  # a "slow" plugin waits for this (set after each test)


@pytest.fixture(autouse=True)
def release_slow_plugins(monkeypatch):
    """Slow plugins get a short time limit, and are let go after the test (no thread outlives it)."""
    _release.clear()
    monkeypatch.setenv(budget.SECONDS_ENV, SLOW_LIMIT)
    yield
    _release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("plugin call: ") and "zz_faulty" in thread.name:
            thread.join(10)


def _raise(error):
    raise error


def _slow(result):
    _release.wait(30)
    return result


def _curve(n):
    t = np.linspace(0.0, 1.0, n)
    return np.column_stack([np.cos(5 * t), np.sin(5 * t)]), t


def _layer(points, rng):
    matrix = rng.standard_normal((4, points.shape[1]))
    embedded = np.maximum(points @ matrix.T, 0.0)
    return embedded, embedded @ np.linalg.pinv(matrix).T


# kind: (manifold function of n_points, words the error must hold besides "manifold 'zz_faulty_<kind>'")
MANIFOLD_FAULTS = {
    "raises": (lambda n: _raise(RuntimeError("lost the plot")), "failed: RuntimeError: lost the plot"),
    "refuses": (lambda n: _raise(ValueError("cannot draw that")), "cannot draw that"),
    "nan": (lambda n: (np.full((n, 2), np.nan), np.arange(n, dtype=float)), f"points with {2 * N} NaN"),
    "inf": (lambda n: (_curve(n)[0], np.full(n, np.inf)), f"t with {N} NaN or infinite values"),
    "wrong_count": (lambda n: _curve(n + 7), f"was asked for {N} points"),
    "one_d": (lambda n: (np.zeros(n), np.arange(n, dtype=float)), f"points of shape ({N},)"),
    "four_d": (lambda n: (np.zeros((n, 4)), np.arange(n, dtype=float)), f"points of shape ({N}, 4)"),
    "list": (lambda n: tuple(part.tolist() for part in _curve(n)), "returned points as a list"),
    "none": (lambda n: None, "must return (points, t); it returned a NoneType"),
    "text": (lambda n: (np.full((n, 2), "x"), np.arange(n, dtype=float)), "expected a numeric numpy array"),
    "exits": (lambda n: sys.exit(3), "called sys.exit(3)"),
    "slow": (lambda n: _slow(_curve(n)), f"took longer than {SLOW_LIMIT} s"),
}

TRANSFORM_FAULTS = {
    "raises": (lambda x, rng: _raise(ZeroDivisionError("oops")), "failed: ZeroDivisionError: oops"),
    "nan": (lambda x, rng: (np.full((len(x), 4), np.nan), x.copy()), f"embedded with {4 * N} NaN"),
    "inf": (lambda x, rng: (_layer(x, rng)[0], np.full(x.shape, -np.inf)), "projected with"),
    "wrong_shape": (lambda x, rng: (_layer(x, rng)[0], x[:, :1].copy()), f"projected of shape ({N}, 1)"),
    "wrong_count": (lambda x, rng: (_layer(x, rng)[0][1:], x.copy()), f"embedded of shape ({N - 1}, 4)"),
    "one_d": (lambda x, rng: (np.zeros(len(x)), x.copy()), f"embedded of shape ({N},)"),
    "list": (lambda x, rng: (_layer(x, rng)[0].tolist(), x.copy()), "returned embedded as a list"),
    "none": (lambda x, rng: None, "must return (embedded, projected"),
    "exits": (lambda x, rng: sys.exit(), "called sys.exit(None)"),
    "slow": (lambda x, rng: _slow(_layer(x, rng)), f"took longer than {SLOW_LIMIT} s"),
}


def add_manifold(temp_plugin, kind: str) -> str:
    func, _ = MANIFOLD_FAULTS[kind]
    return temp_plugin(manifolds.registry, f"zz_faulty_{kind}", func, label=f"Faulty ({kind})")


def add_transform(temp_plugin, kind: str) -> str:
    func, _ = TRANSFORM_FAULTS[kind]
    return temp_plugin(transforms.registry, f"zz_faulty_{kind}", func, label=f"Faulty layer ({kind})")


# -- the engine -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(MANIFOLD_FAULTS))
def test_faulty_manifold_is_a_value_error_naming_it(kind, temp_plugin):
    name = add_manifold(temp_plugin, kind)
    start = time.perf_counter()
    with pytest.raises(ValueError) as error:
        explore(name, n_points=N)
    message = str(error.value)
    assert message.startswith(f"manifold '{name}'") and MANIFOLD_FAULTS[kind][1] in message, message
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("kind", sorted(TRANSFORM_FAULTS))
def test_faulty_transform_is_a_value_error_naming_it(kind, temp_plugin):
    name = add_transform(temp_plugin, kind)
    with pytest.raises(ValueError) as error:
        explore("spiral", name, n_points=N)
    message = str(error.value)
    assert message.startswith(f"transform '{name}'") and TRANSFORM_FAULTS[kind][1] in message, message


def test_a_slow_plugin_is_refused_at_once_until_its_call_returns(temp_plugin):
    name = add_manifold(temp_plugin, "slow")
    with pytest.raises(ValueError, match="took longer"):
        explore(name, n_points=N)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="still busy with an earlier call"):
        explore(name, n_points=N)
    assert time.perf_counter() - start < 0.2
    assert explore("spiral", n_points=N).n_points == N  # other plugins are not held up
    _release.set()
    time.sleep(0.3)
    assert explore(name, n_points=N).original.shape == (N, 2)  # once it has returned, it is called again


def test_without_a_time_limit_a_plugin_runs_in_the_calling_thread(temp_plugin, monkeypatch):
    monkeypatch.setenv(budget.SECONDS_ENV, "off")
    seen = []
    temp_plugin(manifolds.registry, "zz_faulty_where", lambda n: seen.append(threading.current_thread()) or _curve(n))
    explore("zz_faulty_where", n_points=N)
    assert seen == [threading.current_thread()]


# -- the page ---------------------------------------------------------------------------------------


def assert_page_shows_only(app, words: list[str]) -> None:
    """No exception; one st.error, holding every one of ``words``; the sidebar's controls still there."""
    assert not app.exception, [e.value for e in app.exception]
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and all(word in errors[0] for word in words), errors
    for key in ("manifold", "transform", "n_points", "noise", "seed"):
        widget(app, key)


PAGE_MANIFOLD_FAULTS = ["raises", "nan", "wrong_count", "one_d", "four_d", "list", "exits", "slow"]
PAGE_TRANSFORM_FAULTS = ["raises", "wrong_shape", "list", "slow"]


@pytest.mark.parametrize("kind", PAGE_MANIFOLD_FAULTS)
def test_page_shows_a_faulty_manifold_and_keeps_working(kind, temp_plugin):
    name = add_manifold(temp_plugin, kind)
    app = run_page({"manifold": name, "n_points": str(N)})
    assert_page_shows_only(app, [f"manifold '{name}'"])
    widget(app, "seed").set_value(3).run()  # the controls still rerun the page
    assert_page_shows_only(app, [f"manifold '{name}'"])
    widget(app, "manifold").set_value("spiral").run()  # another plugin draws
    assert_healthy(app)
    assert vega_charts(app) or plotly_charts(app)  # the views are drawn


@pytest.mark.parametrize("kind", PAGE_TRANSFORM_FAULTS)
def test_page_shows_a_faulty_transform_and_keeps_working(kind, temp_plugin):
    name = add_transform(temp_plugin, kind)
    app = run_page({"transform": name, "n_points": str(N)})
    assert_page_shows_only(app, [f"transform '{name}'"])
    widget(app, "manifold").set_value("trefoil").run()  # the other sidebar plugin still switches
    assert_page_shows_only(app, [f"transform '{name}'"])
    widget(app, "transform").set_value("relu").run()
    assert_healthy(app)


def test_page_refuses_a_request_over_the_memory_limit_and_keeps_working(monkeypatch):
    monkeypatch.setenv(budget.MEMORY_ENV, "30")
    app = run_page({"n_points": "100000"})
    assert_page_shows_only(app, ["100,000 points at n = 10", "the limit is 30 MB", "lower the number of points"])
    widget(app, "n_points").set_value(5000).run()
    assert_healthy(app)


# -- what plugins say is text -----------------------------------------------------------------------

HOSTILE = ("<img src=x onerror=alert(1)> ![pixel](http://127.0.0.1:9/pixel.png) [link](javascript:alert(2)) "
           "`code` **bold** $x^2$ <script>alert(3)</script>")
MARKUP = ("<img", "<script", "![", "](", "**", "`", "$x")


def unescaped(markdown: str) -> list[str]:
    """Markup in ``markdown`` that is not backslash-escaped."""
    found = []
    for token in MARKUP:
        start = 0
        while (at := markdown.find(token, start)) >= 0:
            if at == 0 or markdown[at - 1] != "\\":
                found.append(token)
            start = at + 1
    return found


def test_plugin_text_is_never_markup_on_the_page(temp_plugin):
    def hostile(n_points, amount):
        raise ValueError(HOSTILE)

    temp_plugin(manifolds.registry, "zz_faulty_hostile", hostile, label=HOSTILE,
                params={"amount": Param(1.0, min=0.0, max=2.0, help=HOSTILE)})
    app = run_page({"manifold": "zz_faulty_hostile", "n_points": str(N)})
    assert not app.exception
    selectbox = widget(app, "manifold")
    assert HOSTILE in selectbox.options  # select box options are plain text (checked in a browser too)
    slider = widget(app, "zz_faulty_hostile.amount")
    assert slider.help and not unescaped(slider.help), slider.help
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "zz_faulty_hostile" in errors[0] and not unescaped(errors[0]), errors


def test_a_plugin_parameter_name_is_text_in_its_label(temp_plugin):
    temp_plugin(manifolds.registry, "zz_faulty_named", lambda n, **_: _curve(n),
                params={"![p](http://127.0.0.1:9/p.png)": Param(True, help="")})
    app = run_page({"manifold": "zz_faulty_named", "n_points": str(N)})
    labels = [box.label for box in app.checkbox if box.key.startswith("zz_faulty_named.")]
    assert labels and not unescaped(labels[0]), labels


def test_a_plugin_that_fails_to_import_is_named_as_text(monkeypatch):
    from explorer.plugins import PluginLoadError

    monkeypatch.setattr(manifolds.registry, "errors", [PluginLoadError("manifolds/zz_bad.py", f"RuntimeError: {HOSTILE}")])
    monkeypatch.setattr(manifolds.registry, "_discovered", True)
    app = run_page({"n_points": str(N)})
    warnings = [w.value for w in app.sidebar.warning]
    assert any("zz_bad.py" in w and not unescaped(w) for w in warnings), warnings
