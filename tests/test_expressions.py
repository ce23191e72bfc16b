"""The safe expression evaluator and the custom-curve manifold built on it."""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from explorer import explore
from explorer.expressions import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, evaluate, parse
from explorer.params_text import parse_value
from explorer.plugins import PluginError

T = np.linspace(0.0, 2 * np.pi, 101)


# -- what it accepts, and what it computes ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("cos(3*t)*cos(t)", np.cos(3 * T) * np.cos(T)),  # rose
    ("cos(3*t)*sin(t)", np.cos(3 * T) * np.sin(T)),
    ("sin(3*t)", np.sin(3 * T)),  # Lissajous
    ("sin(2*t)", np.sin(2 * T)),
    ("(1 - cos(t))*cos(t)", (1 - np.cos(T)) * np.cos(T)),  # cardioid
    ("(1 - cos(t))*sin(t)", (1 - np.cos(T)) * np.sin(T)),
    ("t/6", T / 6),  # the helix's z
    ("t ** 2 - 2*t % 3 + -t", T**2 - 2 * T % 3 + -T),
    ("+t / (1 + t*t)", T / (1 + T * T)),
    ("2 ** -1 * e ** (t / 10) * pi", 2.0**-1 * np.e ** (T / 10) * np.pi),
    ("exp(-t) * sqrt(t) + log(1 + t) - log10(10 + t) + abs(sin(t))",
     np.exp(-T) * np.sqrt(T) + np.log(1 + T) - np.log10(10 + T) + np.abs(np.sin(T))),
    ("arctan2(sin(t), cos(t)) + minimum(t, 1) + maximum(t, 5) + sign(t - 3) + floor(t) + ceil(t)",
     np.arctan2(np.sin(T), np.cos(T)) + np.minimum(T, 1) + np.maximum(T, 5) + np.sign(T - 3) + np.floor(T)
     + np.ceil(T)),
    ("tanh(t) + sinh(t / 9) + cosh(t / 9) + tan(t / 3) + arctan(t) + arcsin(t / 7) + arccos(t / 7)",
     np.tanh(T) + np.sinh(T / 9) + np.cosh(T / 9) + np.tan(T / 3) + np.arctan(T) + np.arcsin(T / 7)
     + np.arccos(T / 7)),
    ("  1.5e2 ", np.full_like(T, 150.0)),  # a constant fills every t
    ("1e6", np.full_like(T, 1e6)),
])
def test_accepts_formulas_and_computes_them(text, expected):
    values = evaluate(text, T, "x(t)")
    assert values.shape == T.shape and values.dtype == np.float64
    assert_allclose(values, expected, rtol=1e-14, atol=0)


def test_every_whitelisted_function_can_be_called():
    for name, (function, arity) in FUNCTIONS.items():
        args = ", ".join(["(t + 1) / 10"] * arity)  # in (0, 1]: inside every function's domain
        assert_allclose(evaluate(f"{name}({args})", T), function(*[(T + 1) / 10] * arity), rtol=0, atol=0)


def test_a_parsed_expression_is_reusable_and_keeps_its_text():
    expression = parse("  sin(t) ", "y(t)")
    assert expression.text == "sin(t)" and expression.name == "y(t)"
    assert_allclose(expression(T), np.sin(T), rtol=0, atol=0)
    assert_allclose(expression(np.array([0.0])), [0.0])


# -- what it refuses, and that nothing runs --------------------------------------------------------

def hostile(marker):
    """Expressions that would create ``marker`` (or worse) if anything evaluated them as Python."""
    return [
        f"__import__('os').system('touch {marker}')",
        f"__import__('pathlib').Path('{marker}').touch()",
        f"open('{marker}', 'w').write('pwned')",
        f"exec(\"open('{marker}', 'w')\")",
        f"eval(\"open('{marker}', 'w')\")",
        f"[open('{marker}', 'w') for x in (1,)]",
        f"(lambda: open('{marker}', 'w'))()",
        f"sin(t) if open('{marker}', 'w') else t",
        f"sin(open('{marker}', 'w'))",
        f"(f := open('{marker}', 'w'))",
        f"getattr(__builtins__, 'open')('{marker}', 'w')",
        f"t.__class__.__base__.__subclasses__()[0]('{marker}')",
        f"sin.__globals__['__builtins__']['open']('{marker}', 'w')",
        f"f'{{open(\"{marker}\", \"w\")}}'",
    ]


