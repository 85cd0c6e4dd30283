"""Errors the routes turn into ``{"error": message}`` responses."""

from __future__ import annotations

from typing import Any

__all__ = ["HTTPError", "error_status"]


class HTTPError(Exception):
    """An error with an HTTP status, as Express errors carry ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _valid(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599:
        return value
    return None


def error_status(error: BaseException) -> int:
    """``err.status ?? err.statusCode`` when it is a 400-599 integer, else 500."""
    candidate = getattr(error, "status", None)
    if candidate is None:
        candidate = getattr(error, "status_code", None)
    return _valid(candidate) or 500
