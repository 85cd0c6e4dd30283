"""Configuration shared by the sync and async clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ._config import (
    DEFAULT_CLIENT_SECRET_PATH,
    DEFAULT_FUNCTIONS_EXECUTE_PATH,
    DEFAULT_FUNCTIONS_LIST_PATH,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
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
from ._core import Call, Options
from ._exceptions import NavaiInvalidRequestError
from ._fast import SyncFastSender, fast_path_allowed

if TYPE_CHECKING:
    from ._fast_async import AsyncFastSender

HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)
FastSenderT = TypeVar("FastSenderT", SyncFastSender, "AsyncFastSender")

DEFAULT_MAX_CONNECTIONS = 100


class BaseClient(Generic[HttpClientT, FastSenderT]):
    """Resolves URLs, headers, timeout and retries once, so that each call only builds its request."""

    def __init__(
        self,
        api_base_url: str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        http_client: HttpClientT | None = None,
        client_secret_path: str = DEFAULT_CLIENT_SECRET_PATH,
        functions_list_path: str = DEFAULT_FUNCTIONS_LIST_PATH,
        functions_execute_path: str = DEFAULT_FUNCTIONS_EXECUTE_PATH,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        auth: AuthTypes | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self._endpoints = Endpoints.resolve(
            api_base_url, env, client_secret_path, functions_list_path, functions_execute_path
        )
        self._timeout = coerce_timeout(timeout)
        self._max_retries = coerce_max_retries(max_retries)
        self._max_response_bytes = max_response_bytes
        get_headers = httpx.Headers({"Accept": "application/json", "User-Agent": USER_AGENT})
        get_headers.update(headers or {})  # case-insensitive: a caller's "user-agent" replaces ours
        post_headers = httpx.Headers({"Content-Type": "application/json"})
        post_headers.update(get_headers)
        self._get_options = Options(get_headers, self._timeout, self._max_retries, max_response_bytes)
        self._post_options = Options(post_headers, self._timeout, 0, max_response_bytes)
        self._auth: AuthTypes | httpx._client.UseClientDefault = (
            auth if auth is not None else httpx.USE_CLIENT_DEFAULT
        )
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
            raise NavaiInvalidRequestError(
                f"max_connections must be a positive integer; got {max_connections!r}."
            )
        self._max_connections = max_connections
        self._owns_http_client = http_client is None
        self._http_client: HttpClientT | None = http_client
        self._fast: FastSenderT | None = (
            self._fast_sender(max_connections)
            if http_client is None and auth is None and fast_path_allowed(self._endpoints.api_base_url)
            else None
        )

    def _fast_sender(self, max_connections: int) -> FastSenderT:
        raise NotImplementedError

    def _default_http_client(self) -> HttpClientT:
        raise NotImplementedError

    @property
    def _http(self) -> HttpClientT:
        """The httpx client: the caller's, or one of our own, created on first use."""
        if self._http_client is None:
            self._http_client = self._default_http_client()
        return self._http_client

    def _options(
        self,
        call: Call,
        timeout: TimeoutTypes | NotGiven,
        headers: Mapping[str, str] | None,
        max_retries: int | NotGiven,
    ) -> Options:
        """The client's defaults for this kind of call, with the call's overrides."""
        options = self._get_options if call.content is None else self._post_options
        if timeout is NOT_GIVEN and headers is None and max_retries is NOT_GIVEN:
            return options
        merged = options.headers
        if headers:
            merged = httpx.Headers(merged)
            merged.update(headers)
        return Options(
            merged,
            options.timeout if isinstance(timeout, NotGiven) else coerce_timeout(timeout),
            options.max_retries if isinstance(max_retries, NotGiven) else coerce_max_retries(max_retries),
            options.max_response_bytes,
        )

    def _build_request(self, call: Call, options: Options) -> httpx.Request:
        return self._http.build_request(
            call.method, call.url, content=call.content, headers=options.headers, timeout=options.timeout
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
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        """Automatic retries of ``list_functions``; POST calls retry only when they pass ``max_retries``."""
        return self._max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base_url={self.api_base_url!r})"
