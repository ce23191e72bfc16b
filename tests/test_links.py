"""Shareable links: every control round-trips through the URL; bad link values are named, never raised."""

from __future__ import annotations

import pytest

import manifolds
import transforms
from app_support import assert_healthy, assert_plotly_points, plotly_charts, run_page, two_d_views, widget
from explorer import explore
from explorer.links import ignored_values
from explorer.params_text import format_value
from explorer.pipeline import ENGINE_PARAMS
from explorer.plugins import Param

F32 = dict(rtol=1e-5, atol=1e-4)


def other_value(param: Param):
    """A valid value that is not the default."""
    if param.kind == "choice":
        return next(choice for choice in param.choices if choice != param.default)
    if param.kind == "bool":
        return not param.default
    if param.kind == "text":
        return "t" if param.default != "t" else "2*t"  # a formula, for a formula param
    return param.min if param.default != param.min else param.max


def link_warnings(app) -> list[str]:
    return [w.value for w in app.warning if "link" in w.value]


PLUGIN_PARAMS = [(registry, name, key) for registry in (manifolds.registry, transforms.registry)
                 for name in registry.names() for key in registry[name].params]


@pytest.mark.parametrize("registry,plugin,key", PLUGIN_PARAMS,
                         ids=[f"{plugin}.{key}" for _, plugin, key in PLUGIN_PARAMS])
def test_every_plugin_param_round_trips(registry, plugin, key):
    if (plugin, key) == ("uploaded", "data"):
        pytest.skip("by design a link can't carry uploaded points: tests/test_upload.py")
    param = registry[plugin].params[key]
    value = other_value(param)
    kind = "manifold" if registry is manifolds.registry else "transform"
    app = run_page({kind: plugin, f"{plugin}.{key}": format_value(param, value), "n_points": "300"})
    assert not app.exception
    assert widget(app, f"{plugin}.{key}").value == value
    assert not link_warnings(app)


def test_link_reproduces_the_same_figures():
    query = {"manifold": "trefoil", "relu.n": "7", "relu.activation": "tanh",
             "relu.inverse": "square", "n_points": "800", "noise": "0.05", "seed": "42", "view3d": "coordinates",
             "units": ["2", "4", "6"]}
    app = run_page(query)
    assert_healthy(app)
    assert not link_warnings(app)
    expected = explore("trefoil", "relu", n_points=800, noise=0.05, seed=42,
                       transform_params={"n": 7, "activation": "tanh", "inverse": "square"})
    original, projected, embedded = plotly_charts(app)
    assert_plotly_points(original, expected.original)
    assert_plotly_points(projected, expected.projected)
    assert_plotly_points(embedded, expected.embedded[:, [1, 3, 5]])


def test_view_options_and_tab_round_trip():
    app = run_page({"colour": "lost / kept", "relu.n": "3", "n_points": "500"})
    assert widget(app, "colour").value == "lost / kept"
    assert set(two_d_views(app)[0]["c"]) == {0, 1}  # kept, lost
    app = run_page({"tab": "Sweep over n", "sweep.n": "2, 4", "sweep.seeds": "3", "sweep.points": "500"})
    assert_healthy(app)
    assert app.text_input(key="sweep.n").value == "2, 4"
    assert widget(app, "sweep.seeds").value == 3
    assert not link_warnings(app)


@pytest.mark.parametrize("key", sorted(ENGINE_PARAMS))
def test_engine_params_round_trip(key):
    param = ENGINE_PARAMS[key]
    value = {"n_points": 1230, "noise": 0.1, "seed": 7}[key]
    app = run_page({key: format_value(param, value)})
    assert widget(app, key).value == value
    assert not link_warnings(app)


BAD_LINKS = [
    ({"manifold": "not_installed"}, "manifold=not_installed"),
    ({"transform": "nope"}, "transform=nope"),
    ({"n_points": "-5"}, "n_points=-5"),
    ({"n_points": "2.5"}, "n_points=2.5"),
    ({"n_points": "10000000000"}, "n_points=10000000000"),
    ({"seed": "abc"}, "seed=abc"),
    ({"noise": "nan"}, "noise=nan"),
    ({"noise": "2"}, "noise=2"),
    ({"spiral.turns": "1e9"}, "spiral.turns=1e9"),
    ({"spiral.turns": "inf"}, "spiral.turns=inf"),
    ({"relu.n": "0"}, "relu.n=0"),
    ({"relu.activation": "swish"}, "relu.activation=swish"),
    ({"relu.inverse": ""}, "relu.inverse="),
    ({"spiral.nope": "1"}, "spiral.nope=1"),
    ({"whatever": "1"}, "whatever=1"),
    ({"circle.radius": "2"}, "circle.radius=2"),  # a param of a manifold that is not chosen
    ({"tab": "Hidden"}, "tab=Hidden"),
    ({"colour": "purple"}, "colour=purple"),
]


@pytest.mark.parametrize("query,named", BAD_LINKS, ids=[named for _, named in BAD_LINKS])
def test_bad_link_values_are_named_and_defaults_used(query, named):
    app = run_page({**query, "n_points": query.get("n_points", "400")})
    assert not app.exception
    warnings = link_warnings(app)
    assert len(warnings) == 1 and f"`{named}`" in warnings[0], warnings
    assert len(two_d_views(app)[0]) in (400, 5000)  # the spiral is drawn (5000: n_points fell back)


def test_link_warning_can_be_dismissed():
    app = run_page({"seed": "oops"})
    assert link_warnings(app)
    app.button(key="_dismiss_link").click().run()
    assert not link_warnings(app)


def test_ignored_values_reports_reasons():
    declarations = {"n": Param(3, min=1, max=5)}
    lines = ignored_values({"n": ["9"], "x": ["1"], "ok": ["1.0"], "later": ["2"]},
                           shown={"n": 3, "ok": 1}, declarations=declarations, known={"later"})
    assert lines == ["`n=9`: n must be at most 5, got 9; using 3",
                     "`x=1`: not a setting of this page (or of the chosen plugins)"]
