"""Client configuration: base URL resolution, URL joining, timeouts, default headers."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import attrs
import httpx2

from navai_api.api.navai import create_client_secret, execute_function, list_functions, synthesize_speech

from ._exceptions import NavaiInvalidRequestError
from ._version import __version__

DEFAULT_API_BASE_URL = "http://localhost:3000"
"""Where a client points when neither ``api_base_url`` nor ``NAVAI_API_URL`` is set."""

API_URL_ENV_VAR = "NAVAI_API_URL"

# The contract's paths, defined once: openapi.yaml, through the generated endpoint modules.
# The client, the CLI and the backend (navai.server) all take them from here.
DEFAULT_CLIENT_SECRET_PATH: str = create_client_secret.PATH
"""``/navai/realtime/client-secret``: where a client secret is minted (``POST``)."""
DEFAULT_FUNCTIONS_LIST_PATH: str = list_functions.PATH
"""``/navai/functions``: the function list (``GET``)."""
DEFAULT_FUNCTIONS_EXECUTE_PATH: str = execute_function.PATH
"""``/navai/functions/execute``: where a function is executed by name (``POST``)."""
DEFAULT_SPEECH_SYNTHESIZE_PATH: str = synthesize_speech.PATH
"""``/navai/speech/synthesize``: speech synthesis (``POST``)."""

DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=5.0)
"""30 s to read, write or wait for a pooled connection; 5 s to connect."""

DEFAULT_MAX_RETRIES = 2
"""Automatic retries for list_functions (a GET); POSTs retry only when a call opts in."""

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""Responses whose decoded body is larger than this are refused."""

DEFAULT_MAX_CONNECTIONS = 100
"""Connections a client navai makes may hold open at once (all of them kept alive)."""

USER_AGENT = f"navai-python/{__version__}"

TimeoutTypes = float | int | httpx2.Timeout | None
AuthTypes = httpx2.Auth | tuple[str | bytes, str | bytes] | Callable[[httpx2.Request], httpx2.Request]


class NotGiven:
    """The default of per-call options: "use the client's setting" (``None`` means "no timeout")."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
"""The one `NotGiven` value: the default of per-call options that fall back to the client's."""


def _read_optional(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    trimmed = value.strip()
    return trimmed or None


def resolve_api_base_url(api_base_url: str | None, env: Mapping[str, str] | None) -> str:
    """``api_base_url`` if not blank, else ``env["NAVAI_API_URL"]`` if not blank, else the default.

    Both are trimmed; ``env`` defaults to ``os.environ``.
    """
    if env is None:
        env = os.environ
    return _read_optional(api_base_url) or _read_optional(env.get(API_URL_ENV_VAR)) or DEFAULT_API_BASE_URL


def join_url(base_url: str, path: str) -> str:
    """Drop trailing slashes from the base, ensure the path starts with ``/``, concatenate."""
    base = base_url.rstrip("/")
    return f"{base}{path}" if path.startswith("/") else f"{base}/{path}"


def coerce_max_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise NavaiInvalidRequestError(f"max_retries must be a non-negative integer; got {max_retries!r}.")
    return max_retries


def coerce_timeout(timeout: TimeoutTypes) -> httpx2.Timeout:
    if isinstance(timeout, httpx2.Timeout):
        return timeout
    if timeout is None or (
        isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0
    ):
        return httpx2.Timeout(timeout)
    raise NavaiInvalidRequestError(
        f"timeout must be a positive number of seconds, an httpx2.Timeout or None; got {timeout!r}."
    )


@attrs.frozen
class Endpoints:
    """The resolved URLs of one client."""

    api_base_url: str
    client_secret_url: str
    functions_list_url: str
    functions_execute_url: str
    speech_synthesize_url: str

    @classmethod
    def resolve(
        cls,
        api_base_url: str | None,
        env: Mapping[str, str] | None,
        client_secret_path: str,
        functions_list_path: str,
        functions_execute_path: str,
        speech_synthesize_path: str = DEFAULT_SPEECH_SYNTHESIZE_PATH,
    ) -> Endpoints:
        base = resolve_api_base_url(api_base_url, env)
        return cls(
            api_base_url=base,
            client_secret_url=join_url(base, client_secret_path),
            functions_list_url=join_url(base, functions_list_path),
            functions_execute_url=join_url(base, functions_execute_path),
            speech_synthesize_url=join_url(base, speech_synthesize_path),
        )
