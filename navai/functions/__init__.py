"""NAVAI functions, framework-free: the model the backend, the agent and the MCP server share.

A NAVAI function is a Python callable (or a class method) an app exposes to a model. This
package holds what decides which callables are functions and how they are called, as
``@navai/voice-backend`` 0.1.3 decides it (spec sections 7-9), with no web framework:

* `FunctionRegistry` and `NavaiFunction`: functions registered in code, their names,
  descriptions and invocation (``args``/``arguments``/``value``/payload, the context);
* `discover_functions`, `load_navai_functions`, `functions_from_path`,
  `resolve_runtime_config`: functions found in ``.py`` files with the Node folder rules;
* `normalize_name`: how an export's name becomes a function name;
* `NavaiDiscoveryError`: a folder discovery walks cannot be read.

`navai.server` (the HTTP backend), `navai.agent` (local functions of a voice agent) and
`navai.mcp` (MCP tools) all import from here. Nothing here imports Starlette.
"""

from ._discovery import (
    discover_functions,
    functions_from_path,
    load_navai_functions,
    resolve_runtime_config,
)
from ._errors import NavaiDiscoveryError
from ._model import FunctionRegistry, NavaiFunction
from ._naming import normalize_name

__all__ = [
    "FunctionRegistry",
    "NavaiDiscoveryError",
    "NavaiFunction",
    "discover_functions",
    "functions_from_path",
    "load_navai_functions",
    "normalize_name",
    "resolve_runtime_config",
]
