"""Configuration shared by the sync and async clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

import httpx

from ._config import (
    DEFAULT_CLIENT_SECRET_PATH,
    DEFAULT_FUNCTIONS_EXECUTE_PATH,
    DEFAULT_FUNCTIONS_LIST_PATH,
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Endpoints,
    TimeoutTypes,
    coerce_timeout,
)
from ._core import Call

HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)


class BaseClient(Generic[HttpClientT]):
    """Resolves URLs, headers and timeout once, so that each call only builds its request."""

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
    ) -> None:
        self._endpoints = Endpoints.resolve(
            api_base_url, env, client_secret_path, functions_list_path, functions_execute_path
        )
        self._timeout = coerce_timeout(timeout)
        base = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        self._get_headers = httpx.Headers(base)
        self._post_headers = httpx.Headers({"Content-Type": "application/json", **base})
        self._owns_http_client = http_client is None
        self._http: HttpClientT = http_client if http_client is not None else self._default_http_client()

    def _default_http_client(self) -> HttpClientT:
        raise NotImplementedError

    def _build_request(self, call: Call) -> httpx.Request:
        return self._http.build_request(
            call.method,
            call.url,
            content=call.content,
            headers=self._get_headers if call.content is None else self._post_headers,
            timeout=self._timeout,
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_base_url={self.api_base_url!r})"
