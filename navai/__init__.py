"""navai: the Python client for NAVAI voice-navigation backends.

A NAVAI backend mints ephemeral OpenAI Realtime client secrets, lists the app
functions it exposes, and executes one by name. `NavaiBackendClient` and
`AsyncNavaiBackendClient` talk to it with the behaviour of the TypeScript
reference client (`createNavaiMobileBackendClient`).
"""

from ._async_client import AsyncNavaiBackendClient
from ._client import NavaiBackendClient, create_navai_backend_client, create_navai_mobile_backend_client
from ._config import DEFAULT_API_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven
from ._exceptions import (
    NavaiConnectionError,
    NavaiError,
    NavaiFunctionError,
    NavaiHTTPError,
    NavaiInsecureTransportWarning,
    NavaiInvalidRequestError,
    NavaiInvalidResponseError,
    NavaiTimeoutError,
)
from ._lifecycle import AsyncFunctionCatalog, AsyncSecretProvider, FunctionCatalog, SecretProvider
from ._models import (
    BackendFunction,
    BackendFunctionsResult,
    ClientSecret,
    ClientSecretFields,
    CreateRealtimeClientSecretInput,
    FunctionResult,
)
from ._version import __version__

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncFunctionCatalog",
    "AsyncNavaiBackendClient",
    "AsyncSecretProvider",
    "BackendFunction",
    "BackendFunctionsResult",
    "ClientSecret",
    "ClientSecretFields",
    "CreateRealtimeClientSecretInput",
    "FunctionCatalog",
    "FunctionResult",
    "NavaiBackendClient",
    "NavaiConnectionError",
    "NavaiError",
    "NavaiFunctionError",
    "NavaiHTTPError",
    "NavaiInsecureTransportWarning",
    "NavaiInvalidRequestError",
    "NavaiInvalidResponseError",
    "NavaiTimeoutError",
    "NotGiven",
    "SecretProvider",
    "__version__",
    "create_navai_backend_client",
    "create_navai_mobile_backend_client",
]
