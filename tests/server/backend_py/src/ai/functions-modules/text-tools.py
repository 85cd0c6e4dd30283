"""An exported object: each callable member becomes <export>_<member> (twin of text-tools.js)."""

from typing import Any


def _require_string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f'{name} expects a string, e.g. {{"value": "hello"}}')
    return value


textTools = {
    "upper": lambda *args: _require_string(args[0] if args else None, "text_tools_upper").upper(),
    "reverse": lambda *args: _require_string(args[0] if args else None, "text_tools_reverse")[::-1],
    "wordCount": lambda *args: len(
        _require_string(args[0] if args else None, "text_tools_word_count").split()
    ),
}
