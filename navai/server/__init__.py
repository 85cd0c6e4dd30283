"""A NAVAI voice backend in Python: the twin of ``@navai/voice-backend`` 0.1.3 on Starlette.

``create_navai_app()`` builds the ASGI app (client secrets, speech, function list and
execute, ``/health``); mount it into any Starlette or FastAPI app, or run
``navai serve``. The function model (:class:`FunctionRegistry`, discovery) does not
depend on Starlette. Install with ``pip install 'navai[server]'``.
"""

from ._app import (
    DEFAULT_CLIENT_SECRET_PATH,
    DEFAULT_FUNCTIONS_EXECUTE_PATH,
    DEFAULT_FUNCTIONS_LIST_PATH,
    DEFAULT_SPEECH_SYNTHESIZE_PATH,
    create_navai_app,
)
from ._discovery import discover_functions, load_navai_functions, module_exports, resolve_runtime_config
from ._errors import HTTPError
from ._functions import FunctionRegistry, NavaiFunction, build_invocation_args, positional_arity
from ._naming import normalize_name
from ._options import (
    ElevenLabsVoiceSettings,
    NavaiVoiceBackendOptions,
    backend_options_from_env,
    validate_options,
)

__all__ = [
    "DEFAULT_CLIENT_SECRET_PATH",
    "DEFAULT_FUNCTIONS_EXECUTE_PATH",
    "DEFAULT_FUNCTIONS_LIST_PATH",
    "DEFAULT_SPEECH_SYNTHESIZE_PATH",
    "ElevenLabsVoiceSettings",
    "FunctionRegistry",
    "HTTPError",
    "NavaiFunction",
    "NavaiVoiceBackendOptions",
    "backend_options_from_env",
    "build_invocation_args",
    "create_navai_app",
    "discover_functions",
    "load_navai_functions",
    "module_exports",
    "normalize_name",
    "positional_arity",
    "resolve_runtime_config",
    "validate_options",
]
