"""navai: the Python client for NAVAI voice-navigation backends.

A NAVAI backend mints ephemeral OpenAI Realtime client secrets, lists the app
functions it exposes, and executes one by name. `NavaiBackendClient` and
`AsyncNavaiBackendClient` talk to it with the behaviour of the TypeScript
reference client (`createNavaiMobileBackendClient`).

``import navai`` is cheap: each public name loads its module on first use, so a
script that only catches ``navai.NavaiError`` never imports httpx2 (httpx2 itself
brings asyncio, so a client of either kind does).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._exceptions import (
    NavaiConnectionError,
    NavaiError,
    NavaiFunctionError,
    NavaiHTTPError,
    NavaiInsecureTransportWarning,
    NavaiInvalidRequestError,
    NavaiInvalidResponseError,
    NavaiMissingExtraError,
    NavaiTimeoutError,
)
from ._lazy import lazy_attributes as _lazy_attributes
from ._version import __version__

if _TYPE_CHECKING:
    from ._aiohttp import DefaultAioHttpClient
    from ._async_client import AsyncNavaiBackendClient
    from ._client import NavaiBackendClient
    from ._config import (
        DEFAULT_API_BASE_URL,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_RESPONSE_BYTES,
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        NOT_GIVEN,
        NotGiven,
    )
    from ._factory import create_navai_backend_client, create_navai_mobile_backend_client
    from ._lifecycle import AsyncFunctionCatalog, AsyncSecretProvider, FunctionCatalog, SecretProvider
    from ._models import (
        BackendFunction,
        BackendFunctionsResult,
        ClientSecret,
        ClientSecretFields,
        CreateRealtimeClientSecretInput,
        FunctionResult,
        SynthesizedSpeech,
        VoiceSettings,
    )
    from ._transport import AsyncLimitedTransport, LimitedTransport
    from .agent._errors import NavaiRealtimeError
    from .server._errors import NavaiConfigurationError

_LAZY = {
    # The errors of the other layers, re-exported here (where they have always been caught):
    # importing them loads navai.server or navai.agent's package, not Starlette or websockets.
    "NavaiConfigurationError": ".server._errors",
    "NavaiRealtimeError": ".agent._errors",
    "DefaultAioHttpClient": "._aiohttp",
    "AsyncLimitedTransport": "._transport",
    "LimitedTransport": "._transport",
    "DEFAULT_MAX_CONNECTIONS": "._config",
    "DEFAULT_MAX_RESPONSE_BYTES": "._config",
    "AsyncNavaiBackendClient": "._async_client",
    "NavaiBackendClient": "._client",
    "create_navai_backend_client": "._factory",
    "create_navai_mobile_backend_client": "._factory",
    "DEFAULT_API_BASE_URL": "._config",
    "DEFAULT_MAX_RETRIES": "._config",
    "DEFAULT_TIMEOUT": "._config",
    "NOT_GIVEN": "._config",
    "NotGiven": "._config",
    "AsyncFunctionCatalog": "._lifecycle",
    "AsyncSecretProvider": "._lifecycle",
    "FunctionCatalog": "._lifecycle",
    "SecretProvider": "._lifecycle",
    "BackendFunction": "._models",
    "BackendFunctionsResult": "._models",
    "ClientSecret": "._models",
    "ClientSecretFields": "._models",
    "CreateRealtimeClientSecretInput": "._models",
    "FunctionResult": "._models",
    "SynthesizedSpeech": "._models",
    "VoiceSettings": "._models",
}


__getattr__, __dir__ = _lazy_attributes(__name__, globals(), _LAZY)

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncFunctionCatalog",
    "AsyncLimitedTransport",
    "AsyncNavaiBackendClient",
    "AsyncSecretProvider",
    "BackendFunction",
    "BackendFunctionsResult",
    "ClientSecret",
    "ClientSecretFields",
    "CreateRealtimeClientSecretInput",
    "DefaultAioHttpClient",
    "FunctionCatalog",
    "FunctionResult",
    "LimitedTransport",
    "NavaiBackendClient",
    "NavaiConfigurationError",
    "NavaiConnectionError",
    "NavaiError",
    "NavaiFunctionError",
    "NavaiHTTPError",
    "NavaiInsecureTransportWarning",
    "NavaiInvalidRequestError",
    "NavaiInvalidResponseError",
    "NavaiMissingExtraError",
    "NavaiRealtimeError",
    "NavaiTimeoutError",
    "NotGiven",
    "SecretProvider",
    "SynthesizedSpeech",
    "VoiceSettings",
    "__version__",
    "create_navai_backend_client",
    "create_navai_mobile_backend_client",
]
