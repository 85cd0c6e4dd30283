from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.execute_function_request import ExecuteFunctionRequest
from ...models.execute_function_response import ExecuteFunctionResponse
from ...models.unknown_function_response import UnknownFunctionResponse
from ...types import Response

METHOD = "post"
"""The HTTP method of this operation."""
PATH = "/navai/functions/execute"
"""The default path of this operation; every function below accepts ``path=`` to call a backend that mounts it elsewhere."""


def _get_kwargs(
    path: str = PATH,
    *,
    body: ExecuteFunctionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": path,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse | None:
    if response.status_code == 200:
        response_200 = ExecuteFunctionResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = UnknownFunctionResponse.from_dict(response.json())

        return response_404

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
) -> Response[ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExecuteFunctionRequest,
    path: str = PATH,
) -> Response[ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse]:
    """Execute one backend function by name.

     The backend trims `function_name` and matches it case-insensitively. A function
    that throws is answered with 500; one that throws an error carrying its own
    4xx/5xx `status` (or `statusCode`) is answered with that status and the same
    `{"error": ...}` body, which this document cannot list in advance.

    Args:
        body (ExecuteFunctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse]
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
    body: ExecuteFunctionRequest,
    path: str = PATH,
) -> ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse | None:
    """Execute one backend function by name.

     The backend trims `function_name` and matches it case-insensitively. A function
    that throws is answered with 500; one that throws an error carrying its own
    4xx/5xx `status` (or `statusCode`) is answered with that status and the same
    `{"error": ...}` body, which this document cannot list in advance.

    Args:
        body (ExecuteFunctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        path=path,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExecuteFunctionRequest,
    path: str = PATH,
) -> Response[ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse]:
    """Execute one backend function by name.

     The backend trims `function_name` and matches it case-insensitively. A function
    that throws is answered with 500; one that throws an error carrying its own
    4xx/5xx `status` (or `statusCode`) is answered with that status and the same
    `{"error": ...}` body, which this document cannot list in advance.

    Args:
        body (ExecuteFunctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse]
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
    body: ExecuteFunctionRequest,
    path: str = PATH,
) -> ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse | None:
    """Execute one backend function by name.

     The backend trims `function_name` and matches it case-insensitively. A function
    that throws is answered with 500; one that throws an error carrying its own
    4xx/5xx `status` (or `statusCode`) is answered with that status and the same
    `{"error": ...}` body, which this document cannot list in advance.

    Args:
        body (ExecuteFunctionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecuteFunctionResponse | UnknownFunctionResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            path=path,
        )
    ).parsed
