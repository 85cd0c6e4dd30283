from collections.abc import Mapping
from typing import Any

import httpx2

from ... import errors
from ...client import Client, request_kwargs
from ...models.error_response import ErrorResponse
from ...models.speech_synthesis_response import SpeechSynthesisResponse
from ...models.synthesize_speech_request import SynthesizeSpeechRequest
from ...types import Response, parse_json

METHOD = "POST"
"""The HTTP method of this operation."""
PATH = "/navai/speech/synthesize"
"""The default path of this operation (relative to the httpx2 client's base URL, or any absolute URL)."""


def _get_kwargs(
    path: str = PATH,
    *,
    body: SynthesizeSpeechRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": METHOD,
        "url": path,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: Client, response: httpx2.Response
) -> ErrorResponse | SpeechSynthesisResponse | None:
    if response.status_code == 200:
        try:
            response_200 = SpeechSynthesisResponse.from_dict(
                parse_json(response.content)
            )

            return response_200

        except (KeyError, TypeError, ValueError, RecursionError):
            return None
    if response.status_code == 400:
        try:
            response_400 = ErrorResponse.from_dict(parse_json(response.content))

            return response_400

        except (KeyError, TypeError, ValueError, RecursionError):
            return None
    if response.status_code == 413:
        try:
            response_413 = ErrorResponse.from_dict(parse_json(response.content))

            return response_413

        except (KeyError, TypeError, ValueError, RecursionError):
            return None
    if response.status_code == 415:
        try:
            response_415 = ErrorResponse.from_dict(parse_json(response.content))

            return response_415

        except (KeyError, TypeError, ValueError, RecursionError):
            return None
    if response.status_code == 500:
        try:
            response_500 = ErrorResponse.from_dict(parse_json(response.content))

            return response_500

        except (KeyError, TypeError, ValueError, RecursionError):
            return None
    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    return None


def _build_response(
    *, client: Client, response: httpx2.Response
) -> Response[ErrorResponse | SpeechSynthesisResponse]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: Client,
    body: SynthesizeSpeechRequest,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
    timeout: Any = httpx2.USE_CLIENT_DEFAULT,
    auth: Any = httpx2.USE_CLIENT_DEFAULT,
    extensions: dict[str, Any] | None = None,
) -> Response[ErrorResponse | SpeechSynthesisResponse]:
    """Synthesize speech with the backend's ElevenLabs configuration.

    Sends through ``client.get_httpx_client()``. ``headers`` are added to this request's (and win);
    ``timeout``, ``auth`` and ``extensions`` are httpx2's per-request options.

    Raises:
        errors.UnexpectedStatus: an undocumented status, when ``client.raise_on_unexpected_status``.
        httpx2.HTTPError: the request failed (connection, timeout, protocol).
    """
    kwargs = request_kwargs(
        _get_kwargs(
            path,
            body=body,
        ),
        headers,
        timeout,
        auth,
        extensions,
    )
    response = client.get_httpx_client().request(**kwargs)
    return _build_response(client=client, response=response)


def sync(
    *,
    client: Client,
    body: SynthesizeSpeechRequest,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
    timeout: Any = httpx2.USE_CLIENT_DEFAULT,
    auth: Any = httpx2.USE_CLIENT_DEFAULT,
    extensions: dict[str, Any] | None = None,
) -> ErrorResponse | SpeechSynthesisResponse | None:
    """Synthesize speech with the backend's ElevenLabs configuration. Returns only ``parsed``."""
    return sync_detailed(
        client=client,
        body=body,
        path=path,
        headers=headers,
        timeout=timeout,
        auth=auth,
        extensions=extensions,
    ).parsed


async def asyncio_detailed(
    *,
    client: Client,
    body: SynthesizeSpeechRequest,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
    timeout: Any = httpx2.USE_CLIENT_DEFAULT,
    auth: Any = httpx2.USE_CLIENT_DEFAULT,
    extensions: dict[str, Any] | None = None,
) -> Response[ErrorResponse | SpeechSynthesisResponse]:
    """Synthesize speech with the backend's ElevenLabs configuration.

    The asyncio twin of `sync_detailed`; sends through ``client.get_async_httpx_client()``.
    """
    kwargs = request_kwargs(
        _get_kwargs(
            path,
            body=body,
        ),
        headers,
        timeout,
        auth,
        extensions,
    )
    response = await client.get_async_httpx_client().request(**kwargs)
    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: Client,
    body: SynthesizeSpeechRequest,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
    timeout: Any = httpx2.USE_CLIENT_DEFAULT,
    auth: Any = httpx2.USE_CLIENT_DEFAULT,
    extensions: dict[str, Any] | None = None,
) -> ErrorResponse | SpeechSynthesisResponse | None:
    """Synthesize speech with the backend's ElevenLabs configuration. Returns only ``parsed``."""
    return (
        await asyncio_detailed(
            client=client,
            body=body,
            path=path,
            headers=headers,
            timeout=timeout,
            auth=auth,
            extensions=extensions,
        )
    ).parsed
