"""The errors the navai clients raise.

Every failure a caller can hit is a `NavaiError`, so one ``except NavaiError``
is enough; the subclasses say what went wrong::

    NavaiError
    ├── NavaiInvalidRequestError   the call's own arguments are unusable; nothing was sent
    ├── NavaiConfigurationError    navai.server options (or environment) that cannot start a backend
    ├── NavaiConnectionError       the request did not complete (network, protocol)
    │   └── NavaiTimeoutError      ... because it ran out of time
    ├── NavaiHTTPError             the backend answered with a non-2xx status
    ├── NavaiInvalidResponseError  a 2xx answer that is not what the contract says
    ├── NavaiFunctionError         the backend ran the function and reported ``ok: false``
    └── NavaiRealtimeError         a voice-agent Realtime session failed: connect, dropped, ``error`` event

``str(error)`` is exactly the message the TypeScript reference client throws,
so logs and user-facing text match across both clients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "NavaiConfigurationError",
    "NavaiConnectionError",
    "NavaiError",
    "NavaiFunctionError",
    "NavaiHTTPError",
    "NavaiInsecureTransportWarning",
    "NavaiInvalidRequestError",
    "NavaiInvalidResponseError",
    "NavaiRealtimeError",
    "NavaiTimeoutError",
]


class NavaiError(Exception):
    """Base class of every error raised by navai.

    ``method`` and ``url`` name the request that failed, when there was one.
    """

    method: str | None
    url: str | None

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    def __str__(self) -> str:
        return self.message


class NavaiInvalidRequestError(NavaiError, ValueError):
    """The arguments of a call cannot be sent (unknown field, unencodable payload, ...).

    Raised before any network traffic. Also a `ValueError`.
    """


class NavaiConfigurationError(NavaiError, ValueError):
    """Backend options that cannot work (a missing API key, say), found when the app is built.

    The message is the Node backend's. Also a `ValueError`.
    """


class NavaiConnectionError(NavaiError):
    """The request failed before a complete response arrived: refused, reset, DNS, protocol error."""


class NavaiTimeoutError(NavaiConnectionError):
    """The request ran out of time (connect, write, read or pool timeout)."""


class NavaiHTTPError(NavaiError):
    """The backend answered with a status outside 200-299.

    ``str(error)`` is the response text, or ``HTTP {status}`` when that is empty or
    unreadable. The JSON fields NAVAI backends send are parsed out when present:
    ``error``, ``details`` and, for an unknown function (404), ``available_functions``.
    ``headers`` are the response's headers, and ``retry_after`` the seconds its
    ``Retry-After`` asked to wait (None when it did not say).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str,
        error: str | None = None,
        details: Any = None,
        available_functions: Sequence[str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.retry_after = retry_after
        self.body = body
        self.error = error
        self.details = details
        self.available_functions = list(available_functions) if available_functions is not None else None


class NavaiInvalidResponseError(NavaiError):
    """A 2xx response whose body does not have the shape the contract requires."""


class NavaiFunctionError(NavaiError):
    """The backend reported that the function failed (``ok`` is not ``true``).

    ``str(error)`` is ``details`` when it is a string, else ``error`` when it is a
    string, else ``Backend function failed.``; both raw values are kept.
    """

    def __init__(
        self,
        message: str,
        *,
        error: Any = None,
        details: Any = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.error = error
        self.details = details


class NavaiRealtimeError(NavaiError):
    """The Realtime session of a `navai.agent.NavaiVoiceAgent` failed.

    The connection could not be opened (``close_code`` None), it closed while in use
    (``close_code`` is the WebSocket close code, 1006 when it just dropped), or the
    server sent an ``error`` event (``code``, ``error_type``, ``param`` and ``event_id``
    are that event's, ``event`` the whole event). The message never contains the
    client secret the session connected with.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        event_id: str | None = None,
        event: Mapping[str, Any] | None = None,
        close_code: int | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.code = code
        self.error_type = error_type
        self.param = param
        self.event_id = event_id
        self.event = event
        self.close_code = close_code


class NavaiInsecureTransportWarning(UserWarning):
    """An API key is about to be sent over plain http to a host that is not loopback."""
