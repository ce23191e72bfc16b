"""A safe evaluator for formulas of one variable, ``t``: ``"cos(3*t) * cos(t)"`` → an array. Pure.

The text is parsed with :func:`ast.parse` (``mode="eval"``), every node is checked against a short
whitelist, and the tree is then walked by this module — the text is never given to ``eval``,
``exec`` or ``compile``, so nothing in it can run: no names but ``t``, ``pi`` and ``e``, no
attribute access, subscripts, keyword arguments, lambdas, comprehensions or strings, and calls
only of the functions in :data:`FUNCTIONS`, by bare name.

Allowed: numbers (at most 10⁶ in size), ``t``, ``pi``, ``e``, ``+ - * / ** %``, unary ``-``/``+``,
parentheses and :data:`FUNCTIONS`. All arithmetic is NumPy float64 on arrays, so no step can take
more than a few passes over ``t``: ``9**9**9`` is ``inf`` in float64 (rejected as not finite), not
a number with 370 million digits. Texts are at most :data:`MAX_LENGTH` characters and
:data:`MAX_DEPTH` levels deep; a result that is NaN or infinite anywhere (division by zero, log of
a negative number, overflow) is rejected, naming a t where it happens.

    >>> evaluate("cos(3*t) * cos(t)", np.linspace(0, np.pi, 5), "x(t)")
    >>> evaluate("__import__('os')", t, "x(t)")   # ValueError: x(t): the name '__import__' is not
    ...                                            # allowed; use t, pi, e
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

import numpy as np

MAX_LENGTH = 200  # characters of an expression (the page's text parameters are capped at this too)
MAX_DEPTH = 100  # nesting levels of the syntax tree (a sum of 50 terms is 50 deep), far below Python's recursion limit
MAX_CONSTANT = 1e6  # largest number written in an expression

# name → (NumPy function, number of arguments)
FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], int]] = {
    "sin": (np.sin, 1), "cos": (np.cos, 1), "tan": (np.tan, 1),
    "arcsin": (np.arcsin, 1), "arccos": (np.arccos, 1), "arctan": (np.arctan, 1), "arctan2": (np.arctan2, 2),
    "sinh": (np.sinh, 1), "cosh": (np.cosh, 1), "tanh": (np.tanh, 1),
    "exp": (np.exp, 1), "log": (np.log, 1), "log10": (np.log10, 1), "sqrt": (np.sqrt, 1),
    "abs": (np.abs, 1), "sign": (np.sign, 1), "floor": (np.floor, 1), "ceil": (np.ceil, 1),
    "minimum": (np.minimum, 2), "maximum": (np.maximum, 2),
}
CONSTANTS = {"pi": np.pi, "e": np.e}
VARIABLE = "t"
BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
          ast.Pow: np.power, ast.Mod: np.mod}
UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}
SYMBOLS = {ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
           ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~"}
ALLOWED = (f"use {VARIABLE}, pi, e, numbers, + - * / ** %, parentheses and the functions "
           f"{', '.join(FUNCTIONS)}")


@dataclass(frozen=True)
class Expression:
    """A checked formula: ``text`` as typed, ``tree`` its whitelisted syntax tree."""

    text: str
    tree: ast.expr
    name: str = "expression"

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """The formula at every ``t`` (N,) as a float64 array (N,); ``ValueError`` where it is not finite."""
        t = np.asarray(t, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = np.broadcast_to(np.asarray(_evaluate(self.tree, t), dtype=np.float64), t.shape)
        bad = ~np.isfinite(values)
        if np.any(bad):
            where = float(t[np.argmax(bad)]) if t.ndim == 1 and len(t) else float("nan")
            raise ValueError(f"{self.name} = {self.text} is not a finite number at t = {where:.6g} "
                             f"({np.count_nonzero(bad)} of {bad.size} values: division by zero, the log or "
                             f"square root of a negative number, or too large)")
        return np.array(values)  # a fresh, writable array even when the formula is a constant


def parse(text: str, name: str = "expression") -> Expression:
    """Check ``text`` and return it as an :class:`Expression`; ``ValueError`` saying what is wrong.

    ``name`` (e.g. ``"x(t)"``) starts every message.
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{name} is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise ValueError(f"{name} is empty; write a formula in t, e.g. cos(t)")
    if not text.isprintable():
        raise ValueError(f"{name} contains a control character (like a tab, line break or null); {ALLOWED}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        column = f" at character {error.offset}" if error.offset else ""
        raise ValueError(f"{name} = {text.strip()} is not a formula{column} ({error.msg}); {ALLOWED}") from None
    except (ValueError, RecursionError, MemoryError) as error:  # the parser's own limits
        raise ValueError(f"{name} can't be read: {type(error).__name__}; {ALLOWED}") from None
    _check(tree.body, name, depth=1)
    return Expression(text.strip(), tree.body, name)


def evaluate(text: str, t: np.ndarray, name: str = "expression") -> np.ndarray:
    """:func:`parse` ``text`` and evaluate it at ``t`` (N,): a float64 array (N,)."""
    return parse(text, name)(t)


def _check(node: ast.AST, name: str, depth: int) -> None:
    """Raise ``ValueError`` unless ``node`` and everything under it is on the whitelist."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{name} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}: {_what(value)} is not allowed, only numbers; {ALLOWED}")
        if not abs(value) <= MAX_CONSTANT:  # also catches nan/inf
            raise ValueError(f"{name}: the number {_short(repr(value))} is too large; numbers can be at most "
                             f"{MAX_CONSTANT:g} (write 1e6 * 1e6 if you mean it)")
        return
    if isinstance(node, ast.Name):
        if node.id != VARIABLE and node.id not in CONSTANTS:
            hint = " is a function: call it, e.g. sin(t)" if node.id in FUNCTIONS else " is not allowed"
            raise ValueError(f"{name}: the name '{_short(node.id)}'{hint}; {ALLOWED}")
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise ValueError(f"{name}: the operator {SYMBOLS.get(type(node.op), type(node.op).__name__)} "
                             f"is not allowed; {ALLOWED}")
        _check(node.left, name, depth + 1)
        _check(node.right, name, depth + 1)
        return
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise ValueError(f"{name}: the operator {SYMBOLS.get(type(node.op), type(node.op).__name__)} "
                             f"is not allowed; {ALLOWED}")
        _check(node.operand, name, depth + 1)
        return
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            raise ValueError(f"{name}: {_DESCRIPTIONS[ast.Attribute]} is not allowed; {ALLOWED}")
        if not isinstance(node.func, ast.Name):
            raise ValueError(f"{name}: only functions called by their bare name can be used, like sin(t); "
                             f"{ALLOWED}")
        function = node.func.id
        if function not in FUNCTIONS:
            raise ValueError(f"{name}: the function '{_short(function)}' is not allowed; {ALLOWED}")
        if node.keywords:
            raise ValueError(f"{name}: {function}() takes no keyword arguments (like out=…); give its "
                             f"argument{'s' if FUNCTIONS[function][1] > 1 else ''} only")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ValueError(f"{name}: {function}() takes no *arguments")
        arity = FUNCTIONS[function][1]
        if len(node.args) != arity:
            raise ValueError(f"{name}: {function}() takes {arity} argument{'s' if arity > 1 else ''}, "
                             f"got {len(node.args)}")
        for arg in node.args:
            _check(arg, name, depth + 1)
        return
    raise ValueError(f"{name}: {_DESCRIPTIONS.get(type(node), type(node).__name__)} is not allowed; {ALLOWED}")


def _evaluate(node: ast.expr, t: np.ndarray):
    """Walk a checked tree; every value is a float64 scalar or an array shaped like ``t``."""
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return t if node.id == VARIABLE else np.float64(CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_evaluate(node.left, t), _evaluate(node.right, t))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_evaluate(node.operand, t))
    function, _ = FUNCTIONS[node.func.id]  # a Call: _check allows nothing else
    return function(*(_evaluate(arg, t) for arg in node.args))


_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a dot, as in t.real)", ast.Subscript: "indexing ([…])",
    ast.Lambda: "lambda", ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dict",
    ast.Compare: "a comparison", ast.BoolOp: "and / or", ast.IfExp: "if … else",
    ast.NamedExpr: "an assignment (:=)", ast.JoinedStr: "an f-string", ast.Starred: "*",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield from", ast.Slice: "a slice",
}


def _what(value: object) -> str:
    if isinstance(value, str):
        return "text in quotes"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, complex):
        return "a complex number"
    return _short(repr(value))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
