"""Everything both clients share that does no I/O.

A call is prepared into a `Call` (method, URL, body), sent by a client's own
I/O code, and the raw outcome (`Outcome`) is interpreted here. Keeping the two
halves apart means the sync and async clients cannot drift.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import time
import warnings
from collections.abc import Mapping
from typing import Any, NoReturn
from urllib.parse import urlsplit

import attrs
import httpx

from ._exceptions import (
    NavaiConnectionError,
    NavaiError,
    NavaiFunctionError,
    NavaiHTTPError,
    NavaiInsecureTransportWarning,
    NavaiInvalidRequestError,
    NavaiInvalidResponseError,
    NavaiTimeoutError,
)
from ._models import (
    BackendFunction,
    BackendFunctionsResult,
    ClientSecret,
    CreateRealtimeClientSecretInput,
    FunctionResult,
)

logger = logging.getLogger("navai")

INVALID_CLIENT_SECRET = "Invalid client-secret response."
INVALID_FUNCTION_RESPONSE = "Invalid backend function response."
FUNCTION_FAILED = "Backend function failed."
LIST_PARSE_WARNING = "[navai] Failed to parse backend functions response."


def list_status_warning(status: int) -> str:
    return f"[navai] Failed to load backend functions ({status})."


def list_failure_warning(reason: str) -> str:
    return f"[navai] Failed to load backend functions: {reason}"


@attrs.frozen
class Call:
    """A request ready to send."""

    method: str
    url: str
    content: bytes | None = None


@attrs.frozen
class Options:
    """How one call is sent: the client's defaults with the call's overrides applied."""

    headers: httpx.Headers
    timeout: httpx.Timeout
    max_retries: int
    max_response_bytes: int | None
    wire_headers: dict[str, str] = attrs.field(init=False, eq=False, repr=False)
    """The headers as a plain dict, computed once for the fast transports."""
    budget: float | None = attrs.field(init=False, eq=False)
    """Seconds one attempt may take in all: connect plus read timeout, or None when either is off.

    Per-phase timeouts alone would let a server that trickles a byte at a time hold a call forever.
    """

    def __attrs_post_init__(self) -> None:
        connect, read = self.timeout.connect, self.timeout.read
        raw = {key.decode("latin-1"): value.decode("latin-1") for key, value in self.headers.raw}
        object.__setattr__(self, "wire_headers", raw)
        object.__setattr__(self, "budget", None if connect is None or read is None else connect + read)


def out_of_time(call: Call, stage: str) -> NavaiTimeoutError:
    """The error for an attempt that used up its budget (see `Options.budget`) at ``stage``."""
    message = f"Timed out: {call.method} {call.url} ({stage})"
    return NavaiTimeoutError(message, method=call.method, url=call.url)


class BodyReader:
    """Collects a response body, enforcing the attempt's time budget and the size limit."""

    __slots__ = ("_call", "_chunks", "_deadline", "_limit", "_size")

    def __init__(self, call: Call, options: Options, started: float) -> None:
        self._call = call
        budget = options.budget
        self._deadline = None if budget is None else started + budget
        self._limit = options.max_response_bytes
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._size += len(chunk)
        if self._limit is not None and self._size > self._limit:
            raise NavaiInvalidResponseError(
                f"Response body exceeds {self._limit} bytes: {self._call.method} {self._call.url}",
                method=self._call.method,
                url=self._call.url,
            )
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise out_of_time(self._call, "response body still arriving")

    def body(self) -> bytes:
        return self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)


