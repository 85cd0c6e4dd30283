"""Everything the sync and async clients share that does no I/O.

A call is prepared into an `Operation`: the generated endpoint module of its contract
operation, the generated request model, and where to send it. A client's own I/O code
(a few lines each) hands it to the endpoint's ``sync_detailed`` or ``asyncio_detailed``;
what comes back, a generated ``Response``, is interpreted here: through the generated
response model when the body matches the contract, else by the seed's lenient rules
applied to the raw content. Retries are decided here too. Keeping the two halves apart
means the sync and async clients cannot drift.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import functools
import ipaddress
import json
import logging
import random
import time
import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx2

from navai_api.api.navai import create_client_secret, execute_function, list_functions, synthesize_speech
from navai_api.models import (
    ClientSecretResponse,
    CreateClientSecretRequest,
    ExecuteFunctionRequest,
    ExecuteFunctionRequestPayloadType0,
    ExecuteFunctionResponse,
    FunctionsListResponse,
    SpeechSynthesisResponse,
    SynthesizeSpeechRequest,
)
from navai_api.models import (
    VoiceSettings as ApiVoiceSettings,
)
from navai_api.types import UNSET, Unset, parse_json
from navai_api.types import Response as ApiResponse

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
    SynthesizedSpeech,
    VoiceSettings,
)
from ._transport import MAX_RESPONSE_BYTES_EXTENSION

logger = logging.getLogger("navai")

INVALID_CLIENT_SECRET = "Invalid client-secret response."
INVALID_FUNCTION_RESPONSE = "Invalid backend function response."
INVALID_SPEECH_RESPONSE = "Invalid speech synthesis response."
FUNCTION_FAILED = "Backend function failed."
LIST_PARSE_WARNING = "[navai] Failed to parse backend functions response."


def list_status_warning(status: int) -> str:
    return f"[navai] Failed to load backend functions ({status})."


def list_failure_warning(reason: str) -> str:
    return f"[navai] Failed to load backend functions: {reason}"


# -- requests ---------------------------------------------------------------------------


def headers_of(headers: Mapping[str, str] | None, what: str) -> httpx2.Headers:
    """``headers`` as `httpx2.Headers`; a name or value that cannot go on the wire is refused here."""
    try:
        result = httpx2.Headers(headers)
    except (UnicodeEncodeError, TypeError, AttributeError) as exc:
        raise NavaiInvalidRequestError(f"{what} must be ASCII strings: {exc}") from exc
    for name, value in result.raw:
        if any(byte in b"\r\n\0" for byte in name + value) or not name.strip():
            raise NavaiInvalidRequestError(f"{what} must not be blank or hold CR, LF or NUL: {name!r}")
    return result


@attrs.frozen
class Options:
    """How one call is sent: the client's defaults with the call's overrides applied."""

    headers: httpx2.Headers | None
    """Headers this call sends on top of the httpx2 client's own; None for none."""
    timeout: httpx2.Timeout
    max_retries: int
    extensions: dict[str, Any]
    auth: Any = httpx2.USE_CLIENT_DEFAULT


class Operation:
    """A call ready to send: the generated endpoint module, its body, and the URL."""

    __slots__ = ("body", "endpoint", "method", "shown_url", "target", "url")

    def __init__(self, endpoint: ModuleType, method: str, url: str, body: Any = None) -> None:
        self.endpoint = endpoint
        self.method = method
        self.url = url
        """Where the request goes (may hold credentials; never shown)."""
        self.body = body
        self.target, self.shown_url = _target(url)

    def arguments(self, options: Options) -> dict[str, Any]:
        """The keyword arguments of the endpoint's ``sync_detailed`` / ``asyncio_detailed``."""
        arguments: dict[str, Any] = {
            "path": self.target,
            "headers": options.headers,
            "timeout": options.timeout,
            "auth": options.auth,
            "extensions": options.extensions,
        }
        if self.body is not None:
            arguments["body"] = self.body
        return arguments


@functools.lru_cache(maxsize=64)
def _target(url: str) -> tuple[httpx2.URL | str, str]:
    """The URL to send to, parsed once (httpx2 takes a parsed URL as is), and as it is shown.

    Both leave out any ``user:password@``: the client sends those as Basic auth (see
    `url_credentials`), so they never reach a log line, not even httpx2's.
    """
    try:
        parsed = httpx2.URL(url)
    except Exception:
        return url, url
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return parsed, str(parsed)


def url_credentials(url: str) -> httpx2.BasicAuth | None:
    """Basic auth for a ``user:password@`` in ``url``, or None."""
    try:
        parsed = httpx2.URL(url)
    except Exception:
        return None
    return httpx2.BasicAuth(parsed.username, parsed.password) if parsed.userinfo else None