CORPUS = [
    ("__import__('os').system('ls')", "attribute access"),
    ("__import__('os')", "function '__import__'"),
    ("().__class__.__bases__[0]", "indexing"),
    ("().__class__", "attribute access"),
    ("t.__class__", "attribute access"),
    ("t.real", "attribute access"),
    ("np.sin(t)", "attribute access"),
    ("lambda: 1", "lambda"),
    ("[x for x in ()]", "list comprehension"),
    ("{x for x in ()}", "set comprehension"),
    ("(x for x in ())", "generator expression"),
    ("9**9**9", "not a finite number"),
    ("10 ** 400", "not a finite number"),
    ("exp(exp(exp(t)))", "not a finite number"),
    ('"a"*10**9', "text in quotes"),
    ("'abc'", "text in quotes"),
    ("b'abc'", "bytes"),
    ("open('/etc/passwd')", "function 'open'"),
    ("sin(t, out=t)", "no keyword arguments"),
    ("sin(*[t])", "no *arguments"),
    ("sin(t, t)", "takes 1 argument"),
    ("arctan2(t)", "takes 2 arguments"),
    ("sin", "is a function"),
    ("x", "name 'x'"),
    ("T", "name 'T'"),
    ("True", "True"),
    ("None", "None"),
    ("1j * t", "complex"),
    ("1e400", "too large"),
    ("1e7", "too large"),
    ("t[0]", "indexing"),
    ("t if t else 1", "if … else"),
    ("t > 1", "comparison"),
    ("t and 1", "and / or"),
    ("not t", "operator not"),
    ("~t", "operator ~"),
    ("t // 2", "operator //"),
    ("t @ t", "operator @"),
    ("t << 2", "operator <<"),
    ("(t, t)", "tuple"),
    ("{'a': t}", "dict"),
    ("(y := t)", "assignment"),
    ("f'{t}'", "f-string"),
    ("sin(t); import os", "not a formula"),
    ("import os", "not a formula"),
    ("t +", "not a formula"),
    ("t\x00", "control character"),
    ("sin(t)\n+ 1", "control character"),
    ("", "empty"),
    ("   ", "empty"),
    ("t" * 10_000, "at most 200"),
    ("-" * 199 + "t", f"more than {MAX_DEPTH} levels"),
    ("log(t - 1)", "not a finite number at t = 0"),
    ("1 / (t - t)", "not a finite number"),
    ("sqrt(-1 - t)", "not a finite number"),
    ("(-1 - t) ** 0.5", "not a finite number"),
]


@pytest.mark.parametrize("text, words", CORPUS, ids=[f"{i}:{text[:25]}" for i, (text, _) in enumerate(CORPUS)])
def test_rejects_the_hostile_corpus_with_a_clear_message(text, words):
    with pytest.raises(ValueError) as error:
        evaluate(text, T, "x(t)")
    message = str(error.value)
    assert message.startswith("x(t)") and words in message, message
    assert "Traceback" not in message and len(message) < 600


def test_nothing_in_a_hostile_expression_runs(tmp_path):
    marker = tmp_path / "pwned"
    for text in hostile(marker):
        if len(text) > MAX_LENGTH:  # refused for its length alone; make a short path version too
            continue
        with pytest.raises(ValueError):
            evaluate(text, T, "x(t)")
        assert not marker.exists(), f"{text!r} created the marker file"
    # The same corpus through the whole engine, as a link or the page would send it.
    for text in hostile(marker):
        with pytest.raises(PluginError, match="manifold 'custom_curve'"):
            explore("custom_curve", n_points=20, manifold_params={"x": text[:MAX_LENGTH]})
        assert not marker.exists()
    assert list(tmp_path.iterdir()) == []