@attrs.frozen
class Outcome:
    """What came back: a status and the body, or why the body could not be read."""

    call: Call
    status: int
    body: bytes | None
    read_error: NavaiError | None = None
    location: str | None = None
    """Where a redirect points; set by the fast paths, which follow redirects in the client."""

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 299

    def text(self) -> str:
        return (self.body or b"").decode("utf-8", errors="replace")

    def json_object(self) -> dict[str, Any] | None:
        """The body as a JSON object, or None when it is anything else."""
        if not self.body:
            return None
        try:
            value = json.loads(self.body, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def encode_json(value: Any, what: str) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        raise NavaiInvalidRequestError(f"{what} cannot be encoded as JSON: {exc}") from exc


# -- errors from the transport --------------------------------------------------------


def transport_error(exc: Exception, call: Call) -> NavaiError:
    """The `NavaiError` for an exception raised while sending ``call`` or reading its response."""
    if isinstance(exc, NavaiError):
        return exc
    where = f"{call.method} {call.url}"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return NavaiTimeoutError(f"Timed out: {where} ({detail})", method=call.method, url=call.url)
    return NavaiConnectionError(f"Request failed: {where}: {detail}", method=call.method, url=call.url)


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
"""As httpx: a call that is redirected more often than this fails."""
_HTTPS_UPGRADES = {("http", port, "https", new_port) for port in (None, 80) for new_port in (None, 443)}


def follow_redirect(outcome: Outcome, options: Options, hops: int) -> tuple[Call, Options] | None:
    """The request that follows a redirect, as httpx follows it; None when ``outcome`` is no redirect.

    301/302 turn a POST into a GET and 303 turns anything but HEAD into one, without a body;
    307/308 repeat the request. Leaving the origin drops ``Authorization`` (unless it is the
    same host moving to https) and the caller's ``Host``.
    """
    location = outcome.location
    if location is None or outcome.status not in REDIRECT_STATUSES:
        return None
    call = outcome.call
    if hops >= MAX_REDIRECTS:
        raise transport_error(httpx.TooManyRedirects("Exceeded maximum allowed redirects."), call)
    source = httpx.URL(call.url)
    try:
        url = source.join(location)
    except httpx.InvalidURL as exc:
        raise transport_error(exc, call) from exc
    if url.scheme not in ("http", "https"):
        raise transport_error(httpx.UnsupportedProtocol(f"Redirected to an unsupported URL: {url}"), call)
    method = call.method
    if (outcome.status == 303 and method != "HEAD") or (outcome.status in (301, 302) and method == "POST"):
        method = "GET"
    headers = options.headers
    same_origin = (url.scheme, url.host, url.port) == (source.scheme, source.host, source.port)
    if not same_origin:
        headers = httpx.Headers(headers)
        upgrade = (
            url.host == source.host and (source.scheme, source.port, url.scheme, url.port) in _HTTPS_UPGRADES
        )
        if not upgrade:
            headers.pop("Authorization", None)
        headers.pop("Host", None)
        options = Options(headers, options.timeout, options.max_retries, options.max_response_bytes)
    content = call.content if method == call.method else None
    return Call(method, str(url), content), options


RETRY_STATUSES = frozenset({502, 503, 504})
RETRY_BASE_DELAY = 0.25
RETRY_MAX_DELAY = 4.0


def retry_delay(
    attempt: int, options: Options, outcome: Outcome | None, error: NavaiError | None
) -> float | None:
    """Seconds to wait before retrying, or None when this attempt's result is final.

    Retried: connection failures before the request was sent (refused, connect timeout) and
    502/503/504, at most ``options.max_retries`` times, with exponential backoff (0.25 s,
    0.5 s, 1 s, ... capped at 4 s) and jitter (each delay scaled by 0.5-1.0).
    """
    if attempt >= options.max_retries:
        return None
    if error is not None:
        if not isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout):
            return None
    elif outcome is None or outcome.status not in RETRY_STATUSES:
        return None
    delay = min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2.0**attempt)
    return delay * (0.5 + random.random() / 2)


def log_retry(
    call: Call, attempt: int, delay: float, outcome: Outcome | None, error: NavaiError | None
) -> None:
    reason = f"HTTP {outcome.status}" if outcome is not None else str(error)
    logger.info("Retrying %s %s in %.2f s (retry %d): %s", call.method, call.url, delay, attempt + 1, reason)


def log_outcome(call: Call, outcome: Outcome, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.monotonic() - started) * 1000
        logger.debug("%s %s -> %d (%.1f ms)", call.method, call.url, outcome.status, elapsed)


def http_error(outcome: Outcome) -> NavaiHTTPError:
    """A non-2xx response: the message is the response text, or ``HTTP {status}``."""
    text = "" if outcome.read_error is not None else outcome.text()
    payload = outcome.json_object() if outcome.read_error is None else None
    payload = payload or {}
    available = payload.get("available_functions")
    error = payload.get("error")
    return NavaiHTTPError(
        text or f"HTTP {outcome.status}",
        status_code=outcome.status,
        body=text,
        error=error if isinstance(error, str) else None,
        details=payload.get("details"),
        available_functions=(
            [name for name in available if isinstance(name, str)] if isinstance(available, list) else None
        ),
        method=outcome.call.method,
        url=outcome.call.url,
    )


