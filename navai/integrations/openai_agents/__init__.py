"""NAVAI functions in the OpenAI Agents SDK (``pip install 'navai[openai-agents]'``).

The tools are the NAVAI agent runtime's (``navigate_to``, ``execute_app_function``, and
with ``direct_alias_tools`` one per function), with its schemas and its answers, so an
``Agent`` or a ``RealtimeAgent`` calls a NAVAI backend exactly as NAVAI's voice agent does::

    agent = create_realtime_agent(backend, routes=ROUTES, navigate=app.go_to)
    runner = RealtimeRunner(agent)
    async with await runner.run(model_config=realtime_model_config(backend)) as session:
        ...  # the API key of every connection is a client secret minted by the backend

``import navai.integrations.openai_agents`` is cheap; the SDK loads on first use of a
name, and `navai.NavaiMissingExtraError` naming the extra is raised when it is not installed.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from ..._lazy import lazy_attributes as _lazy_attributes

if _TYPE_CHECKING:
    from ._agents import (
        NavaiTools,
        create_agent,
        create_realtime_agent,
        function_tools,
        realtime_model_config,
    )

_LAZY = {
    "NavaiTools": "._agents",
    "create_agent": "._agents",
    "create_realtime_agent": "._agents",
    "function_tools": "._agents",
    "realtime_model_config": "._agents",
}

__getattr__, __dir__ = _lazy_attributes(__name__, globals(), _LAZY)

__all__ = [
    "NavaiTools",
    "create_agent",
    "create_realtime_agent",
    "function_tools",
    "realtime_model_config",
]
