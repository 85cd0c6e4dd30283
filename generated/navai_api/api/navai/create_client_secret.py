from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.client_secret_response import ClientSecretResponse
from ...models.create_client_secret_request import CreateClientSecretRequest
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset

METHOD = "post"
"""The HTTP method of this operation."""
PATH = "/navai/realtime/client-secret"
"""The default path of this operation; every function below accepts ``path=`` to call a backend that mounts it elsewhere."""


def _get_kwargs(
    path: str = PATH,
    *,
    body: CreateClientSecretRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": path,
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ClientSecretResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = ClientSecretResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ClientSecretResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateClientSecretRequest | Unset = UNSET,
    path: str = PATH,
) -> Response[ClientSecretResponse | ErrorResponse]:
    """Mint an ephemeral OpenAI Realtime client secret.

     Every field is optional; the backend falls back to its configured
    defaults. `apiKey` is only honoured when the backend allows keys from
    requests.

    Args:
        body (CreateClientSecretRequest | Unset): Options for the Realtime session the secret is
            minted for.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientSecretResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        path,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateClientSecretRequest | Unset = UNSET,
    path: str = PATH,
) -> ClientSecretResponse | ErrorResponse | None:
    """Mint an ephemeral OpenAI Realtime client secret.

     Every field is optional; the backend falls back to its configured
    defaults. `apiKey` is only honoured when the backend allows keys from
    requests.

    Args:
        body (CreateClientSecretRequest | Unset): Options for the Realtime session the secret is
            minted for.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientSecretResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        path=path,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateClientSecretRequest | Unset = UNSET,
    path: str = PATH,
) -> Response[ClientSecretResponse | ErrorResponse]:
    """Mint an ephemeral OpenAI Realtime client secret.

     Every field is optional; the backend falls back to its configured
    defaults. `apiKey` is only honoured when the backend allows keys from
    requests.

    Args:
        body (CreateClientSecretRequest | Unset): Options for the Realtime session the secret is
            minted for.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientSecretResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        path,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateClientSecretRequest | Unset = UNSET,
    path: str = PATH,
) -> ClientSecretResponse | ErrorResponse | None:
    """Mint an ephemeral OpenAI Realtime client secret.

     Every field is optional; the backend falls back to its configured
    defaults. `apiKey` is only honoured when the backend allows keys from
    requests.

    Args:
        body (CreateClientSecretRequest | Unset): Options for the Realtime session the secret is
            minted for.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientSecretResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            path=path,
        )
    ).parsed
