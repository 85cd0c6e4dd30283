"""Small JavaScript semantics the Node backend relies on: trim, ``Number()``, number text."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, TypeVar

__all__ = [
    "is_array_index",
    "is_js_number",
    "js_key_order",
    "js_number",
    "js_number_text",
    "js_trim",
    "read_optional",
]

# String.prototype.trim: WhiteSpace and LineTerminator of ECMA-262.
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_RADIX_BASE = {"x": 16, "o": 8, "b": 2}


_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_MAX_INDEX = 2**32 - 2
T = TypeVar("T")


class JSTypeError(TypeError):
    """A JavaScript ``TypeError`` with V8's message (e.g. ``value?.trim is not a function``)."""


def js_trim(value: str) -> str:
    """``String.prototype.trim``."""
    return value.strip(_JS_SPACE)


def is_array_index(key: str) -> bool:
    """Whether a JS object enumerates ``key`` first: the canonical text of 0 .. 2**32 - 2."""
    return key[:1].isdigit() and _INDEX.fullmatch(key) is not None and int(key) <= _MAX_INDEX


def js_key_order(items: list[tuple[str, T]]) -> list[tuple[str, T]]:
    """``items`` in the order a JS object enumerates its keys: array indices first, in
    ascending numeric order, then the other keys in insertion order."""
    indices = [item for item in items if is_array_index(item[0])]
    if not indices:
        return items
    indices.sort(key=lambda item: int(item[0]))
    return indices + [item for item in items if not is_array_index(item[0])]


def read_optional(value: Any, expression: str = "value?") -> str | None:
    """The package's ``readOptional``: trimmed text, or None when missing or blank.

    A value that is neither None nor a string raises the TypeError Node raises when it
    calls ``.trim()`` on it.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise JSTypeError(f"{expression}.trim is not a function")
    trimmed = js_trim(value)
    return trimmed or None


def js_number(text: str) -> float:
    """JavaScript ``Number(text)`` for a string (NaN when it is not a number)."""
    body = js_trim(text)
    if not body:
        return 0.0
    if _DECIMAL.fullmatch(body):
        return float(body)
    unsigned = body.lstrip("+-")
    if unsigned == "Infinity" and len(body) - len(unsigned) <= 1:
        return -math.inf if body.startswith("-") else math.inf
    radix = _RADIX.fullmatch(body)
    if radix:
        try:
            return float(int(radix.group(2), _RADIX_BASE[radix.group(1).lower()]))
        except ValueError:
            return math.nan
    return math.nan


def is_js_number(value: Any) -> bool:
    """``typeof value === "number" && Number.isFinite(value)`` for a decoded JSON value."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def js_number_text(value: float) -> str:
    """``String(number)``: ``600``, ``0.5``, ``NaN``, ``Infinity``, ``1e+21``, ``1e-7``.

    Finite numbers get JavaScript's layout of the shortest round-trip digits (ECMA-262
    Number::toString): plain up to 21 integer digits and down to 1e-6, exponent otherwise.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    exponent_raw: Any
    _, digit_tuple, exponent_raw = Decimal(repr(abs(float(value)))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = int(exponent_raw) + k
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * -n + digits
    else:
        power = n - 1
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        body = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + body


def json_number(value: float) -> float | int | None:
    """A JS number as ``JSON.stringify`` writes it: integral -> int, non-finite -> null."""
    if isinstance(value, int):  # bool included
        return value
    if not math.isfinite(value):
        return None
    if value == int(value) and abs(value) < 2**53:
        return int(value)
    return value
