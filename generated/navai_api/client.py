"""The handle the endpoint functions send through: an httpx2 client, sync or async."""

from typing import Any

import httpx2
from attrs import define, field


@define
class Client:
    """Wraps the httpx2 client(s) that the endpoint functions send through.

    The httpx2 client is configured and closed by whoever made it: base URL, headers, auth,
    timeouts and transport are its business. An endpoint's ``path`` may be relative to the
    httpx2 client's ``base_url`` or an absolute URL.
    """

    httpx_client: httpx2.Client | None = field(default=None, kw_only=True)
    async_httpx_client: httpx2.AsyncClient | None = field(default=None, kw_only=True)
    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    """Raise `errors.UnexpectedStatus` on a status the contract does not document (else ``parsed`` is None)."""

    def get_httpx_client(self) -> httpx2.Client:
        if self.httpx_client is None:
            raise RuntimeError(
                "This Client has no httpx2.Client: pass httpx_client= to call the sync functions."
            )
        return self.httpx_client

    def get_async_httpx_client(self) -> httpx2.AsyncClient:
        if self.async_httpx_client is None:
            raise RuntimeError(
                "This Client has no httpx2.AsyncClient: pass async_httpx_client= to call the asyncio functions."
            )
        return self.async_httpx_client


def request_kwargs(
    kwargs: dict[str, Any], headers: Any, timeout: Any, auth: Any, extensions: Any
) -> dict[str, Any]:
    """An endpoint's request arguments with the call's own options applied (its headers win)."""
    if headers:
        merged = httpx2.Headers(kwargs.get("headers"))
        merged.update(headers)
        kwargs["headers"] = merged
    kwargs["timeout"] = timeout
    kwargs["auth"] = auth
    if extensions is not None:
        kwargs["extensions"] = extensions
    return kwargs
