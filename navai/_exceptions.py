"""`NavaiError`, the root of every error navai raises, and the errors of the clients.

Every failure a caller can hit is a `NavaiError`, so one ``except NavaiError``
is enough; the subclasses say what went wrong. Each layer keeps its own errors in
its own package; this module holds the root, the clients' errors and the one error
every layer shares (a missing extra)::

    NavaiError                       navai (this module)
    ├── NavaiInvalidRequestError     the call's own arguments are unusable; nothing was sent
    ├── NavaiConnectionError         the request did not complete (network, protocol)
    │   └── NavaiTimeoutError        ... because it ran out of time
    ├── NavaiHTTPError               the backend answered with a non-2xx status
    ├── NavaiInvalidResponseError    a 2xx answer that is not what the contract says
    ├── NavaiFunctionError           the backend ran the function and reported ``ok: false``
    ├── NavaiMissingExtraError       an optional dependency is not installed (also ModuleNotFoundError)
    ├── NavaiDiscoveryError          navai.functions: a functions folder cannot be read
    ├── NavaiServerError             navai.server: the backend's errors
    │   ├── NavaiStatusError         ... answered with its own HTTP status
    │   └── NavaiConfigurationError  ... options (or environment) that cannot start a backend
    └── NavaiRealtimeError           navai.agent: a Realtime session failed

``navai`` re-exports `NavaiConfigurationError` and `NavaiRealtimeError` (loaded on first
use), so ``except navai.NavaiRealtimeError`` works without importing the agent first.

``str(error)`` is exactly the message the TypeScript reference client throws,
so logs and user-facing text match across both clients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "NavaiConnectionError",
    "NavaiError",
    "NavaiFunctionError",
    "NavaiHTTPError",
    "NavaiInsecureTransportWarning",
    "NavaiInvalidRequestError",
    "NavaiInvalidResponseError",
    "NavaiMissingExtraError",
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


class NavaiMissingExtraError(NavaiError, ModuleNotFoundError):
    """A part of navai was used without the extra that installs its dependencies.

    ``extra`` is the extra to install (``"server"``, ``"agent"``, ``"audio"``, ``"mcp"``,
    ``"openai-agents"``, ``"aiohttp"``), and the message says so:
    ``navai.mcp needs the mcp extra (mcp is missing): pip install 'navai[mcp]'``.
    ``name`` is the module that could not be imported, as on any `ImportError`.

    Also a `ModuleNotFoundError` (so an `ImportError`): code that caught the import error a
    missing dependency used to raise keeps working.
    """

    def __init__(self, extra: str, *, feature: str, name: str | None = None) -> None:
        missing = f" ({name} is missing)" if name else ""
        super().__init__(f"{feature} needs the {extra} extra{missing}: pip install 'navai[{extra}]'")
        self.extra = extra
        self.feature = feature
        self.name = name


class NavaiInsecureTransportWarning(UserWarning):
    """An API key is about to be sent over plain http to a host that is not loopback."""