def _require_body(outcome: Outcome) -> None:
    if outcome.read_error is not None:
        raise outcome.read_error


# -- create_client_secret --------------------------------------------------------------


def client_secret_call(
    url: str,
    input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None,
    fields: Mapping[str, Any],
) -> Call:
    secret_input = CreateRealtimeClientSecretInput.build(input, fields)
    if secret_input.api_key is not None:
        warn_if_key_exposed(url)
    return Call("POST", url, encode_json(secret_input.to_wire(), "The client-secret input"))


def warn_if_key_exposed(url: str) -> None:
    """Warn when an API key is about to travel unencrypted to a host that is not this machine."""
    parts = urlsplit(url)
    if parts.scheme != "http" or _is_loopback(parts.hostname or ""):
        return
    message = f"Sending an api_key over plain http to {parts.hostname}: use https for non-loopback backends."
    logger.warning(message)
    warnings.warn(message, NavaiInsecureTransportWarning, stacklevel=4)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_client_secret(outcome: Outcome) -> ClientSecret:
    if not outcome.ok:
        raise http_error(outcome)
    _require_body(outcome)
    payload = outcome.json_object()
    if payload is None or not isinstance(payload.get("value"), str):
        raise NavaiInvalidResponseError(
            INVALID_CLIENT_SECRET, method=outcome.call.method, url=outcome.call.url
        )
    expires_at = payload.get("expires_at")
    if isinstance(expires_at, bool) or not isinstance(expires_at, int | float):
        expires_at = None
    extra = {key: value for key, value in payload.items() if key not in ("value", "expires_at")}
    return ClientSecret(value=payload["value"], expires_at=expires_at, extra=extra)


# -- list_functions --------------------------------------------------------------------


def list_call(url: str) -> Call:
    return Call("GET", url)


@attrs.frozen
class Listing:
    """A list_functions result, and whether it is a failure (so caches can refuse it)."""

    result: BackendFunctionsResult
    failed: bool = False


def parse_functions(outcome: Outcome) -> Listing:
    """The lenient list: never raises; what it cannot use becomes a warning or is dropped."""
    if not outcome.ok:
        return Listing(BackendFunctionsResult(warnings=[list_status_warning(outcome.status)]), failed=True)
    if outcome.read_error is not None:
        return failed_functions(outcome.read_error)
    payload = outcome.json_object()
    if payload is None:
        return Listing(BackendFunctionsResult(warnings=[LIST_PARSE_WARNING]), failed=True)
    items = payload.get("items")
    warnings = payload.get("warnings")
    functions = [
        BackendFunction(
            name=item["name"],
            description=_str_or_none(item.get("description")),
            source=_str_or_none(item.get("source")),
        )
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip()
    ]
    return Listing(
        BackendFunctionsResult(
            functions=functions,
            warnings=[w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else [],
        )
    )


def failed_functions(error: NavaiError) -> Listing:
    return Listing(BackendFunctionsResult(warnings=[list_failure_warning(str(error))]), failed=True)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# -- execute_function ------------------------------------------------------------------


def execute_call(url: str, function_name: str, payload: Mapping[str, Any] | None) -> Call:
    if not isinstance(function_name, str):
        raise NavaiInvalidRequestError(f"function_name must be a string; got {type(function_name).__name__}.")
    if payload is not None and not isinstance(payload, Mapping):
        raise NavaiInvalidRequestError(f"payload must be a mapping or None; got {type(payload).__name__}.")
    body = {"function_name": function_name, "payload": None if payload is None else dict(payload)}
    return Call("POST", url, encode_json(body, "The function payload"))


def parse_execution(outcome: Outcome) -> FunctionResult:
    if not outcome.ok:
        raise http_error(outcome)
    _require_body(outcome)
    payload = outcome.json_object()
    call = outcome.call
    if payload is None:
        raise NavaiInvalidResponseError(INVALID_FUNCTION_RESPONSE, method=call.method, url=call.url)
    if payload.get("ok") is not True:
        details, error = payload.get("details"), payload.get("error")
        message = (
            details if isinstance(details, str) else error if isinstance(error, str) else FUNCTION_FAILED
        )
        raise NavaiFunctionError(message, error=error, details=details, method=call.method, url=call.url)
    return FunctionResult(
        result=payload.get("result"),
        function_name=_str_or_none(payload.get("function_name")),
        source=_str_or_none(payload.get("source")),
    )