def shown_url(url: str) -> str:
    """``url`` without credentials, for errors, logs and reprs."""
    return _target(url)[1]


def max_response_bytes_extension(limit: int | None) -> dict[str, Any]:
    return {MAX_RESPONSE_BYTES_EXTENSION: limit}


def _encodable(value: Any, what: str) -> None:
    try:
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise NavaiInvalidRequestError(f"{what} cannot be encoded as JSON: {exc}") from exc


# -- errors and retries -----------------------------------------------------------------


def transport_error(exc: BaseException, op: Operation) -> NavaiError:
    """The `NavaiError` for an exception raised while sending ``op`` or reading its response."""
    if isinstance(exc, NavaiError):
        return exc
    where = f"{op.method} {op.shown_url}"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx2.TimeoutException):
        return NavaiTimeoutError(f"Timed out: {where} ({detail})", method=op.method, url=op.shown_url)
    return NavaiConnectionError(f"Request failed: {where}: {detail}", method=op.method, url=op.shown_url)


RETRY_STATUSES = frozenset({502, 503, 504})
RETRY_BASE_DELAY = 0.25
RETRY_MAX_DELAY = 4.0
RETRY_AFTER_MAX = 60.0
"""A ``Retry-After`` longer than this is not waited for; the backoff applies instead."""


def retry_after(headers: httpx2.Headers | None, now: float | None = None) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date), or None."""
    value = headers.get("retry-after") if headers is not None else None
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return 0.0 if seconds < 0 else None
    return seconds


def retry_delay(
    attempt: int, options: Options, response: ApiResponse[Any] | None, error: NavaiError | None
) -> float | None:
    """Seconds to wait before retrying, or None when this attempt's result is final.

    Retried: connection failures before the request was sent (refused, connect timeout) and
    502/503/504, at most ``options.max_retries`` times. The wait is the server's
    ``Retry-After`` when it gives one of at most 60 s, else exponential backoff (0.25 s,
    0.5 s, 1 s, ... capped at 4 s) with jitter (each delay scaled by 0.5-1.0).
    """
    if attempt >= options.max_retries:
        return None
    if error is not None:
        if not isinstance(error.__cause__, httpx2.ConnectError | httpx2.ConnectTimeout):
            return None
    elif response is None or response.status_code not in RETRY_STATUSES:
        return None
    else:
        asked = retry_after(response.headers)
        if asked is not None and asked <= RETRY_AFTER_MAX:
            return asked
    delay = min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2.0**attempt)
    return delay * (0.5 + random.random() / 2)


class Attempts:
    """The retry loop's state for one call: logs each outcome, says whether and when to try again."""

    __slots__ = ("_attempt", "_op", "_options", "_started")

    def __init__(self, op: Operation, options: Options) -> None:
        self._op = op
        self._options = options
        self._attempt = 0
        self._started = 0.0

    @property
    def arguments(self) -> dict[str, Any]:
        self._started = time.monotonic()
        return self._op.arguments(self._options)

    def answered(self, response: ApiResponse[Any]) -> float | None:
        """After a response: None to return it, else seconds to wait before the next attempt."""
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.monotonic() - self._started) * 1000
            op = self._op
            logger.debug("%s %s -> %d (%.1f ms)", op.method, op.shown_url, response.status_code, elapsed)
        return self._next(response, None)

    def failed(self, exc: BaseException) -> float:
        """After an exception: seconds to wait before the next attempt; raises the `NavaiError` if final."""
        error = transport_error(exc, self._op)
        if error is not exc:
            error.__cause__ = exc  # what retry_delay reads: was the request sent at all?
        delay = self._next(None, error)
        if delay is None:
            raise error
        return delay

    def _next(self, response: ApiResponse[Any] | None, error: NavaiError | None) -> float | None:
        delay = retry_delay(self._attempt, self._options, response, error)
        if delay is not None:
            reason = f"HTTP {response.status_code}" if response is not None else str(error)
            op = self._op
            logger.info(
                "Retrying %s %s in %.2f s (retry %d): %s",
                op.method,
                op.shown_url,
                delay,
                self._attempt + 1,
                reason,
            )
            self._attempt += 1
        return delay


# -- responses --------------------------------------------------------------------------


def _ok(response: ApiResponse[Any]) -> bool:
    return 200 <= response.status_code <= 299


