"""The asynchronous client: the same API as `NavaiBackendClient`, awaitable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx

from ._base import BaseClient
from ._config import NOT_GIVEN, NotGiven, TimeoutTypes
from ._core import (
    BodyReader,
    Call,
    Listing,
    Options,
    Outcome,
    client_secret_call,
    execute_call,
    failed_functions,
    follow_redirect,
    list_call,
    log_outcome,
    log_retry,
    parse_client_secret,
    parse_execution,
    parse_functions,
    retry_delay,
    transport_error,
)
from ._exceptions import NavaiError
from ._fast import httpx_is_patched
from ._fast_async import AsyncFastSender
from ._lifecycle import AsyncFunctionCatalog, AsyncSecretProvider
from ._models import (
    BackendFunctionsResult,
    ClientSecret,
    ClientSecretFields,
    CreateRealtimeClientSecretInput,
    FunctionResult,
)


class AsyncNavaiBackendClient(BaseClient[httpx.AsyncClient, AsyncFastSender]):
    """The asyncio twin of `NavaiBackendClient`: same arguments, same behaviour, awaitable calls.

    The base URL is ``api_base_url`` if not blank, else ``NAVAI_API_URL`` from ``env``
    (default ``os.environ``), else ``http://localhost:3000``. Pass ``http_client`` to
    bring your own `httpx.AsyncClient` (transport, proxies); the client only closes HTTP
    clients it created. ``headers`` and ``auth`` (any `httpx.Auth`) go with every call.
    ``timeout`` (default 5 s connect, 30 s otherwise) and ``max_retries`` (automatic
    retries of ``list_functions`` only) can be overridden per call. Without an
    ``http_client`` or ``auth``, requests take the fast path (a keep-alive pool of asyncio connections, at
    most ``max_connections`` in use at once); bodies over ``max_response_bytes`` are refused.
    Every error it raises is a `NavaiError`.
    """

    def _default_http_client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=self._max_connections)
        return httpx.AsyncClient(timeout=self._timeout, follow_redirects=True, limits=limits)

    def _fast_sender(self, max_connections: int) -> AsyncFastSender:
        return AsyncFastSender(max_connections)

    async def _send(self, call: Call, options: Options) -> Outcome:
        attempt = 0
        while True:
            outcome: Outcome | None = None
            error: NavaiError | None = None
            try:
                outcome = await self._attempt(call, options)
            except NavaiError as exc:
                error = exc
            delay = retry_delay(attempt, options, outcome, error)
            if delay is None:
                if error is not None:
                    raise error
                assert outcome is not None
                return outcome
            log_retry(call, attempt, delay, outcome, error)
            await asyncio.sleep(delay)
            attempt += 1

    async def _attempt(self, call: Call, options: Options) -> Outcome:
        started = time.monotonic()
        if self._fast is not None and not httpx_is_patched(is_async=True):
            outcome = await self._fast.send(call, options)
            hops = 0
            while (redirect := follow_redirect(outcome, options, hops)) is not None:
                call, options = redirect
                outcome = await self._fast.send(call, options)
                hops += 1
            log_outcome(call, outcome, started)
            return outcome
        try:
            response = await self._http.send(self._build_request(call, options), stream=True, auth=self._auth)
        except Exception as exc:
            raise transport_error(exc, call) from exc
        reader = BodyReader(call, options, started)
        try:
            async for chunk in response.aiter_bytes():
                reader.feed(chunk)
        except Exception as exc:
            outcome = Outcome(call, response.status_code, None, transport_error(exc, call))
        else:
            outcome = Outcome(call, response.status_code, reader.body())
        finally:
            await response.aclose()
        log_outcome(call, outcome, started)
        return outcome

    async def create_client_secret(
        self,
        input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
        /,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
        **fields: Unpack[ClientSecretFields],
    ) -> ClientSecret:
        """Mint an ephemeral Realtime client secret.

        ``input`` and ``fields`` (``model``, ``voice``, ``instructions``, ``language``,
        ``voice_accent``, ``voice_tone``, ``api_key``) are merged, fields winning; only
        the fields that are set are sent. Raises `NavaiHTTPError` with the backend's
        text on a non-2xx answer, `NavaiInvalidResponseError` when there is no string
        ``value``. Not retried unless ``max_retries`` is given.
        """
        call = client_secret_call(self.client_secret_url, input, fields)
        return parse_client_secret(await self._send(call, self._options(call, timeout, headers, max_retries)))

    async def list_functions(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> BackendFunctionsResult:
        """The backend's function catalog. Never raises: failures become ``warnings``.

        Connection failures and 502/503/504 are retried (``max_retries``, default 2) with
        exponential backoff and jitter.
        """
        return (await self._load_functions(timeout, headers, max_retries)).result

    async def _load_functions(
        self,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Listing:
        call = list_call(self.functions_list_url)
        try:
            return parse_functions(await self._send(call, self._options(call, timeout, headers, max_retries)))
        except NavaiError as exc:
            return failed_functions(exc)

    async def execute_function(
        self,
        function_name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Any:
        """Run a backend function and return its ``result``.

        Raises `NavaiHTTPError` on a non-2xx answer (404 for an unknown function,
        with ``available_functions``), `NavaiFunctionError` when the backend reports
        ``ok: false``, `NavaiInvalidRequestError` when ``payload`` is not JSON. A function
        may have side effects, so it is retried only when ``max_retries`` is given.
        """
        detailed = await self.execute_function_detailed(
            function_name, payload, timeout=timeout, headers=headers, max_retries=max_retries
        )
        return detailed.result

    async def execute_function_detailed(
        self,
        function_name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> FunctionResult:
        """Like `execute_function`, with the backend's resolved ``function_name`` and ``source``."""
        call = execute_call(self.functions_execute_url, function_name, payload)
        return parse_execution(await self._send(call, self._options(call, timeout, headers, max_retries)))

    def secret_provider(
        self,
        input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
        /,
        *,
        refresh_margin: float = 30.0,
        max_age: float = 60.0,
        **fields: Unpack[ClientSecretFields],
    ) -> AsyncSecretProvider:
        """An `AsyncSecretProvider`: secrets with these fields, minted only when the last one nears expiry."""
        return AsyncSecretProvider(
            self.create_client_secret,
            CreateRealtimeClientSecretInput.build(input, fields),
            refresh_margin=refresh_margin,
            max_age=max_age,
        )

    def function_catalog(self, *, ttl: float = 300.0) -> AsyncFunctionCatalog:
        """An `AsyncFunctionCatalog`: ``list_functions`` cached for ``ttl`` seconds."""
        return AsyncFunctionCatalog(self._load_functions, ttl=ttl)

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it."""
        if self._fast is not None:
            await self._fast.aclose()
        if self._owns_http_client and self._http_client is not None:
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncNavaiBackendClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
