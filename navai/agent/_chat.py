"""``navai agent``: a terminal chat with a NAVAI voice agent, in text mode.

Each input line is one user message; each assistant text goes to ``out`` as it completes;
tool calls, navigation and warnings go to ``err``. End of input closes the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .._exceptions import NavaiInvalidRequestError
from ._errors import NavaiRealtimeError
from ._js import json_stringify
from ._routes import Route

if TYPE_CHECKING:
    from navai._async_client import AsyncNavaiBackendClient
    from navai.functions._model import FunctionRegistry

    from ._agents import AgentsConfig
    from ._session import NavaiVoiceAgent, ToolCallResult

__all__ = ["chat", "parse_route"]

_REOPENED = frozenset({"session_interrupted", "session_expired"})
"""Codes of an ask() the session ended under, and reopened: the chat goes on."""


def parse_route(text: str) -> Route:
    """``NAME=PATH`` as a route (its name is also its description)."""
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise NavaiInvalidRequestError(f"--route must look like NAME=PATH, got {text!r}")
    return Route(name.strip(), path.strip(), name.strip())


def _compact(value: Any) -> str:
    try:
        return value if isinstance(value, str) else json_stringify(value)
    except (TypeError, ValueError):
        return repr(value)


def _reader(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines of ``stream``, then None, read by a daemon thread: a read that blocks never
    holds up the exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody reads any more
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="navai-agent-stdin", daemon=True).start()
    return queue


async def _messages(stream: TextIO, agent: NavaiVoiceAgent) -> AsyncIterator[str]:
    """The non-blank input lines, stripped; ends at end of input. Raises the session's
    error when it drops while waiting for input."""
    queue = _reader(stream)
    ended = asyncio.create_task(agent.wait_closed())
    try:
        while True:
            line = asyncio.create_task(queue.get())
            await asyncio.wait({line, ended}, return_when=asyncio.FIRST_COMPLETED)
            if not line.done():
                line.cancel()
                ended.result()
                raise NavaiRealtimeError("The session ended.", url=agent.realtime_url)
            text = line.result()
            if text is None:
                return
            if text.strip():
                yield text.strip()
    finally:
        ended.cancel()


async def chat(
    client: AsyncNavaiBackendClient,
    *,
    lines: TextIO,
    out: TextIO,
    err: TextIO,
    functions: FunctionRegistry | None = None,
    routes: Sequence[Route] = (),
    model: str | None = None,
    realtime_url: str | None = None,
    base_instructions: str | None = None,
    agents: AgentsConfig | None = None,
) -> None:
    """Run one text-mode session over ``lines`` until end of input (with ``agents``, the
    primary agent and its specialists; a transfer is a tool call like any other).

    Raises `NavaiError` when the session cannot start, the server reports an error for a
    message, or the connection drops for good. A message the session ended under (it is
    reopened: expired or dropped) is reported on ``err``, and the chat goes on.
    """
    from ._session import NavaiVoiceAgent

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    def note(text: str) -> None:
        print(text, file=err, flush=True)

    def navigate(path: str) -> None:
        note(f"navigate: {path}")

    def tool_call(result: ToolCallResult) -> None:
        note(f"tool: {result.name} {_compact(result.payload)} -> {_compact(result.output)}")

    agent = NavaiVoiceAgent(
        client,
        functions=() if functions is None else functions,
        routes=routes,
        navigate=navigate,
        base_instructions=base_instructions,
        agents=agents,
        mode="text",
        model=model,
        realtime_url=realtime_url,
        on_text=say,
        on_tool_call=tool_call,
        on_warning=lambda warning: note(f"warning: {warning}"),
    )
    async with agent:
        async for message in _messages(lines, agent):
            try:
                await agent.ask(message)
            except NavaiRealtimeError as exc:
                if exc.code not in _REOPENED:
                    raise
                note(f"warning: {exc}")
