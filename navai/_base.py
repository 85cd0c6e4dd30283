"""Configuration shared by the sync and async clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import httpx2

from ._config import (
    DEFAULT_CLIENT_SECRET_PATH,
    DEFAULT_FUNCTIONS_EXECUTE_PATH,
    DEFAULT_FUNCTIONS_LIST_PATH,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_SPEECH_SYNTHESIZE_PATH,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    USER_AGENT,
    AuthTypes,
    Endpoints,
    NotGiven,
    TimeoutTypes,
    coerce_max_retries,
    coerce_timeout,
)
from ._core import (
    Operation,
    Options,
    headers_of,
    max_response_bytes_extension,
    shown_url,
    url_credentials,
)
from ._exceptions import NavaiInvalidRequestError

HttpClientT = TypeVar("HttpClientT", httpx2.Client, httpx2.AsyncClient)
TransportT = TypeVar("TransportT", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


class BaseClient(Generic[HttpClientT, TransportT]):
    """Resolves URLs, headers, timeout and retries once, so that each call only builds its request."""

    def __init__(
        self,
        api_base_url: str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        http_client: HttpClientT | None = None,
        transport: TransportT | None = None,
        client_secret_path: str = DEFAULT_CLIENT_SECRET_PATH,
        functions_list_path: str = DEFAULT_FUNCTIONS_LIST_PATH,
        functions_execute_path: str = DEFAULT_FUNCTIONS_EXECUTE_PATH,
        speech_synthesize_path: str = DEFAULT_SPEECH_SYNTHESIZE_PATH,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        auth: AuthTypes | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if http_client is not None and transport is not None:
            raise NavaiInvalidRequestError(
                "Pass either http_client or transport: a transport goes into the httpx2 client navai makes."
            )
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
            raise NavaiInvalidRequestError(
                f"max_connections must be a positive integer; got {max_connections!r}."
            )
        if max_response_bytes is not None and (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 0
        ):
            raise NavaiInvalidRequestError(
                f"max_response_bytes must be a non-negative integer or None; got {max_response_bytes!r}."
            )
        self._endpoints = Endpoints.resolve(
            api_base_url,
            env,
            client_secret_path,
            functions_list_path,
            functions_execute_path,
            speech_synthesize_path,
        )
        self._timeout = coerce_timeout(timeout)
        self._max_retries = coerce_max_retries(max_retries)
        navai_headers = headers_of({"Accept": "application/json", "User-Agent": USER_AGENT}, "headers")
        navai_headers.update(headers_of(headers, "headers"))  # case-insensitive: a caller's "user-agent" wins
        self._owns_http_client = http_client is None
        self._http_client: HttpClientT | None = http_client
        self._transport: TransportT | None = transport
        self._max_connections = max_connections
        self._navai_headers = navai_headers
        # A client navai makes carries navai's headers itself; through a caller's, each request does.
        self._base_headers = None if http_client is None else navai_headers
        if auth is None:
            auth = url_credentials(self._endpoints.api_base_url)
        self._auth: Any = auth if auth is not None else httpx2.USE_CLIENT_DEFAULT
        extensions = max_response_bytes_extension(max_response_bytes)
        self._get_options = Options(
            self._base_headers, self._timeout, self._max_retries, extensions, self._auth
        )
        self._post_options = Options(self._base_headers, self._timeout, 0, extensions, self._auth)
        self._api: Any = None

    def _limits(self) -> httpx2.Limits:
        return httpx2.Limits(
            max_connections=self._max_connections, max_keepalive_connections=self._max_connections
        )

    def _options(
        self,
        op: Operation,
        timeout: TimeoutTypes | NotGiven,
        headers: Mapping[str, str] | None,
        max_retries: int | NotGiven,
    ) -> Options:
        """The client's defaults for this call, with the call's overrides.

        Only GETs (``list_functions``) retry by default: a POST may have side effects.
        """
        options = self._get_options if op.method == "GET" else self._post_options
        if timeout is NOT_GIVEN and not headers and max_retries is NOT_GIVEN:
            return options
        merged = options.headers
        if headers:
            merged = httpx2.Headers(merged)
            merged.update(headers_of(headers, "headers"))
        return Options(
            merged,
            options.timeout if isinstance(timeout, NotGiven) else coerce_timeout(timeout),
            options.max_retries if isinstance(max_retries, NotGiven) else coerce_max_retries(max_retries),
            options.extensions,
            options.auth,
        )

    @property
    def api_base_url(self) -> str:
        """The resolved base URL (trimmed; from the argument, ``NAVAI_API_URL``, or the default)."""
        return self._endpoints.api_base_url

    @property
    def client_secret_url(self) -> str:
        return self._endpoints.client_secret_url

    @property
    def functions_list_url(self) -> str:
        return self._endpoints.functions_list_url

    @property
    def functions_execute_url(self) -> str:
        return self._endpoints.functions_execute_url

    @property
    def speech_synthesize_url(self) -> str:
        return self._endpoints.speech_synthesize_url

    @property
    def timeout(self) -> httpx2.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        """Automatic retries of ``list_functions``; POST calls retry only when they pass ``max_retries``."""
        return self._max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base_url={shown_url(self.api_base_url)!r})"