def test_only_finiteness_is_checked_by_evaluating(monkeypatch):
    """Every refusal but "not a finite number" happens while parsing, before any value is computed."""
    from explorer import expressions

    def evaluating(*args):
        raise AssertionError("evaluated")

    monkeypatch.setattr(expressions, "_evaluate", evaluating)
    for text, words in CORPUS:
        if words.startswith("not a finite number"):
            parse(text, "x(t)")  # well-formed; its values are what is wrong
        else:
            with pytest.raises(ValueError, match=re.escape(words)):
                parse(text, "x(t)")


def test_length_and_depth_limits_are_documented_numbers():
    assert MAX_LENGTH == 200
    assert_allclose(evaluate("t" + " + 1" * 49, T), T + 49, rtol=1e-15)  # 197 characters, 50 deep: fine
    assert_allclose(evaluate("(" * 99 + "t" + ")" * 99, T), T, rtol=0)  # parentheses alone add no depth
    assert_allclose(evaluate("sin(" * 30 + "t" + ")" * 30, T), _nested_sin(T, 30), rtol=1e-14)
    with pytest.raises(ValueError, match="201 characters long; at most 200"):
        evaluate("t" + " " * 200, T)


def _nested_sin(t, times):
    for _ in range(times):
        t = np.sin(t)
    return t


# -- the custom curve manifold ---------------------------------------------------------------------

def test_custom_curve_defaults_are_the_rose():
    result = explore("custom_curve", n_points=200)
    t = np.linspace(0.0, np.pi, 200)
    assert_allclose(result.t, t, rtol=0, atol=0)
    assert_allclose(result.original, np.column_stack([np.cos(3 * t) * np.cos(t), np.cos(3 * t) * np.sin(t)]),
                    rtol=0, atol=1e-15)


def test_custom_curve_in_r3_and_its_t_range():
    params = {"x": "cos(t)", "y": "sin(t)", "z": "t/6", "t_min": -1.0, "t_max": 12.5}
    result = explore("custom_curve", n_points=300, manifold_params=params)
    t = np.linspace(-1.0, 12.5, 300)
    assert result.d == 3
    assert_allclose(result.original, np.column_stack([np.cos(t), np.sin(t), t / 6]), rtol=1e-15, atol=1e-15)
    assert result.metrics["reconstruction_error"] > 0 and math.isfinite(result.metrics["collapse_fraction"])


@pytest.mark.parametrize("params, words", [
    ({"x": "cos(t"}, "x(t) = cos(t is not a formula"),
    ({"y": "os.system('ls')"}, "y(t): attribute access"),
    ({"z": "__import__('os')"}, "z(t): the function '__import__' is not allowed"),
    ({"x": ""}, "x(t) is empty"),
    ({"x": "1 / t", "t_min": 0.0}, "x(t) = 1 / t is not a finite number at t = 0"),
    ({"t_min": 5.0, "t_max": 1.0}, "t_min must be below t_max"),
    ({"x": "t" * 201}, "at most 200 characters"),
    ({"x": 3.0}, "x must be text"),
])
def test_custom_curve_refuses_bad_input_naming_the_plugin(params, words):
    with pytest.raises(PluginError, match="manifold 'custom_curve'") as error:
        explore("custom_curve", n_points=50, manifold_params=params)
    assert words in str(error.value)


def test_text_params_read_from_a_link_keep_the_text():
    import manifolds

    x = manifolds.registry["custom_curve"].params["x"]
    assert parse_value(x, "cos(2*t) * cos(t)", "custom_curve.x") == "cos(2*t) * cos(t)"
    with pytest.raises(ValueError, match="custom_curve.x must be at most 200"):
        parse_value(x, "t" * 300, "custom_curve.x")
