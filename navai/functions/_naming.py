"""Function naming and ordering rules of the Node backend (spec section 8)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["locale_sort_key", "module_stem", "normalize_name", "unique_name", "utf16_key"]

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")
_EXTENSIONS = re.compile(r"\.(ts|js|mjs|cjs|mts|cts|py)$", re.IGNORECASE)
_FN_SUFFIX = re.compile(r"\.fn$", re.IGNORECASE)

# ASCII printable characters in the order of ICU's root collation (String#localeCompare).
_ICU_ASCII = (
    " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ"
)
_PRIMARY: dict[str, int] = {}
for _index, _char in enumerate(_ICU_ASCII):
    _PRIMARY[_char] = _PRIMARY.get(_char.lower(), _index)


def normalize_name(value: str) -> str:
    """``myTool-Name`` -> ``my_tool_name``: the package's ``normalizeName``."""
    value = _CAMEL.sub(r"\1_\2", value)
    return _NON_ALNUM.sub("_", value).strip("_").lower()


def module_stem(path: str) -> str:
    """Last path segment without its source extension and ``.fn``; ``module`` when empty."""
    last = path.split("/")[-1]
    stem = _FN_SUFFIX.sub("", _EXTENSIONS.sub("", last))
    return stem or "module"


def unique_name(raw: str, used: set[str]) -> tuple[str, str | None]:
    """The final name for ``raw`` among ``used`` (which it joins), and the rename warning if any."""
    candidate = normalize_name(raw) or "fn"
    final = candidate
    if final in used:
        index = 2
        while f"{candidate}_{index}" in used:
            index += 1
        final = f"{candidate}_{index}"
    used.add(final)
    if final != normalize_name(raw):
        return final, f'[navai] Renamed duplicated function "{raw}" to "{final}".'
    return final, None


def utf16_key(value: str) -> bytes:
    """Sort key for UTF-16 code-unit order (how JS orders module namespace keys)."""
    return value.encode("utf-16-be", "surrogatepass")


def locale_sort_key(value: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """An approximation of ``a.localeCompare(b)`` (ICU root collation).

    Exact for printable ASCII: punctuation < digits < letters, letters compared without
    case first, then lower case before upper case. Other characters compare by their
    base letter (accents second), then by code point.
    """
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for char in value:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        weight = _PRIMARY.get(base)
        primary.append(weight if weight is not None else 1000 + ord(base.lower()))
        secondary.append(sum(ord(mark) for mark in marks))
        tertiary.append(1 if base != base.lower() else 0)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def sorted_by_locale(values: Iterable[str]) -> list[str]:
    """``values`` sorted as ``[...].sort((a, b) => a.localeCompare(b))`` would."""
    return sorted(values, key=locale_sort_key)
