"""The few JavaScript semantics the TypeScript runtime relies on: trim, JSON text in and out.

``json_stringify`` writes what ``JSON.stringify`` writes for the same data: no spaces,
UTF-8 text rather than ``\\u`` escapes, numbers as ``String(number)`` spells them
(``1.0`` -> ``1``, ``1e-7``, ``1e+21``), non-finite numbers as ``null``, lone surrogates
escaped, and an object's keys in JS order (integer-like keys first, ascending), which is
also the order ``json_parse`` gives them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from ..functions._jscompat import is_array_index, js_key_order, js_trim
from ..functions._jscompat import js_number_text as number_text

__all__ = ["is_record", "js_trim", "json_parse", "json_stringify", "number_text"]

_QUOTED = re.compile('[\ud800-\udbff][\udc00-\udfff]|[\\x00-\\x1f"\\\\\ud800-\udfff]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_record(value: Any) -> bool:
    """The runtime's ``isRecord``: any non-null object, arrays included."""
    return isinstance(value, Mapping | list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name[0]}")


def _js_number(text: str) -> int | float:
    """A JSON number read as JavaScript reads it: one double, so ``2.0`` is ``2`` and
    ``12345678901234567890`` is ``12345678901234567000``. Integral values below 2**53 come
    back as ``int`` (as ``navai.server`` parses request bodies), the rest as ``float``;
    ``-0`` stays the float ``-0.0`` (an ``int`` has no negative zero)."""
    value = float(text)
    if value.is_integer() and abs(value) < 2**53 and (value or math.copysign(1.0, value) > 0):
        return int(value)
    return value


def _js_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object as ``JSON.parse`` builds it: a repeated key keeps its first place and its
    last value, and integer-like keys come first, in ascending order."""
    record = dict(pairs)
    if any(is_array_index(key) for key in record):
        return dict(js_key_order(list(record.items())))
    return record


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_js_number, parse_int=_js_number)
_ORDERING_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant,
    parse_float=_js_number,
    parse_int=_js_number,
    object_pairs_hook=_js_object,
)
# Only text that may hold an integer-like key pays for the Python-level object hook
# (about 3x the C decoder on a nested event); the rest decodes at C speed.
_INDEX_KEY = re.compile(r'"(?:0|[1-9][0-9]*)"\s*:|\\u003[0-9]')  # a digit key, or an escaped digit


def json_parse(text: str) -> Any:
    """``JSON.parse``: raises ``ValueError`` for text that is not JSON (``NaN`` included).

    Numbers are JavaScript numbers (see ``_js_number``): a local function gets ``2`` for
    ``2.0`` as its TypeScript twin does, and answers hold what ``JSON.stringify`` would.
    Objects list their keys in JS order (``{"b":1,"2":0}`` gives ``{"2": 0, "b": 1}``).
    """
    decoder = _ORDERING_DECODER if _INDEX_KEY.search(text) else _DECODER
    return decoder.decode(text)


def _escape(match: re.Match[str]) -> str:
    text = match.group()
    if len(text) == 2:  # a surrogate pair: one character, written as itself
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    return _SHORT_ESCAPES.get(text) or f"\\u{ord(text):04x}"


def _quote(value: str) -> str:
    return '"' + _QUOTED.sub(_escape, value) + '"'


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return number_text(key) if math.isfinite(key) else ("NaN" if math.isnan(key) else _infinity(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _infinity(value: float) -> str:
    return "Infinity" if value > 0 else "-Infinity"


def _encode(value: Any, out: list[str], active: set[int]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, str):
        out.append(_quote(value))
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(number_text(value) if math.isfinite(value) else "null")
    elif isinstance(value, Mapping | list | tuple):
        marker = id(value)
        if marker in active:
            raise ValueError("Converting circular structure to JSON")
        active.add(marker)
        if isinstance(value, Mapping):
            out.append("{")
            for index, (key, item) in enumerate(js_key_order([(_key(k), v) for k, v in value.items()])):
                if index:
                    out.append(",")
                out.append(_quote(key))
                out.append(":")
                _encode(item, out, active)
            out.append("}")
        else:
            out.append("[")
            for index, item in enumerate(value):
                if index:
                    out.append(",")
                _encode(item, out, active)
            out.append("]")
        active.discard(marker)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_PLAIN_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(value: Any) -> bool:
    """Whether Python's C encoder writes ``value`` as `_encode` does: no floats (their text
    differs), only ``str`` keys that do not start with a digit (JS lists integer-like keys
    first), plain dicts, lists and tuples."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or key[:1].isdigit() or not _plain(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(_plain(item) for item in value)
    return False


def json_stringify(value: Any) -> str:
    """``JSON.stringify(value)`` for JSON data (dicts, lists, tuples, str, numbers, bools, None).

    Raises ``TypeError`` for anything else and ``ValueError`` for a circular structure,
    as ``JSON.stringify`` throws for a ``BigInt`` or a cycle. Data that Python's C encoder
    already writes the same way (most tool results) takes it: about 3x faster.
    """
    try:
        if _plain(value):
            text = _PLAIN_ENCODER.encode(value)
            if _LONE_SURROGATE.search(text) is None:
                return text
    except RecursionError:
        pass
    out: list[str] = []
    _encode(value, out, set())
    return "".join(out)
