"""`NavaiVoiceAgent`: one OpenAI Realtime session driven by the agent runtime (spec sections 6-8).

The session mints a client secret from a NAVAI backend while it lists the backend's
functions, connects with the ``openai`` SDK's Realtime WebSocket client using the secret
as the key, configures the session with the runtime's instructions and tools, and runs
every tool call the model makes. Needs ``pip install 'navai[agent]'``.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs

from .._exceptions import NavaiError, NavaiInvalidRequestError, NavaiRealtimeError
from .._models import CreateRealtimeClientSecretInput
from ._events import (
    Payload,
    ToolCall,
    extract_tool_calls,
    function_call_names,
    tool_result_events,
    voice_state,
)
from ._multi import MultiAgentRuntime, Transfer, create_multi_agent_runtime
from ._routes import Route
from ._runtime import AgentRuntime, Navigate, create_agent_runtime, error_message

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

    from navai._async_client import AsyncNavaiBackendClient
    from navai.server._functions import FunctionRegistry

    from ._agents import AgentConfig, AgentsConfig

__all__ = [
    "DEFAULT_REALTIME_MODEL",
    "DEFAULT_REALTIME_URL",
    "AgentMode",
    "AgentStatus",
    "NavaiVoiceAgent",
    "ToolCallResult",
    "VoiceState",
]

logger = logging.getLogger("navai.agent")

DEFAULT_REALTIME_MODEL: Final = "gpt-realtime"
"""The model when neither the ``model`` argument nor ``NAVAI_REALTIME_MODEL`` names one."""
DEFAULT_REALTIME_URL: Final = "wss://api.openai.com/v1"
"""The Realtime WebSocket base URL when neither ``realtime_url`` nor ``NAVAI_REALTIME_URL`` is set."""

AgentMode = Literal["text", "audio"]
AgentStatus = Literal["idle", "connecting", "connected", "closed"]
VoiceState = Literal["idle", "speaking"]
Callback = Callable[[Any], Any]

_PCM16_24K: Final = {"type": "audio/pcm", "rate": 24000}
_TEXT_DELTAS: Final = {
    "response.output_text.delta": "delta",
    "response.text.delta": "delta",
    "response.output_audio_transcript.delta": "delta",
    "response.audio_transcript.delta": "delta",
}
_TEXT_DONE: Final = {
    "response.output_text.done": "text",
    "response.text.done": "text",
    "response.output_audio_transcript.done": "transcript",
    "response.audio_transcript.done": "transcript",
}
_AUDIO_DELTAS: Final = frozenset({"response.output_audio.delta", "response.audio.delta"})
_ACTIVE_RESPONSE: Final = "conversation_already_has_active_response"
_REDACTED: Final = "***"


@attrs.frozen
class ToolCallResult:
    """A tool call the session ran: the call, and the object it answered the model with."""

    call_id: str
    name: str
    payload: Payload | None = attrs.field(hash=False)
    output: Any = attrs.field(hash=False)


def _realtime_sdk() -> type[AsyncOpenAI]:
    """The SDK's client class, or a NavaiError saying which extra to install."""
    try:
        import websockets.asyncio.client  # noqa: F401  (the SDK's Realtime transport)
        from openai import AsyncOpenAI
    except ImportError as exc:
        raise NavaiError(
            f"NavaiVoiceAgent needs the openai Realtime client ({exc.name} is missing): "
            "pip install 'navai[agent]'"
        ) from exc
    return AsyncOpenAI


class _RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The websockets connection's logger, with the secret cut out of every message.

    websockets logs the handshake's request headers at DEBUG, ``Authorization`` included.
    """

    def __init__(self, logger: logging.Logger, secret: str) -> None:
        super().__init__(logger, {})
        self._secret = secret

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        try:
            text = str(msg) % args if args else str(msg)
        except (TypeError, ValueError):
            text = f"{msg} {args!r}"
        kwargs.setdefault("stacklevel", 2)
        self.logger.log(level, text.replace(self._secret, _REDACTED), **kwargs)


class _Turn:
    """One ``ask()``: the texts completed so far and the future that ends it."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def finish(self) -> None:
        if not self.done.done():
            self.done.set_result("\n".join(self.texts))

    def fail(self, error: BaseException) -> None:
        if not self.done.done():
            self.done.set_exception(error)


