"""The synchronous client."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx

from ._base import BaseClient
from ._core import (
    Call,
    Outcome,
    client_secret_call,
    execute_call,
    failed_functions,
    list_call,
    parse_client_secret,
    parse_execution,
    parse_functions,
    transport_error,
)
from ._exceptions import NavaiError
from ._models import (
    BackendFunctionsResult,
    ClientSecret,
    ClientSecretFields,
    CreateRealtimeClientSecretInput,
    FunctionResult,
)


class NavaiBackendClient(BaseClient[httpx.Client]):
    """A client for a NAVAI backend: mint Realtime client secrets, list and execute app functions.

    The base URL is ``api_base_url`` if not blank, else ``NAVAI_API_URL`` from ``env``
    (default ``os.environ``), else ``http://localhost:3000``. Pass ``http_client`` to
    bring your own `httpx.Client` (transport, proxies, auth); the client only closes
    HTTP clients it created. Every error it raises is a `NavaiError`.
    """

    def _default_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, follow_redirects=True)

    def _send(self, call: Call) -> Outcome:
        try:
            response = self._http.send(self._build_request(call), stream=True)
        except Exception as exc:
            raise transport_error(exc, call) from exc
        try:
            return Outcome(call, response.status_code, response.read())
        except Exception as exc:
            return Outcome(call, response.status_code, None, transport_error(exc, call))
        finally:
            response.close()

    def create_client_secret(
        self,
        input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
        /,
        **fields: Unpack[ClientSecretFields],
    ) -> ClientSecret:
        """Mint an ephemeral Realtime client secret.

        ``input`` and ``fields`` (``model``, ``voice``, ``instructions``, ``language``,
        ``voice_accent``, ``voice_tone``, ``api_key``) are merged, fields winning; only
        the fields that are set are sent. Raises `NavaiHTTPError` with the backend's
        text on a non-2xx answer, `NavaiInvalidResponseError` when there is no string
        ``value``.
        """
        return parse_client_secret(self._send(client_secret_call(self.client_secret_url, input, fields)))

    def list_functions(self) -> BackendFunctionsResult:
        """The backend's function catalog. Never raises: failures become ``warnings``."""
        try:
            outcome = self._send(list_call(self.functions_list_url))
        except NavaiError as exc:
            return failed_functions(exc)
        return parse_functions(outcome)

    def execute_function(self, function_name: str, payload: Mapping[str, Any] | None = None) -> Any:
        """Run a backend function and return its ``result``.

        Raises `NavaiHTTPError` on a non-2xx answer (404 for an unknown function,
        with ``available_functions``), `NavaiFunctionError` when the backend reports
        ``ok: false``, `NavaiInvalidRequestError` when ``payload`` is not JSON.
        """
        return self.execute_function_detailed(function_name, payload).result

    def execute_function_detailed(
        self, function_name: str, payload: Mapping[str, Any] | None = None
    ) -> FunctionResult:
        """Like `execute_function`, with the backend's resolved ``function_name`` and ``source``."""
        return parse_execution(self._send(execute_call(self.functions_execute_url, function_name, payload)))

    def close(self) -> None:
        """Close the HTTP client, if this client created it."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> NavaiBackendClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def create_navai_backend_client(api_base_url: str | None = None, **options: Any) -> NavaiBackendClient:
    """Create a `NavaiBackendClient`; the options are its constructor's."""
    return NavaiBackendClient(api_base_url, **options)


create_navai_mobile_backend_client = create_navai_backend_client
