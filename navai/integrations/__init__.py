"""NAVAI functions in other agent frameworks.

* :mod:`navai.integrations.openai_agents`: function tools, a ``RealtimeAgent`` and a
  Realtime model configuration for the OpenAI Agents SDK (``pip install 'navai[openai-agents]'``).

For MCP clients (Claude Desktop, LiveKit Agents, Pipecat, ...) see :mod:`navai.mcp`.
"""

__all__: list[str] = []
