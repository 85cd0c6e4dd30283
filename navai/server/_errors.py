"""The backend's errors, all `NavaiServerError` (a `NavaiError`), and the status a route answers.

A route turns any exception into ``{"error": message}`` with `error_status`: the error's
``status`` (or ``status_code``) when it is a 400-599 integer, else 500, as Express does.
"""

from __future__ import annotations

from typing import Any

from .._exceptions import NavaiError

__all__ = ["NavaiConfigurationError", "NavaiServerError", "NavaiStatusError", "error_status"]


class NavaiServerError(NavaiError):
    """Base class of the errors `navai.server` raises."""


class NavaiStatusError(NavaiServerError):
    """An error the backend answers with its own ``status``: ``{"error": message}``.

    Raise it in a NAVAI function (or anywhere a route runs) to choose the status, as a Node
    function throws an ``Error`` with ``status``::

        raise NavaiStatusError(404, "No such order.")

    Was ``navai.server.HTTPError``, a name that clashed with ``httpx2.HTTPError``; that name
    still works, with a `DeprecationWarning`.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class NavaiConfigurationError(NavaiServerError, ValueError):
    """Backend options that cannot work (a missing API key, say), found when the app is built.

    The message is the Node backend's. Also a `ValueError`, and importable as
    ``navai.NavaiConfigurationError``.
    """


class UpstreamError(NavaiServerError):
    """A call to OpenAI failed; the message is the one Node throws (the route answers 500)."""


class SpeechError(NavaiServerError):
    """A speech request that cannot be served, with the message Node throws (answered 500)."""


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
