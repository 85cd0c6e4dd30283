"""``JSON.parse`` with V8's error messages, and ``express.json()``'s strict mode.

Valid input is parsed by :mod:`json` (fast path); only invalid input is re-scanned by
a small V8-faithful scanner, to report the message Node would.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["JSONSyntaxError", "parse_json", "parse_strict_body"]

_CONTEXT = 10
_MIN_LENGTH_FOR_CONTEXT = _CONTEXT * 2 + 1
_SPECIAL = ("[object Object]", "undefined", "Infinity", "NaN")
_WS = " \t\n\r"
_HEX = "0123456789abcdefABCDEF"
_DIGITS = "0123456789"


class JSONSyntaxError(ValueError):
    """Invalid JSON; ``str()`` is V8's ``SyntaxError`` message."""

    status = 400


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _integer(text: str) -> int | float:
    """An integer literal: exact, as before, up to Python's 4,300-digit ``int()`` limit.

    Longer ones become a double (Infinity, answered as ``null``), as JS reads every
    number, instead of failing a body that Node accepts.
    """
    return int(text) if len(text) <= 4300 else _number(text)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_number, parse_int=_integer)


def parse_json(text: str) -> Any:
    """``JSON.parse(text)``; integral numbers such as ``1.0`` decode as ``int`` (JS has one number)."""
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        pass
    raise JSONSyntaxError(_V8Scanner(text).error())


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class _V8Scanner:
    """Finds the first error in ``text`` the way V8's ``JsonParser`` reports it."""

    def __init__(self, text: str) -> None:
        # V8 positions and context count UTF-16 code units.
        self.units = text.encode("utf-16-le", "surrogatepass")
        self.length = len(self.units) // 2
        self.text = text
        self.pos = 0

    def char(self, pos: int | None = None) -> str:
        at = self.pos if pos is None else pos
        if at >= self.length:
            return ""
        return self.units[2 * at : 2 * at + 2].decode("utf-16-le", "surrogatepass")

    def substring(self, start: int, end: int) -> str:
        return self.units[2 * max(start, 0) : 2 * min(end, self.length)].decode("utf-16-le", "surrogatepass")

    def error(self) -> str:
        try:
            self.skip_ws()
            self.value()
            self.skip_ws()
            if self.pos < self.length:
                self.fail("Unexpected non-whitespace character after JSON at position {}")
        except _Failure as failure:
            return failure.message
        except RecursionError:
            return "Maximum call stack size exceeded"
        return "Unexpected end of JSON input"  # pragma: no cover - json rejected what V8 accepts

    def fail(self, template: str) -> None:
        raise _Failure(template.replace("{}", str(self.pos)))

    def unexpected(self) -> None:
        """``ReportUnexpectedToken`` for the character at the cursor."""
        char = self.char()
        if not char:
            raise _Failure("Unexpected end of JSON input")
        if char == '"':
            self.fail("Unexpected string in JSON at position {}")
        if char in _DIGITS or char == "-":
            self.fail("Unexpected number in JSON at position {}")
        if self.text in _SPECIAL:
            raise _Failure(f'"{self.text}" is not valid JSON')
        pos, length = self.pos, self.length
        if length < _MIN_LENGTH_FOR_CONTEXT:
            raise _Failure(f"Unexpected token '{char}', \"{self.text}\" is not valid JSON")
        if pos < _CONTEXT:
            context = f'"{self.substring(0, pos + _CONTEXT)}"...'
        elif pos < length - _CONTEXT:
            context = f'..."{self.substring(pos - _CONTEXT, pos + _CONTEXT)}"...'
        else:
            context = f'..."{self.substring(pos - _CONTEXT, length)}"'
        raise _Failure(f"Unexpected token '{char}', {context} is not valid JSON")

    def skip_ws(self) -> None:
        while self.char() and self.char() in _WS:
            self.pos += 1

    def value(self) -> None:
        char = self.char()
        if char == '"':
            self.string()
        elif char == "-" or (char and char in _DIGITS):
            self.number()
        elif char == "{":
            self.object()
        elif char == "[":
            self.array()
        elif char in ("t", "f", "n"):
            self.literal({"t": "true", "f": "false", "n": "null"}[char])
        else:
            self.unexpected()

    def literal(self, word: str) -> None:
        for expected in word[1:]:
            self.pos += 1
            if self.char() != expected:
                self.unexpected()
        self.pos += 1

    def string(self) -> None:
        self.pos += 1
        while True:
            char = self.char()
            if not char:
                self.fail("Unterminated string in JSON at position {}")
            if char == '"':
                self.pos += 1
                return
            if char == "\\":
                self.pos += 1
                escape = self.char()
                if not escape:
                    raise _Failure("Unexpected end of JSON input")
                if escape == "u":
                    for _ in range(4):
                        self.pos += 1
                        if not self.char() or self.char() not in _HEX:
                            self.fail("Bad Unicode escape in JSON at position {}")
                elif escape not in '"\\/bfnrt':
                    self.fail("Bad escaped character in JSON at position {}")
            elif ord(char) < 0x20:
                self.fail("Bad control character in string literal in JSON at position {}")
            self.pos += 1

    def digits(self) -> bool:
        start = self.pos
        while self.char() and self.char() in _DIGITS:
            self.pos += 1
        return self.pos > start

    def number(self) -> None:
        if self.char() == "-":
            self.pos += 1
        if self.char() == "0":
            self.pos += 1
            if self.char() and self.char() in _DIGITS:
                self.fail("Unexpected number in JSON at position {}")
        elif not self.digits():
            self.fail("No number after minus sign in JSON at position {}")
        if self.char() == ".":
            self.pos += 1
            if not self.digits():
                self.fail("Unterminated fractional number in JSON at position {}")
        if self.char() in ("e", "E"):
            self.pos += 1
            if self.char() in ("+", "-"):
                self.pos += 1
            if not self.digits():
                self.fail("Exponent part is missing a number in JSON at position {}")

    def object(self) -> None:
        self.pos += 1
        self.skip_ws()
        if self.char() == "}":
            self.pos += 1
            return
        if self.char() != '"':
            self.fail("Expected property name or '}' in JSON at position {}")
        while True:
            self.string()
            self.skip_ws()
            if self.char() != ":":
                self.fail("Expected ':' after property name in JSON at position {}")
            self.pos += 1
            self.skip_ws()
            self.value()
            self.skip_ws()
            if self.char() == "}":
                self.pos += 1
                return
            if self.char() != ",":
                self.fail("Expected ',' or '}' after property value in JSON at position {}")
            self.pos += 1
            self.skip_ws()
            if self.char() != '"':
                self.fail("Expected double-quoted property name in JSON at position {}")

    def array(self) -> None:
        self.pos += 1
        self.skip_ws()
        if self.char() == "]":
            self.pos += 1
            return
        while True:
            self.value()
            self.skip_ws()
            if self.char() == "]":
                self.pos += 1
                return
            if self.char() != ",":
                self.fail("Expected ',' or ']' after array element in JSON at position {}")
            self.pos += 1
            self.skip_ws()


_FIRST = re.compile(r"[^\x20\x09\x0a\x0d]")
_PLACEHOLDERS = re.compile(r"#+")


def parse_strict_body(text: str) -> Any:
    """``express.json()``'s parse: ``""`` -> ``{}``, only objects and arrays at the top."""
    if not text:
        return {}
    first = _FIRST.search(text)
    if first is None or first.group() not in "{[":
        index = -1 if first is None else first.start()
        partial = "" if index < 0 else text[:index] + "#" * (len(text) - index)
        try:
            parse_json(partial)
        except JSONSyntaxError as exc:
            message = _PLACEHOLDERS.sub(lambda m: text[index : index + len(m.group())], str(exc))
            raise JSONSyntaxError(message) from None
    return parse_json(text)