class NavaiVoiceAgent:
    """A voice agent for one NAVAI app: a Realtime session whose tools are the app's.

    ``client`` is the app's NAVAI backend; ``functions`` run in this process (callables,
    classes, a mapping of names to callables or a ``navai.server.FunctionRegistry``),
    ``routes`` are where ``navigate_to`` may go, and ``navigate(path)`` (sync or async)
    goes there. See :func:`navai.agent.create_agent_runtime` for ``base_instructions``
    and ``direct_alias_tools``. ``agents`` (what :func:`navai.agent.discover_agents`
    found, or `AgentConfig` objects) runs the web runtime's specialist agents instead
    (:func:`navai.agent.create_multi_agent_runtime`): a ``transfer_to_<name>`` call
    switches the session to that agent with ``session.update`` and is answered
    ``{"assistant":"<name>"}``, as the Realtime SDK does.

    :meth:`start` lists the backend functions and mints a client secret at the same time,
    connects to the Realtime API (``realtime_url``, else ``NAVAI_REALTIME_URL``, else
    ``wss://api.openai.com/v1``; ``model``, else ``NAVAI_REALTIME_MODEL``, else
    ``gpt-realtime``) with the secret as the key, and sends ``session.update`` with the
    runtime's instructions and tools. From then on every tool call the model makes runs
    once, in its own task, and is answered with ``function_call_output`` and
    ``response.create``. ``mode="text"`` asks for text output only (no audio device
    needed); ``mode="audio"`` streams PCM16 mono 24 kHz both ways (:meth:`send_audio`,
    ``on_audio``). ``secret_options`` are sent when minting (``voice``, ``language``, ...);
    an explicit model is sent there too, so the secret is minted for it.

    Callbacks may be sync or async; they run in the session's receive loop, in event
    order, so keep them short. An exception in one is logged and ignored.

    * ``on_text(str)``: an assistant text (or, in audio mode, transcript) completed;
    * ``on_audio(bytes)``: a chunk of assistant audio, PCM16 mono 24 kHz;
    * ``on_tool_call(ToolCallResult)``: a tool call ran, just before it is answered;
    * ``on_voice_state("speaking" | "idle")``: the agent started or stopped speaking;
    * ``on_warning(str)``: a function-list or runtime warning (else logged at WARNING);
    * ``on_error(NavaiRealtimeError)``: the server sent an ``error`` event (else logged);
    * ``on_event(dict)``: every server event, as received.

    Use it as an async context manager, or call :meth:`start` and :meth:`close`::

        async with AsyncNavaiBackendClient("http://localhost:3000") as client:
            async with NavaiVoiceAgent(client, routes=routes, navigate=go_to, mode="text") as agent:
                print(await agent.ask("Open my profile"))

    One agent runs one session: after :meth:`close` make a new one.
    """

    def __init__(
        self,
        client: AsyncNavaiBackendClient,
        *,
        functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
        routes: Iterable[Route | Mapping[str, Any]] = (),
        navigate: Navigate | None = None,
        base_instructions: str | None = None,
        direct_alias_tools: bool = False,
        agents: AgentsConfig | Iterable[AgentConfig] | None = None,
        mode: AgentMode = "audio",
        model: str | None = None,
        realtime_url: str | None = None,
        secret_options: CreateRealtimeClientSecretInput | Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        connect_timeout: float = 10.0,
        on_text: Callable[[str], Any] | None = None,
        on_audio: Callable[[bytes], Any] | None = None,
        on_tool_call: Callable[[ToolCallResult], Any] | None = None,
        on_voice_state: Callable[[VoiceState], Any] | None = None,
        on_warning: Callable[[str], Any] | None = None,
        on_error: Callable[[NavaiRealtimeError], Any] | None = None,
        on_event: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        if mode not in ("text", "audio"):
            raise NavaiInvalidRequestError(f"mode must be 'text' or 'audio'; got {mode!r}.")
        self._openai_class = _realtime_sdk()
        environ = os.environ if env is None else env
        secret_input = CreateRealtimeClientSecretInput.build(secret_options, {})
        explicit_model = (
            _non_blank(model) or secret_input.model or _non_blank(environ.get("NAVAI_REALTIME_MODEL"))
        )
        if explicit_model is not None:
            secret_input = attrs.evolve(secret_input, model=explicit_model)
        self._client = client
        self._functions = functions
        self._routes = list(routes)
        self._navigate = navigate
        self._base_instructions = base_instructions
        self._direct_alias_tools = direct_alias_tools
        self._agents = agents
        self._secret_input = secret_input
        self._connect_timeout = connect_timeout
        self._mode: AgentMode = mode
        self._model: str = explicit_model or DEFAULT_REALTIME_MODEL
        self._realtime_url: str = (
            _non_blank(realtime_url) or _non_blank(environ.get("NAVAI_REALTIME_URL")) or DEFAULT_REALTIME_URL
        )
        self._callbacks: dict[str, Callback | None] = {
            "on_text": on_text,
            "on_audio": on_audio,
            "on_tool_call": on_tool_call,
            "on_voice_state": on_voice_state,
            "on_warning": on_warning,
            "on_error": on_error,
            "on_event": on_event,
        }
        self._status: AgentStatus = "idle"
        self._voice_state: VoiceState = "idle"
        self._warnings: list[str] = []
        self._runtime: AgentRuntime | MultiAgentRuntime | None = None
        self._error: NavaiRealtimeError | None = None
        self._secret: str | None = None
        self._openai: AsyncOpenAI | None = None
        self._connection: AsyncRealtimeConnection | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._tool_tasks: set[asyncio.Task[None]] = set()
        self._handled: set[str] = set()
        self._names: dict[str, str] = {}
        self._queued: list[ToolCall] = []
        self._partial_texts: dict[tuple[Any, ...], list[str]] = {}
        self._requested = 0
        self._retry_response = False
        self._turn: _Turn | None = None
        self._turn_lock = asyncio.Lock()
        self._send_lock = asyncio.Lock()
        self._ended = asyncio.Event()

    # -- what the session is ---------------------------------------------------------

    @property
    def status(self) -> AgentStatus:
        """``idle`` before :meth:`start`, then ``connecting``, ``connected``, and ``closed``."""
        return self._status

    @property
    def voice_state(self) -> VoiceState:
        """``speaking`` while the model streams audio, else ``idle`` (spec section 6)."""
        return self._voice_state

    @property
    def warnings(self) -> list[str]:
        """The warnings of the function list and of the runtime, once started."""
        return list(self._warnings)

    @property
    def runtime(self) -> AgentRuntime | MultiAgentRuntime | None:
        """The runtime built at :meth:`start` (its ``instructions``, ``tools``...), else None."""
        return self._runtime

    @property
    def error(self) -> NavaiRealtimeError | None:
        """Why the session ended, when the connection failed or dropped; else None."""
        return self._error

    @property
    def mode(self) -> AgentMode:
        return self._mode

    @property
    def model(self) -> str:
        return self._model

    @property
    def realtime_url(self) -> str:
        """The WebSocket base URL (``/realtime?model=...`` is appended to it)."""
        return self._realtime_url

    def __repr__(self) -> str:
        return (
            f"<NavaiVoiceAgent status={self._status!r} mode={self._mode!r} model={self._model!r} "
            f"realtime_url={self._scrub(self._realtime_url)!r}>"
        )

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Open the session; returns once ``session.update`` is sent.

        The function list and the client secret are fetched concurrently; the connection
        opens as soon as the secret is there, and tool calls that arrive before the list
        (hence the runtime) are queued and run once it exists. Raises what
        ``create_client_secret`` raises, or `NavaiRealtimeError` when the connection fails;
        the session is then closed.
        """
        if self._status != "idle":
            raise NavaiInvalidRequestError("start() was already called: an agent runs one session.")
        self._status = "connecting"
        listing = asyncio.create_task(self._client.list_functions())
        try:
            secret = await self._client.create_client_secret(self._secret_input)
            self._secret = secret.value
            connection = await self._connect(secret.value)
            self._receiver = asyncio.create_task(self._receive(connection), name="navai-agent-receive")
            listed = await listing
            runtime = self._create_runtime(
                routes=self._routes,
                functions=self._functions,
                backend_functions=listed.functions,
                execute_backend_function=self._execute_backend_function,
                base_instructions=self._base_instructions,
                navigate=self._navigate,
                direct_alias_tools=self._direct_alias_tools,
            )
            self._warnings = [*listed.warnings, *runtime.warnings]
            for warning in self._warnings:
                if self._callbacks["on_warning"] is None:
                    logger.warning("%s", warning)
                else:
                    await self._notify("on_warning", warning)
            await self._send({"type": "session.update", "session": self._session_config(runtime)})
            self._runtime = runtime
            queued, self._queued = self._queued, []
            for call in queued:
                self._spawn(call)
            if self._status != "connecting":
                raise self._error or NavaiRealtimeError(
                    "The Realtime server closed the connection.", url=self._realtime_url
                )
            self._status = "connected"
        except BaseException:
            listing.cancel()
            await asyncio.gather(listing, return_exceptions=True)
            await self.close()
            raise

    async def close(self) -> None:
        """End the session: the receive loop, running tool calls, the connection. Idempotent.

        A pending :meth:`ask` raises `NavaiRealtimeError`.
        """
        if self._status == "closed" and self._connection is None and not self._tool_tasks:
            return
        self._status = "closed"
        self._fail_turn(NavaiRealtimeError("The session was closed.", url=self._realtime_url))
        current = asyncio.current_task()
        tasks = [
            task for task in (self._receiver, *self._tool_tasks) if task is not None and task is not current
        ]
        for task in tasks:
            task.cancel()
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception as exc:
                logger.debug("closing the Realtime connection failed: %s", self._scrub(str(exc)))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        openai_client, self._openai = self._openai, None
        if openai_client is not None:
            await openai_client.close()
        self._ended.set()

    async def wait_closed(self) -> None:
        """Wait until the session ends; raises `NavaiRealtimeError` if it ended because the
        connection failed or dropped (not after :meth:`close` or a normal close)."""
        await self._ended.wait()
        if self._error is not None:
            raise self._error

    async def __aenter__(self) -> NavaiVoiceAgent:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- talking to the model --------------------------------------------------------

    async def send_text(self, text: str) -> None:
        """Send a user message and ask for a response; the reply comes through the callbacks."""
        await self._send(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": text}],
                },
            },
            {"type": "response.create"},
        )

    async def ask(self, text: str, *, timeout: float | None = None) -> str:
        """Send a user message and return the assistant's text for it.

        Returns once the model is done with this turn: a ``response.done`` with no tool
        call in it, none still running, and no response still requested (the tool calls
        it makes run, and the responses their answers ask for are awaited too). The texts
        completed in the turn are joined with newlines (transcripts in audio mode). One
        ``ask`` runs at a time; others wait. Raises `NavaiRealtimeError` when the server
        reports an error or the session ends first, `TimeoutError` after ``timeout`` seconds.
        """
        async with self._turn_lock:
            self._require_connected()
            turn = self._turn = _Turn()
            try:
                await self.send_text(text)
                return await asyncio.wait_for(asyncio.shield(turn.done), timeout)
            finally:
                if self._turn is turn:
                    self._turn = None
                if not turn.done.done():
                    turn.done.cancel()

    async def send_audio(self, pcm16: bytes) -> None:
        """Append PCM16 mono 24 kHz audio to the input buffer (``input_audio_buffer.append``)."""
        await self._send(
            {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm16).decode("ascii")}
        )

    async def commit_audio(self) -> None:
        """Commit the input buffer as a user message (needed only without server VAD)."""
        await self._send({"type": "input_audio_buffer.commit"})

    async def send_event(self, event: Mapping[str, Any]) -> None:
        """Send any client event as it is (``response.cancel``, a custom ``session.update``...)."""
        await self._send(dict(event))

    # -- internals -------------------------------------------------------------------

    def _session_config(self, runtime: AgentRuntime | MultiAgentRuntime) -> dict[str, Any]:
        session: dict[str, Any] = {
            "type": "realtime",
            "instructions": runtime.instructions,
            "tools": runtime.tools,
            "tool_choice": "auto",
        }
        if self._mode == "text":
            session["output_modalities"] = ["text"]
        else:
            session["audio"] = {"input": {"format": dict(_PCM16_24K)}, "output": {"format": dict(_PCM16_24K)}}
        return session

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, _REDACTED) if self._secret else text

    async def _connect(self, secret: str) -> AsyncRealtimeConnection:
        self._openai = self._openai_class(
            api_key=secret, websocket_base_url=self._realtime_url, max_retries=0
        )
        options = {
            "logger": _RedactingLogger(logging.getLogger("websockets.client"), secret),
            "open_timeout": self._connect_timeout,
            "close_timeout": 5.0,
        }
        try:
            self._connection = await self._openai.realtime.connect(
                model=self._model, websocket_connection_options=cast(Any, options)
            ).enter()
        except Exception as exc:
            raise NavaiRealtimeError(
                self._scrub(f"Cannot connect to the Realtime API at {self._realtime_url}: {exc}"),
                close_code=None,
                url=self._realtime_url,
            ) from exc
        return self._connection

    def _require_connected(self) -> AsyncRealtimeConnection:
        connection = self._connection
        if connection is None or self._status == "closed":
            if self._status == "idle":
                raise NavaiInvalidRequestError(
                    "The session is not started: call start() or use 'async with'."
                )
            raise self._error or NavaiRealtimeError("The session is closed.", url=self._realtime_url)
        return connection

    async def _send(self, *events: dict[str, Any]) -> None:
        """Send ``events`` back to back (no other event between them).

        As JSON text through the connection's ``send_raw``: the SDK's ``send`` first walks
        each dict against the type of every client event (about 0.6 ms of CPU an event,
        more than the rest of a tool call's answer), which changes nothing in what is sent.
        """
        connection = self._require_connected()
        async with self._send_lock:
            for event in events:
                if event.get("type") == "response.create":
                    self._requested += 1
                try:
                    await connection.send_raw(json.dumps(event))
                except Exception as exc:
                    raise NavaiRealtimeError(
                        self._scrub(f"Cannot send {event.get('type')!r} to the Realtime API: {exc}"),
                        url=self._realtime_url,
                    ) from exc

    async def _execute_backend_function(self, name: str, payload: Payload | None) -> Any:
        # The detailed result keeps a backend's "result": null apart from no result.
        return await self._client.execute_function_detailed(name, cast(Any, payload))

    async def _notify(self, name: str, value: Any) -> None:
        callback = self._callbacks[name]
        if callback is None:
            return
        try:
            result = callback(value)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("navai agent callback %s failed", name)

    async def _receive(self, connection: AsyncRealtimeConnection) -> None:
        from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

        error: NavaiRealtimeError | None = None
        try:
            while True:
                try:
                    message = await connection.recv_bytes()
                except ConnectionClosedOK:
                    break
                except ConnectionClosed as exc:
                    received = exc.rcvd
                    code = received.code if received is not None else 1006
                    reason = f": {received.reason}" if received is not None and received.reason else ""
                    error = NavaiRealtimeError(
                        self._scrub(f"The Realtime connection closed unexpectedly ({code}{reason})."),
                        close_code=code,
                        url=self._realtime_url,
                    )
                    break
                try:
                    event = json.loads(message)
                except ValueError:
                    logger.debug("ignored a Realtime message that is not JSON (%d bytes)", len(message))
                    continue
                if isinstance(event, dict):
                    await self._handle(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = NavaiRealtimeError(
                self._scrub(f"The Realtime session failed: {exc}"), url=self._realtime_url
            )
        finally:
            self._receive_ended(error)

    def _receive_ended(self, error: NavaiRealtimeError | None) -> None:
        if self._status == "closed":
            return
        self._error = error
        self._status = "closed"
        self._fail_turn(
            error or NavaiRealtimeError("The Realtime server closed the connection.", url=self._realtime_url)
        )
        for task in self._tool_tasks:
            task.cancel()
        self._ended.set()
        if error is not None:
            logger.warning("%s", error)

    async def _handle(self, event: dict[str, Any]) -> None:
        await self._notify("on_event", event)
        event_type = event.get("type")
        for call_id, name in function_call_names(event):
            self._names[call_id] = name
        for call in extract_tool_calls(event):
            self._accept(call)
        state = voice_state(event)
        if state is not None and state != self._voice_state:
            self._voice_state = state
            await self._notify("on_voice_state", state)
        if event_type == "error":
            await self._server_error(event)
        elif event_type in _TEXT_DELTAS:
            delta = event.get("delta")
            if isinstance(delta, str):
                self._partial_texts.setdefault(_text_key(event), []).append(delta)
        elif event_type in _TEXT_DONE:
            parts = self._partial_texts.pop(_text_key(event), [])
            text = event.get(_TEXT_DONE[event_type])
            await self._text_done(text if isinstance(text, str) else "".join(parts))
        elif event_type in _AUDIO_DELTAS:
            delta = event.get("delta")
            if isinstance(delta, str):
                try:
                    audio = base64.b64decode(delta)
                except ValueError:
                    logger.debug("ignored an audio delta that is not base64")
                else:
                    await self._notify("on_audio", audio)
        elif event_type == "response.created":
            self._requested = max(0, self._requested - 1)
        elif event_type == "response.done":
            await self._response_done(event)

    async def _text_done(self, text: str) -> None:
        if self._turn is not None:
            self._turn.texts.append(text)
        await self._notify("on_text", text)

    async def _server_error(self, event: dict[str, Any]) -> None:
        raw = event.get("error")
        details: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        message = details.get("message")
        error = NavaiRealtimeError(
            self._scrub(
                message if isinstance(message, str) and message else "The Realtime API reported an error."
            ),
            code=_string_or_none(details.get("code")),
            error_type=_string_or_none(details.get("type")),
            param=_string_or_none(details.get("param")),
            event_id=_string_or_none(details.get("event_id")),
            event=event,
            url=self._realtime_url,
        )
        if error.code == _ACTIVE_RESPONSE:
            # A tool answer's response.create came while a response was running: ask again once it is done.
            self._requested = max(0, self._requested - 1)
            self._retry_response = True
        else:
            self._fail_turn(error)
        if self._callbacks["on_error"] is None:
            logger.warning("Realtime API error: %s", error)
        else:
            await self._notify("on_error", error)

    async def _response_done(self, event: dict[str, Any]) -> None:
        raw = event.get("response")
        response: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        output = response.get("output")
        has_calls = isinstance(output, list) and any(
            isinstance(item, Mapping) and item.get("type") == "function_call" for item in output
        )
        busy = bool(self._tool_tasks or self._queued)
        if self._retry_response:
            self._retry_response = False
            if not busy:
                await self._send({"type": "response.create"})
        turn = self._turn
        if turn is None or has_calls or busy or self._requested:
            return
        if response.get("status") == "failed":
            status_details = response.get("status_details")
            failure = status_details.get("error") if isinstance(status_details, Mapping) else None
            message = failure.get("message") if isinstance(failure, Mapping) else None
            turn.fail(
                NavaiRealtimeError(
                    f"The response failed: {message}" if isinstance(message, str) else "The response failed.",
                    code=_string_or_none(failure.get("code")) if isinstance(failure, Mapping) else None,
                    event=event,
                    url=self._realtime_url,
                )
            )
            return
        turn.finish()

    def _fail_turn(self, error: NavaiRealtimeError) -> None:
        if self._turn is not None:
            self._turn.fail(error)

    def _accept(self, call: ToolCall) -> None:
        if call.call_id in self._handled:
            return
        name = call.name or self._names.get(call.call_id)
        if name is None:
            logger.debug("tool call %s has no name yet; waiting for its item", call.call_id)
            return
        self._handled.add(call.call_id)
        call = attrs.evolve(call, name=name)
        if self._runtime is None:
            self._queued.append(call)
        else:
            self._spawn(call)

    def _spawn(self, call: ToolCall) -> None:
        task = asyncio.create_task(self._run_tool(call), name=f"navai-agent-tool-{call.call_id}")
        self._tool_tasks.add(task)
        task.add_done_callback(self._tool_tasks.discard)

    async def _run_tool(self, call: ToolCall) -> None:
        runtime = self._runtime
        assert runtime is not None
        assert call.name is not None
        try:
            output: Any = await runtime.execute_tool_call(call.name, call.payload)
        except Exception as exc:
            output = {"ok": False, "error": "Tool execution failed.", "details": error_message(exc)}
        if isinstance(output, Transfer):
            await self._transfer(call, output)
            return
        await self._notify("on_tool_call", ToolCallResult(call.call_id, call.name, call.payload, output))
        try:
            await self._send(*tool_result_events(call.call_id, output))
        except NavaiError as exc:
            logger.debug("could not answer tool call %s: %s", call.call_id, exc)

    def _create_runtime(self, **options: Any) -> AgentRuntime | MultiAgentRuntime:
        """The one-agent runtime, or with ``agents`` the primary and its specialists."""
        if self._agents is None:
            return create_agent_runtime(**options)
        return create_multi_agent_runtime(agents=self._agents, **options)

    async def _transfer(self, call: ToolCall, transfer: Transfer) -> None:
        """Switch agents as the Realtime SDK does on a handoff: ``session.update`` with the
        new agent's instructions and tools, then the call's answer (``{"assistant":...}``)."""
        runtime = self._runtime
        assert runtime is not None
        session = {**self._session_config(runtime), **transfer.session}
        await self._notify(
            "on_tool_call", ToolCallResult(call.call_id, call.name or "", call.payload, transfer.output)
        )
        try:
            await self._send(
                {"type": "session.update", "session": session},
                *tool_result_events(call.call_id, transfer.output),
            )
        except NavaiError as exc:
            logger.debug("could not answer transfer %s: %s", call.call_id, exc)


def _non_blank(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _text_key(event: Mapping[str, Any]) -> tuple[Any, ...]:
    return (event.get("response_id"), event.get("item_id"), event.get("content_index"))
