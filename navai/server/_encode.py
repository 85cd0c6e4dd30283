"""``JSON.stringify`` for responses: compact UTF-8, non-finite numbers as ``null``."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def dumps(value: Any) -> bytes:
    """Encode ``value``; raises ``TypeError``/``ValueError`` when it is not JSON data."""
    try:
        text = _ENCODER.encode(value)
    except ValueError as exc:
        if "Out of range float" not in str(exc):
            raise
        text = _ENCODER.encode(_finite(value))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escape them, as JSON.stringify does
        return _ASCII_ENCODER.encode(json.loads(text)).encode("ascii")
