"""A NAVAI voice backend in Python: the twin of ``@navai/voice-backend`` 0.1.3 on Starlette.

``create_navai_app()`` builds the ASGI app (client secrets, speech, function list and
execute, ``/health``); mount it into any Starlette or FastAPI app, or run
``navai serve``. The function model (:class:`FunctionRegistry`, discovery) does not
depend on Starlette: it lives in `navai.functions`, and is re-exported here. Install with
``pip install 'navai[server]'``; without it, ``create_navai_app`` and the other names that
need Starlette raise `navai.NavaiMissingExtraError`.

The backend's own errors are `NavaiServerError`s (so `navai.NavaiError`s): a NAVAI
function raises :class:`NavaiStatusError` to answer with a status of its choice, and bad options
raise :class:`NavaiConfigurationError` when the app is built.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from .._lazy import lazy_attributes as _lazy_attributes

if _TYPE_CHECKING:
    from ..functions._discovery import (
        discover_functions,
        functions_from_path,
        load_navai_functions,
        resolve_runtime_config,
    )
    from ..functions._errors import NavaiDiscoveryError
    from ..functions._model import FunctionRegistry, NavaiFunction
    from ..functions._naming import normalize_name
    from ._app import (
        DEFAULT_CLIENT_SECRET_PATH,
        DEFAULT_FUNCTIONS_EXECUTE_PATH,
        DEFAULT_FUNCTIONS_LIST_PATH,
        DEFAULT_SPEECH_SYNTHESIZE_PATH,
        create_navai_app,
    )
    from ._cors import NavaiCORSMiddleware
    from ._errors import NavaiConfigurationError, NavaiServerError, NavaiStatusError
    from ._options import (
        ElevenLabsVoiceSettings,
        NavaiVoiceBackendOptions,
        backend_options_from_env,
        validate_options,
    )
    from ._serve import app_from_environment

_LAZY = {
    "DEFAULT_CLIENT_SECRET_PATH": "._app",
    "DEFAULT_FUNCTIONS_EXECUTE_PATH": "._app",
    "DEFAULT_FUNCTIONS_LIST_PATH": "._app",
    "DEFAULT_SPEECH_SYNTHESIZE_PATH": "._app",
    "create_navai_app": "._app",
    "app_from_environment": "._serve",
    "NavaiCORSMiddleware": "._cors",
    "discover_functions": "..functions._discovery",
    "functions_from_path": "..functions._discovery",
    "load_navai_functions": "..functions._discovery",
    "resolve_runtime_config": "..functions._discovery",
    "NavaiDiscoveryError": "..functions._errors",
    "NavaiConfigurationError": "._errors",
    "NavaiServerError": "._errors",
    "NavaiStatusError": "._errors",
    "FunctionRegistry": "..functions._model",
    "NavaiFunction": "..functions._model",
    "normalize_name": "..functions._naming",
    "ElevenLabsVoiceSettings": "._options",
    "NavaiVoiceBackendOptions": "._options",
    "backend_options_from_env": "._options",
    "validate_options": "._options",
}

# Names of 0.1.0 that are gone from __all__: still importable, with a DeprecationWarning.
_DEPRECATED = {
    "HTTPError": (
        "._errors",
        "NavaiStatusError",
        "use navai.server.NavaiStatusError (HTTPError clashed with httpx2.HTTPError)",
    ),
    "build_invocation_args": ("..functions._model", "build_invocation_args", "it is an internal helper"),
    "positional_arity": ("..functions._model", "positional_arity", "it is an internal helper"),
    "module_exports": ("..functions._discovery", "module_exports", "it is an internal helper"),
}

__getattr__, __dir__ = _lazy_attributes(__name__, globals(), _LAZY, _DEPRECATED)

__all__ = [
    "DEFAULT_CLIENT_SECRET_PATH",
    "DEFAULT_FUNCTIONS_EXECUTE_PATH",
    "DEFAULT_FUNCTIONS_LIST_PATH",
    "DEFAULT_SPEECH_SYNTHESIZE_PATH",
    "ElevenLabsVoiceSettings",
    "FunctionRegistry",
    "NavaiCORSMiddleware",
    "NavaiConfigurationError",
    "NavaiDiscoveryError",
    "NavaiFunction",
    "NavaiServerError",
    "NavaiStatusError",
    "NavaiVoiceBackendOptions",
    "app_from_environment",
    "backend_options_from_env",
    "create_navai_app",
    "discover_functions",
    "functions_from_path",
    "load_navai_functions",
    "normalize_name",
    "resolve_runtime_config",
    "validate_options",
]
