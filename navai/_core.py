"""Everything both clients share that does no I/O.

A call is prepared into a `Call` (method, URL, body), sent by a client's own
I/O code, and the raw outcome (`Outcome`) is interpreted here. Keeping the two
halves apart means the sync and async clients cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import attrs
import httpx

from ._exceptions import (
    NavaiConnectionError,
    NavaiError,
    NavaiFunctionError,
    NavaiHTTPError,
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
class Outcome:
    """What came back: a status and the body, or why the body could not be read."""

    call: Call
    status: int
    body: bytes | None
    read_error: NavaiError | None = None

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
    body = CreateRealtimeClientSecretInput.build(input, fields).to_wire()
    return Call("POST", url, encode_json(body, "The client-secret input"))


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


def parse_functions(outcome: Outcome) -> BackendFunctionsResult:
    """The lenient list: never raises; what it cannot use becomes a warning or is dropped."""
    if not outcome.ok:
        return BackendFunctionsResult(warnings=[list_status_warning(outcome.status)])
    if outcome.read_error is not None:
        return failed_functions(outcome.read_error)
    payload = outcome.json_object()
    if payload is None:
        return BackendFunctionsResult(warnings=[LIST_PARSE_WARNING])
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
    return BackendFunctionsResult(
        functions=functions,
        warnings=[w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else [],
    )


def failed_functions(error: NavaiError) -> BackendFunctionsResult:
    return BackendFunctionsResult(warnings=[list_failure_warning(str(error))])


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


Parser = Callable[[Outcome], Any]