def json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is anything else (NaN and Infinity are not JSON)."""
    if not content:
        return None
    try:
        value = parse_json(content)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def http_error(op: Operation, response: ApiResponse[Any]) -> NavaiHTTPError:
    """A non-2xx response: the message is the response text, or ``HTTP {status}``."""
    text = response.content.decode("utf-8", errors="replace")
    payload = json_object(response.content) or {}
    available = payload.get("available_functions")
    error = payload.get("error")
    return NavaiHTTPError(
        text or f"HTTP {response.status_code}",
        status_code=response.status_code,
        body=text,
        error=error if isinstance(error, str) else None,
        details=payload.get("details"),
        available_functions=(
            [name for name in available if isinstance(name, str)] if isinstance(available, list) else None
        ),
        headers=response.headers,
        retry_after=retry_after(response.headers),
        method=op.method,
        url=op.shown_url,
    )


def _set(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# -- create_client_secret --------------------------------------------------------------


def client_secret_operation(
    url: str,
    input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None,
    fields: Mapping[str, Any],
) -> Operation:
    secret_input = CreateRealtimeClientSecretInput.build(input, fields)
    if secret_input.api_key is not None:
        warn_if_key_exposed(url)
    body = CreateClientSecretRequest(
        **{name: UNSET if value is None else value for name, value in attrs.asdict(secret_input).items()}
    )
    return Operation(create_client_secret, "POST", url, body)


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


def parse_client_secret(op: Operation, response: ApiResponse[Any]) -> ClientSecret:
    if not _ok(response):
        raise http_error(op, response)
    parsed = response.parsed
    if isinstance(parsed, ClientSecretResponse):
        extra = parsed.to_dict()
        del extra["value"]
        extra.pop("expires_at", None)
        return ClientSecret(value=parsed.value, expires_at=_set(parsed.expires_at), extra=extra)
    payload = json_object(response.content)
    if payload is None or not isinstance(payload.get("value"), str):
        raise NavaiInvalidResponseError(INVALID_CLIENT_SECRET, method=op.method, url=op.shown_url)
    expires_at = payload.get("expires_at")
    if isinstance(expires_at, bool) or not isinstance(expires_at, int | float):
        expires_at = None
    extra = {key: value for key, value in payload.items() if key not in ("value", "expires_at")}
    return ClientSecret(value=payload["value"], expires_at=expires_at, extra=extra)


# -- list_functions --------------------------------------------------------------------


def list_operation(url: str) -> Operation:
    return Operation(list_functions, "GET", url)


def parse_functions(response: ApiResponse[Any]) -> BackendFunctionsResult:
    """The lenient list: never raises; what it cannot use becomes a warning or is dropped."""
    if not _ok(response):
        return BackendFunctionsResult(warnings=[list_status_warning(response.status_code)], failed=True)
    parsed = response.parsed
    if isinstance(parsed, FunctionsListResponse):
        return BackendFunctionsResult(
            functions=[
                BackendFunction(name=item.name, description=_set(item.description), source=_set(item.source))
                for item in parsed.items
                if item.name.strip()
            ],
            warnings=list(parsed.warnings),
        )
    payload = json_object(response.content)
    if payload is None:
        return BackendFunctionsResult(warnings=[LIST_PARSE_WARNING], failed=True)
    items = payload.get("items")
    warnings = payload.get("warnings")
    return BackendFunctionsResult(
        functions=[
            BackendFunction(
                name=item["name"],
                description=_str_or_none(item.get("description")),
                source=_str_or_none(item.get("source")),
            )
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip()
        ],
        warnings=[w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else [],
    )


def failed_functions(error: NavaiError) -> BackendFunctionsResult:
    return BackendFunctionsResult(warnings=[list_failure_warning(str(error))], failed=True)


# -- execute_function ------------------------------------------------------------------


def execute_operation(url: str, function_name: str, payload: Mapping[str, Any] | None) -> Operation:
    if not isinstance(function_name, str):
        raise NavaiInvalidRequestError(f"function_name must be a string; got {type(function_name).__name__}.")
    if payload is not None and not isinstance(payload, Mapping):
        raise NavaiInvalidRequestError(f"payload must be a mapping or None; got {type(payload).__name__}.")
    if payload is not None:
        _encodable(payload, "The function payload")
    body = ExecuteFunctionRequest(
        function_name=function_name,
        payload=None if payload is None else ExecuteFunctionRequestPayloadType0.from_dict(payload),
    )
    return Operation(execute_function, "POST", url, body)


def parse_execution(op: Operation, response: ApiResponse[Any]) -> FunctionResult:
    if not _ok(response):
        raise http_error(op, response)
    parsed = response.parsed
    if isinstance(parsed, ExecuteFunctionResponse) and parsed.ok:
        return FunctionResult(
            result=_set(parsed.result),
            function_name=_set(parsed.function_name),
            source=_set(parsed.source),
            has_result=not isinstance(parsed.result, Unset),
        )
    payload = json_object(response.content)
    if payload is None:
        raise NavaiInvalidResponseError(INVALID_FUNCTION_RESPONSE, method=op.method, url=op.shown_url)
    if payload.get("ok") is not True:
        details, error = payload.get("details"), payload.get("error")
        message = (
            details if isinstance(details, str) else error if isinstance(error, str) else FUNCTION_FAILED
        )
        raise NavaiFunctionError(message, error=error, details=details, method=op.method, url=op.shown_url)
    return FunctionResult(
        result=payload.get("result"),
        function_name=_str_or_none(payload.get("function_name")),
        source=_str_or_none(payload.get("source")),
        has_result="result" in payload,
    )


# -- synthesize_speech -----------------------------------------------------------------

_VOICE_SETTINGS: dict[str, tuple[str, type]] = {
    "stability": ("stability", float),
    "similarity_boost": ("similarityBoost", float),
    "style": ("style", float),
    "use_speaker_boost": ("useSpeakerBoost", bool),
}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def speech_operation(
    url: str,
    text: str,
    *,
    voice_id: str | None,
    model_id: str | None,
    output_format: str | None,
    optimize_streaming_latency: float | None,
    voice_settings: VoiceSettings | Mapping[str, Any] | None,
) -> Operation:
    """The request of ``synthesize_speech``; only the fields that are set are sent."""
    if not isinstance(text, str):
        raise NavaiInvalidRequestError(f"text must be a string; got {type(text).__name__}.")
    for field, text_value in (
        ("voice_id", voice_id),
        ("model_id", model_id),
        ("output_format", output_format),
    ):
        if text_value is not None and not isinstance(text_value, str):
            raise NavaiInvalidRequestError(
                f"{field} must be a string or None; got {type(text_value).__name__}."
            )
    if optimize_streaming_latency is not None and not _number(optimize_streaming_latency):
        kind = type(optimize_streaming_latency).__name__
        raise NavaiInvalidRequestError(f"optimize_streaming_latency must be a number or None; got {kind}.")
    settings: Any = UNSET
    if voice_settings is not None:
        if not isinstance(voice_settings, Mapping):
            raise NavaiInvalidRequestError(
                f"voice_settings must be a mapping or None; got {type(voice_settings).__name__}."
            )
        wire: dict[str, Any] = {}
        for key, value in voice_settings.items():
            if key not in _VOICE_SETTINGS:
                raise NavaiInvalidRequestError(
                    f"Unknown voice setting {key!r}; expected one of {', '.join(_VOICE_SETTINGS)}."
                )
            wire_name, expected = _VOICE_SETTINGS[key]
            valid = isinstance(value, bool) if expected is bool else _number(value)
            if not valid:
                raise NavaiInvalidRequestError(
                    f"voice_settings[{key!r}] must be a {'boolean' if expected is bool else 'number'}; "
                    f"got {type(value).__name__}."
                )
            wire[wire_name] = value
        settings = ApiVoiceSettings.from_dict(wire)
    body = SynthesizeSpeechRequest(
        text=text,
        voice_id=_unset_if_none(voice_id),
        model_id=_unset_if_none(model_id),
        output_format=_unset_if_none(output_format),
        optimize_streaming_latency=UNSET
        if optimize_streaming_latency is None
        else optimize_streaming_latency,
        voice_settings=settings,
    )
    return Operation(synthesize_speech, "POST", url, body)


def _unset_if_none(value: Any) -> Any:
    return UNSET if value is None else value


def parse_speech(op: Operation, response: ApiResponse[Any]) -> SynthesizedSpeech:
    """The web client's rules: non-2xx raises with the text; a wrong shape is an invalid response."""
    if not _ok(response):
        raise http_error(op, response)
    parsed = response.parsed
    mime_type: Any
    encoded: Any
    if isinstance(parsed, SpeechSynthesisResponse):
        mime_type, encoded = parsed.mime_type, parsed.audio_base_64
    else:
        payload = json_object(response.content) or {}
        mime_type, encoded = payload.get("mimeType"), payload.get("audioBase64")
        if (
            payload.get("provider") != "elevenlabs"
            or not isinstance(mime_type, str)
            or not isinstance(encoded, str)
        ):
            raise NavaiInvalidResponseError(INVALID_SPEECH_RESPONSE, method=op.method, url=op.shown_url)
    try:
        audio = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise NavaiInvalidResponseError(
            f"{INVALID_SPEECH_RESPONSE} audioBase64 is not base64.", method=op.method, url=op.shown_url
        ) from None
    return SynthesizedSpeech(audio=audio, mime_type=mime_type)
