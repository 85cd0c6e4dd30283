"""NAVAI functions as an MCP server: for Claude Desktop, Cursor, the OpenAI Agents SDK,
LiveKit Agents, Pipecat and any other MCP client.

:func:`create_mcp_server` serves a NAVAI backend's functions (and local ones) as MCP
tools, one per function, routed and answered by NAVAI's agent runtime::

    async with AsyncNavaiBackendClient("http://localhost:3000") as backend:
        await create_mcp_server(backend).run_stdio()

``navai mcp`` does that from a shell in front of any NAVAI backend; ``navai serve --mcp``
adds Streamable HTTP at ``/mcp`` to the Python backend. Needs ``pip install 'navai[mcp]'``;
without it, using a name here raises `navai.NavaiMissingExtraError` (``extra`` ``"mcp"``).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from .._lazy import lazy_attributes as _lazy_attributes

if _TYPE_CHECKING:
    from ._server import (
        LOOPBACK_HOSTS,
        LOOPBACK_ORIGINS,
        NavaiMCPServer,
        create_mcp_server,
        transport_security,
    )
    from ._tools import ToolAnswer, ToolSpec

_LAZY = {
    "LOOPBACK_HOSTS": "._server",
    "LOOPBACK_ORIGINS": "._server",
    "NavaiMCPServer": "._server",
    "create_mcp_server": "._server",
    "transport_security": "._server",
    "ToolAnswer": "._tools",
    "ToolSpec": "._tools",
}

__getattr__, __dir__ = _lazy_attributes(__name__, globals(), _LAZY)

__all__ = [
    "LOOPBACK_HOSTS",
    "LOOPBACK_ORIGINS",
    "NavaiMCPServer",
    "ToolAnswer",
    "ToolSpec",
    "create_mcp_server",
    "transport_security",
]
