"""The asynchronous client, and the source of the synchronous one.

``navai/_client.py`` is generated from this file by ``scripts/unasync.py`` (``make
twins``): ``async``/``await`` dropped, the async names replaced by their sync twins. A
test fails when the two differ, so the twins share every signature and docstring.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx2

from navai_api import Client as ApiClient
from navai_api.types import Response as ApiResponse

from ._base import BaseClient
from ._config import NOT_GIVEN, NotGiven, TimeoutTypes
from ._core import (
    Attempts,
    Operation,
    Options,
    client_secret_operation,
    execute_operation,
    failed_functions,
    list_operation,
    parse_client_secret,
    parse_execution,
    parse_functions,
    parse_speech,
    speech_operation,
)
from ._exceptions import NavaiError
from ._http import AsyncLimitedClient
from ._lifecycle import AsyncFunctionCatalog, AsyncSecretProvider
from ._models import (
    BackendFunctionsResult,
    ClientSecret,
    ClientSecretFields,
    CreateRealtimeClientSecretInput,
    FunctionResult,
    SynthesizedSpeech,
    VoiceSettings,
)


class AsyncNavaiBackendClient(BaseClient[httpx2.AsyncClient, httpx2.AsyncBaseTransport]):
    """An asyncio client for a NAVAI backend: secrets, functions, speech.

    The base URL is ``api_base_url`` if not blank, else ``NAVAI_API_URL`` from ``env``
    (default ``os.environ``), else ``http://localhost:3000``. Every call goes through the
    generated endpoint module of its operation, on httpx2: on an `httpx2.AsyncClient` the
    client makes (over ``transport`` when given: a mock or ASGI transport, say), or on the
    caller's ``http_client``, which the client then never closes. ``headers`` and ``auth``
    (any `httpx2.Auth`) go with every call. ``timeout`` (default 5 s connect, 30 s
    otherwise) and ``max_retries`` (automatic retries of ``list_functions`` only) can be
    overridden per call. On the clients navai makes, one attempt never takes longer than
    connect + read timeout in all, and decoded bodies over ``max_response_bytes`` are
    refused. Every error it raises is a `NavaiError`.
    """

    def _api_client(self) -> ApiClient:
        api: ApiClient | None = self._api
        if api is None:
            with _CREATE_LOCK:  # a client shared by threads makes one HTTP client
                api = self._api
                if api is None:
                    if self._http_client is None:
                        self._http_client = AsyncLimitedClient(
                            transport=self._transport,
                            headers=self._navai_headers,
                            timeout=self._timeout,
                            follow_redirects=True,
                            limits=self._limits(),
                        )
                    api = self._api = ApiClient(async_httpx_client=self._http_client)
        return api

    async def _send(self, op: Operation, options: Options) -> ApiResponse[Any]:
        api = self._api_client()
        attempts = Attempts(op, options)
        while True:
            delay: float | None
            try:
                response: ApiResponse[Any] = await op.endpoint.asyncio_detailed(
                    client=api, **attempts.arguments
                )
            except Exception as exc:
                delay = attempts.failed(exc)
            else:
                delay = attempts.answered(response)
                if delay is None:
                    return response
            await asyncio.sleep(delay)

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
        op = client_secret_operation(self.client_secret_url, input, fields)
        return parse_client_secret(op, await self._send(op, self._options(op, timeout, headers, max_retries)))

    async def list_functions(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> BackendFunctionsResult:
        """The backend's function catalog. Never raises: failures become ``warnings`` (and ``failed``).

        Connection failures and 502/503/504 are retried (``max_retries``, default 2) with
        exponential backoff and jitter.
        """
        return await self._load_functions(timeout, headers, max_retries)

    async def _load_functions(
        self,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> BackendFunctionsResult:
        op = list_operation(self.functions_list_url)
        try:
            return parse_functions(await self._send(op, self._options(op, timeout, headers, max_retries)))
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
        op = execute_operation(self.functions_execute_url, function_name, payload)
        return parse_execution(op, await self._send(op, self._options(op, timeout, headers, max_retries)))

    async def synthesize_speech(
        self,
        text: str,
        *,
        voice_id: str | None = None,
        model_id: str | None = None,
        output_format: str | None = None,
        optimize_streaming_latency: float | None = None,
        voice_settings: VoiceSettings | Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> SynthesizedSpeech:
        """Speak ``text`` with the backend's ElevenLabs voice: the audio bytes and their MIME type.

        Fields left out (``voice_id``, ``model_id``, ``output_format`` such as
        ``mp3_44100_128`` or ``pcm_24000``, ``optimize_streaming_latency``,
        ``voice_settings``) come from the backend's configuration; ``voice_settings``
        replaces the configured settings as a whole. Only a backend whose
        ``create_client_secret`` reports ``speech_provider == "elevenlabs"`` serves it.
        Raises `NavaiHTTPError` with the backend's text on a non-2xx answer (500 when
        speech is not configured), `NavaiInvalidResponseError` ("Invalid speech synthesis
        response.") for a body without provider ``elevenlabs``, a string ``mimeType`` and
        base64 ``audioBase64``. Not retried unless ``max_retries`` is given.
        """
        op = speech_operation(
            self.speech_synthesize_url,
            text,
            voice_id=voice_id,
            model_id=model_id,
            output_format=output_format,
            optimize_streaming_latency=optimize_streaming_latency,
            voice_settings=voice_settings,
        )
        return parse_speech(op, await self._send(op, self._options(op, timeout, headers, max_retries)))

    def secret_provider(
        self,
        input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
        /,
        *,
        refresh_margin: float = 30.0,
        max_age: float = 60.0,
        **fields: Unpack[ClientSecretFields],
    ) -> AsyncSecretProvider:
        """Secrets with these fields, minted only when the last one nears expiry: `AsyncSecretProvider`."""
        return AsyncSecretProvider(
            self.create_client_secret,
            CreateRealtimeClientSecretInput.build(input, fields),
            refresh_margin=refresh_margin,
            max_age=max_age,
        )

    def function_catalog(self, *, ttl: float = 300.0) -> AsyncFunctionCatalog:
        """``list_functions`` cached for ``ttl`` seconds (see `AsyncFunctionCatalog`)."""
        return AsyncFunctionCatalog(self._load_functions, ttl=ttl)

    async def aclose(self) -> None:
        """Close the HTTP client, if this client created it."""
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


_CREATE_LOCK = threading.Lock()
