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
import math
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import anyio.to_thread
import attrs

from .._exceptions import NavaiError, NavaiInvalidRequestError
from .._extras import needs_extra
from .._models import CreateRealtimeClientSecretInput, SynthesizedSpeech
from ._errors import NavaiRealtimeError
from ._events import (
    Payload,
    ToolCall,
    extract_tool_calls,
    function_call_names,
    tool_output_events,
    tool_result_events,
    voice_state,
)
from ._multi import MultiAgentRuntime, Transfer, create_multi_agent_runtime
from ._routes import Route
from ._runtime import AgentRuntime, Navigate, create_agent_runtime, error_message
from ._speech import SpeechPlayback

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.resources.realtime.realtime import AsyncRealtimeConnection
    from websockets.exceptions import ConnectionClosed

    from navai._async_client import AsyncNavaiBackendClient
    from navai.functions._model import FunctionRegistry

    from ._agents import AgentConfig, AgentsConfig

__all__ = [
    "DEFAULT_KEEPALIVE_INTERVAL",
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_REALTIME_MODEL",
    "DEFAULT_REALTIME_URL",
    "DEFAULT_RESTORE_LIMIT",
    "DEFAULT_SESSION_LIFETIME",
    "AgentMode",
    "AgentStatus",
    "NavaiVoiceAgent",
    "ReconnectReason",
    "Reconnection",
    "ToolCallResult",
    "VoiceState",
]

logger = logging.getLogger("navai.agent")

DEFAULT_REALTIME_MODEL: Final = "gpt-realtime"
"""The model when neither the ``model`` argument nor ``NAVAI_REALTIME_MODEL`` names one."""
DEFAULT_REALTIME_URL: Final = "wss://api.openai.com/v1"
"""The Realtime WebSocket base URL when neither ``realtime_url`` nor ``NAVAI_REALTIME_URL`` is set."""

AgentMode = Literal["text", "audio"]
"""What a `NavaiVoiceAgent` session exchanges with the model: text, or audio (PCM16 24 kHz)."""
AgentStatus = Literal["idle", "connecting", "connected", "reconnecting", "closed"]
"""Where a `NavaiVoiceAgent` is in its life (``NavaiVoiceAgent.status``)."""
ReconnectReason = Literal["renewal", "expired", "dropped"]
"""Why a session reconnected (``Reconnection.reason``): a renewal, an expired secret, a dropped connection."""
VoiceState = Literal["idle", "speaking"]
"""Whether the model is speaking, as `voice_state` reads it from server events."""
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
DEFAULT_KEEPALIVE_INTERVAL: Final = 5.0
"""Seconds between WebSocket pings (``keepalive_interval``)."""
DEFAULT_KEEPALIVE_TIMEOUT: Final = 5.0
"""Seconds a pong may take before the connection counts as dead (``keepalive_timeout``).
The closing handshake that follows waits as long at most, so a server that stops answering
is noticed within ``interval + 2 * timeout`` seconds: 15 s by default."""
_CLOSE_TIMEOUT: Final = 5.0
DEFAULT_SESSION_LIFETIME: Final = 57 * 60.0
"""Seconds after which a session is renewed (``session_lifetime``): 3 minutes ahead of the
Realtime API's 60-minute cap."""
DEFAULT_RESTORE_LIMIT: Final = 16_000
"""Characters of user and assistant text replayed into a new session (``restore_limit``)."""
_SESSION_EXPIRED: Final = "session_expired"
_IDLE_WAIT: Final = 120.0  # how long a due renewal waits for the conversation to pause
_MAX_BACKOFF: Final = 8.0
_BYTES_PER_SECOND: Final = 48000  # PCM16 mono 24 kHz
_BYTES_PER_MS: Final = 48
_KEPT_PARTS: Final = 64


@attrs.frozen
class ToolCallResult:
    """A tool call the session ran: the call, and the object it answered the model with."""

    call_id: str
    name: str
    payload: Payload | None = attrs.field(hash=False)
    output: Any = attrs.field(hash=False)


def _realtime_sdk() -> type[AsyncOpenAI]:
    """The SDK's client class, or a `NavaiMissingExtraError` naming the extra to install."""
    with needs_extra("agent", "NavaiVoiceAgent"):
        import websockets.asyncio.client  # noqa: F401  (the SDK's Realtime transport)
        from openai import AsyncOpenAI
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


@attrs.frozen
class Reconnection:
    """A session the agent reopened: why (``renewal`` ahead of the cap, ``expired`` by the
    server, ``dropped`` connection), after how many attempts, and how many items it
    restored (texts replayed, plus tool calls still running)."""

    reason: ReconnectReason
    attempts: int
    restored: int


class _Answers:
    """Tool-call answers sent together, and the future their senders wait on."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = list(items)
        self.sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sent.add_done_callback(lambda done: done.cancelled() or done.exception())

    def fail(self, error: BaseException) -> None:
        if isinstance(error, asyncio.CancelledError):
            self.sent.cancel()
        else:
            self.sent.set_exception(error)


class _History:
    """The user and assistant texts of the conversation, the most recent ``limit``
    characters of them in all: what a new session is given back."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: deque[tuple[str, str]] = deque()
        self._chars = 0

    def add(self, role: str, text: str) -> None:
        if not text or self._limit <= 0:
            return
        text = text[-self._limit :]  # one text longer than the whole limit keeps its end
        self._items.append((role, text))
        self._chars += len(text)
        while self._chars > self._limit:
            _, dropped = self._items.popleft()
            self._chars -= len(dropped)

    def items(self) -> list[dict[str, Any]]:
        """The texts as ``conversation.item.create`` events, oldest first."""
        kinds = {"user": "input_text", "assistant": "output_text"}
        return [
            {
                "type": "conversation.item.create",
                "item": {"type": "message", "role": role, "content": [{"type": kinds[role], "text": text}]},
            }
            for role, text in self._items
        ]


@attrs.define
class _AudioPart:
    """One assistant audio part (item, content index) as delivered to ``on_audio``: where it
    starts in the stream of all audio delivered, and how many bytes of it there are."""

    item_id: str | None
    content_index: int
    start: int
    size: int = 0


class _Playback:
    """Barge-in bookkeeping: the audio delivered to ``on_audio``, part by part, and a clock
    estimate of how much of it has played (real time from its arrival, for apps that do not
    report it)."""

    def __init__(self) -> None:
        self.delivered = 0
        self.parts: deque[_AudioPart] = deque(maxlen=_KEPT_PARTS)
        self._truncated: dict[str, None] = {}
        self._clock_end = 0.0  # when what was delivered would have played out, in real time

    def is_truncated(self, item_id: str | None) -> bool:
        return item_id is not None and item_id in self._truncated

    def deliver(self, item_id: str | None, content_index: int, size: int) -> None:
        last = self.parts[-1] if self.parts else None
        if last is None or (last.item_id, last.content_index) != (item_id, content_index):
            last = _AudioPart(item_id, content_index, self.delivered)
            self.parts.append(last)
        last.size += size
        self.delivered += size
        now = time.monotonic()
        self._clock_end = max(now, self._clock_end) + size / _BYTES_PER_SECOND

    def reset(self) -> None:
        """A new session: its items are new (the count of bytes delivered goes on, as the
        app's count of bytes played does)."""
        self.parts.clear()
        self._clock_end = time.monotonic()

    def estimate(self) -> int:
        """Bytes played by now, had playback started with the first delta and kept up."""
        unplayed = max(0.0, self._clock_end - time.monotonic()) * _BYTES_PER_SECOND
        return max(0, self.delivered - math.ceil(unplayed))

    def interrupt(self, played: int) -> list[tuple[str, int, int]]:
        """Playback stopped after ``played`` bytes: (item id, content index, audio_end_ms)
        for the part being heard and any after it (0 ms), none past a part's own audio.
        Their later deltas are dropped; the bookkeeping starts afresh."""
        played = min(max(0, played), self.delivered)
        truncates: list[tuple[str, int, int]] = []
        for part in self.parts:
            if part.start + part.size <= played or part.item_id is None:
                continue  # heard to its end (or cannot be named)
            heard = max(0, played - part.start)
            truncates.append((part.item_id, part.content_index, min(heard, part.size) // _BYTES_PER_MS))
            self._truncated[part.item_id] = None
        while len(self._truncated) > _KEPT_PARTS:
            del self._truncated[next(iter(self._truncated))]
        self.reset()
        return truncates


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

    def failure(self) -> BaseException | None:
        """The error the turn failed with, if it did (and marks it retrieved)."""
        if self.done.done() and not self.done.cancelled():
            return self.done.exception()
        return None

    def close(self) -> None:
        """Cancel the turn if it is still open; else mark its error retrieved, so that no
        "Future exception was never retrieved" is logged for a failure nobody awaited."""
        if not self.done.done():
            self.done.cancel()
        else:
            self.failure()


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

    ``navigate(path)`` may be sync or async. An async one runs on the event loop; a sync
    one runs in a worker thread (anyio's), one call at a time in the order the model made
    them, so a slow one never holds up audio or events. That thread is not a UI toolkit's
    main thread: hand the path over to it there (Qt: a queued signal; Tk: ``after`` polling
    a queue; asyncio-based UIs: pass an async ``navigate``). Local functions are given the
    ``navigate`` passed here, as it is, in their context.

    The other callbacks may be sync or async; they run in the session's receive loop, in
    event order, so keep them short. An exception in one is logged and ignored.

    * ``on_text(str)``: an assistant text (or, in audio mode, transcript) completed;
    * ``on_audio(bytes)``: a chunk of assistant audio, PCM16 mono 24 kHz;
    * ``on_tool_call(ToolCallResult)``: a tool call ran, just before it is answered;
    * ``on_voice_state("speaking" | "idle")``: the agent started or stopped speaking;
    * ``on_warning(str)``: a function-list or runtime warning (else logged at WARNING);
    * ``on_error(NavaiRealtimeError)``: the server sent an ``error`` event (else logged);
    * ``on_event(dict)``: every server event, as received (not the skipped ones).

    Sessions that outlive the cap and survive drops (``reconnect=True``, the default): the
    Realtime API ends every session at 60 minutes, and a network drop ends it too. Once a
    session is ``session_lifetime`` seconds old (57 minutes by default) the agent waits for a
    pause in the conversation (no ask, response or tool call running; two minutes at most)
    and renews it; when the server expires it (``session_expired``) or the connection drops
    or closes other than normally, it reopens it. Each time it mints a fresh client secret,
    connects, sends the same ``session.update``, replays the conversation (the most recent
    user and assistant texts, ``restore_limit`` characters in all, oldest dropped first) and
    the tool calls still running (their answers then go to the new session, once), and calls
    ``on_reconnect(Reconnection)``. Attempts: ``reconnect_attempts`` (5), the first at once,
    then after ``reconnect_backoff`` seconds doubling (at most 8 s); then the session ends
    with `NavaiRealtimeError`. An :meth:`ask` in progress when the connection ends raises
    `NavaiRealtimeError` (``code`` ``session_interrupted``, or the server's
    ``session_expired``): ask again, it waits for the new session. Audio sent meanwhile is
    dropped; other sends wait for the new session.

    Speech through the backend: when the minted secret says the backend speaks through
    ElevenLabs (``speech_provider == "elevenlabs"``), the session runs with text output, as
    the web runtime 0.1.7 does; each completed assistant text is synthesized by the backend
    (``synthesize_speech``, with ``speech_output_format`` when given) and handed to
    ``on_speech(audio, mime_type)`` (`LocalAudio.play_speech` plays it; an awaitable it
    returns keeps the voice state ``speaking`` until it completes); without ``on_speech``
    nothing is synthesized. The user starting to speak stops that playback
    (``stop_playback``) and drops a synthesis still pending.

    Barge-in (audio mode): when the server hears the user start speaking
    (``input_audio_buffer.speech_started``) over audio the agent delivered, it calls
    ``stop_playback()``: stop playing now, drop what has not played, and return how many
    bytes of all the audio ``on_audio`` delivered have been played (`LocalAudio.stop_playback`
    does). It then sends ``conversation.item.truncate`` for the assistant item being heard,
    with ``audio_end_ms`` the audio the user heard (never past the item's audio), so the
    model knows where it was cut off; later deltas of that item are dropped and the voice
    state goes ``idle``. Without ``stop_playback``, or when it returns None, playback is
    assumed to run in real time from the first delta.

    No single event breaks the session: a frame that is not JSON (or nests too deeply), not
    an object, has no string ``type``, or carries ids or deltas of the wrong type is skipped,
    logged at DEBUG and counted in :attr:`skipped_events`. WebSocket pings go out every
    ``keepalive_interval`` seconds and a pong may take ``keepalive_timeout`` (both 5 s by
    default; None turns pings off); the closing handshake then waits as long at most, so a
    server that stops answering is noticed within ``interval + 2 * timeout`` (15 s): the
    connection ends with close code 1011 ("keepalive ping timeout"), and is reopened (below)
    or, with ``reconnect=False``, the session ends with `NavaiRealtimeError`.

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
        keepalive_interval: float | None = DEFAULT_KEEPALIVE_INTERVAL,
        keepalive_timeout: float | None = DEFAULT_KEEPALIVE_TIMEOUT,
        on_text: Callable[[str], Any] | None = None,
        on_audio: Callable[[bytes], Any] | None = None,
        on_tool_call: Callable[[ToolCallResult], Any] | None = None,
        on_voice_state: Callable[[VoiceState], Any] | None = None,
        on_warning: Callable[[str], Any] | None = None,
        on_error: Callable[[NavaiRealtimeError], Any] | None = None,
        on_event: Callable[[dict[str, Any]], Any] | None = None,
        stop_playback: Callable[[], Any] | None = None,
        on_speech: Callable[[bytes, str], Any] | None = None,
        speech_output_format: str | None = None,
        reconnect: bool = True,
        session_lifetime: float | None = DEFAULT_SESSION_LIFETIME,
        restore_limit: int = DEFAULT_RESTORE_LIMIT,
        reconnect_attempts: int = 5,
        reconnect_backoff: float = 0.5,
        on_reconnect: Callable[[Reconnection], Any] | None = None,
    ) -> None:
        if mode not in ("text", "audio"):
            raise NavaiInvalidRequestError(f"mode must be 'text' or 'audio'; got {mode!r}.")
        _check_seconds("keepalive_interval", keepalive_interval)
        _check_seconds("keepalive_timeout", keepalive_timeout)
        _check_seconds("session_lifetime", session_lifetime)
        _check_seconds("reconnect_backoff", reconnect_backoff)
        if (
            isinstance(reconnect_attempts, bool)
            or not isinstance(reconnect_attempts, int)
            or reconnect_attempts < 1
        ):
            raise NavaiInvalidRequestError(
                f"reconnect_attempts must be 1 or more; got {reconnect_attempts!r}."
            )
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
        self._keepalive_interval = keepalive_interval
        self._keepalive_timeout = keepalive_timeout
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
            "on_reconnect": on_reconnect,
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
        self._pending: deque[str] = deque()
        """Event ids of the ``response.create`` sent and neither created nor refused yet."""
        self._retry_response = False
        self._skipped = 0
        self._navigating = asyncio.Lock()
        self._close_error: NavaiRealtimeError | None = None
        self._stop_playback = stop_playback
        self._on_speech = on_speech
        self._speech_output_format = speech_output_format
        self._speech: SpeechPlayback | None = None
        self._speech_provider = "openai"
        self._background: set[asyncio.Task[Any]] = set()
        self._playback = _Playback()
        self._own_events: dict[str, None] = {}
        """Event ids of the truncates sent: an error naming one is not the turn's."""
        self._reconnect = reconnect
        self._session_lifetime = session_lifetime
        self._reconnect_attempts = reconnect_attempts
        self._reconnect_backoff = reconnect_backoff
        self._history = _History(restore_limit)
        self._calls: dict[str, ToolCall] = {}
        """Tool calls accepted and not answered yet: replayed into a new session."""
        self._answers: _Answers | None = None
        """The answers gathering to be sent together (see `_answer`)."""
        self._secrets: list[str] = []
        self._expired = False
        self._ready = asyncio.Event()
        """Set while connected, and once closed: what sends wait for while reconnecting."""
        self._renewer: asyncio.Task[None] | None = None
        self._lifetime: asyncio.Task[None] | None = None
        self._reconnections = 0
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
    def reconnections(self) -> int:
        """How many times the session was reopened (renewed or after a drop)."""
        return self._reconnections

    @property
    def skipped_events(self) -> int:
        """How many server frames were skipped as being of an unexpected shape."""
        return self._skipped

    @property
    def keepalive_interval(self) -> float | None:
        return self._keepalive_interval

    @property
    def keepalive_timeout(self) -> float | None:
        return self._keepalive_timeout

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
            self._secrets.append(secret.value)
            self._speech_provider = secret.speech_provider
            if self._speech_provider == "elevenlabs":
                if self._on_speech is not None:
                    self._speech = self._speech_playback()
                elif self._mode == "audio":
                    logger.warning(
                        "The backend speaks through ElevenLabs: the session sends text, which is"
                        " spoken only with on_speech (LocalAudio.play_speech, say)."
                    )
            connection = await self._connect(secret.value)
            self._receiver = asyncio.create_task(self._receive(connection), name="navai-agent-receive")
            listed = await listing
            runtime = self._create_runtime(
                routes=self._routes,
                functions=self._functions,
                backend_functions=listed.functions,
                execute_backend_function=self._execute_backend_function,
                base_instructions=self._base_instructions,
                navigate=None if self._navigate is None else self._navigate_off_loop,
                direct_alias_tools=self._direct_alias_tools,
            )
            agent_runtimes = runtime.agents.values() if isinstance(runtime, MultiAgentRuntime) else (runtime,)
            for agent_runtime in agent_runtimes:
                agent_runtime.context["navigate"] = self._navigate  # local functions get the app's own
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
            self._ready.set()
            self._watch_lifetime()
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
        self._ready.set()
        self._fail_turn(NavaiRealtimeError("The session was closed.", url=self._realtime_url))
        current = asyncio.current_task()
        tasks = [
            task
            for task in (self._receiver, self._renewer, self._lifetime, *self._tool_tasks)
            if task is not None and task is not current
        ]
        for task in tasks:
            task.cancel()
        if self._speech is not None:
            await self._speech.aclose()
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
        await self._send_message(text)

    async def _send_message(self, text: str) -> None:
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
        self._history.add("user", text)

    async def ask(self, text: str, *, timeout: float | None = None) -> str:
        """Send a user message and return the assistant's text for it.

        Returns once the model is done with this turn: a ``response.done`` with no tool
        call still running and no response still requested (the tool calls it makes run,
        and the responses their answers ask for are awaited too). A response that ends
        ``cancelled`` or ``incomplete`` ends the turn with the text so far (a function call
        it cut off never runs). The texts completed in the turn are joined with newlines
        (transcripts in audio mode). One ``ask`` runs at a time; others wait.

        Raises `NavaiRealtimeError` with the server's ``code`` when it refuses a request of
        the turn or a response of it fails (the next ``ask`` works as usual), with the
        ``close_code`` (and the reason in the message) when the connection closes first
        (``code`` ``session_interrupted`` when the agent then reopens the session: ask
        again, on the new session); `TimeoutError` after ``timeout`` seconds.
        """
        async with self._turn_lock:
            if self._status == "reconnecting":
                await self._ready.wait()  # a session being reopened: ask on the new one
            self._require_connected()
            turn = self._turn = _Turn()
            try:
                try:
                    await self.send_text(text)
                except NavaiRealtimeError as exc:
                    # The receive loop may have ended the turn meanwhile, with why the session ended.
                    failure = turn.failure()
                    if failure is not None:
                        raise failure from None
                    raise exc from exc.__cause__
                return await asyncio.wait_for(asyncio.shield(turn.done), timeout)
            finally:
                if self._turn is turn:
                    self._turn = None
                turn.close()

    async def send_audio(self, pcm16: bytes) -> None:
        """Append PCM16 mono 24 kHz audio to the input buffer (``input_audio_buffer.append``);
        dropped while the session is being reopened."""
        if self._status == "reconnecting":
            logger.debug("dropped %d bytes of input audio: the session is being reopened", len(pcm16))
            return
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
        if self._mode == "text" or self._speech_provider == "elevenlabs":
            session["output_modalities"] = ["text"]  # the backend speaks, as in the web runtime 0.1.7
        if self._mode == "audio":
            session["audio"] = {"input": {"format": dict(_PCM16_24K)}, "output": {"format": dict(_PCM16_24K)}}
        return session

    def _speech_playback(self) -> SpeechPlayback:
        """The backend's voice for this session (its secret names ElevenLabs)."""
        output_format = self._speech_output_format

        async def synthesize(text: str) -> SynthesizedSpeech:
            return await self._client.synthesize_speech(text, output_format=output_format)

        def state(value: str) -> None:
            task = asyncio.get_running_loop().create_task(self._set_voice_state(cast(VoiceState, value)))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

        return SpeechPlayback(synthesize, self._on_speech, stop=self._stop_playback, on_state=state)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text

    async def _connect(self, secret: str) -> AsyncRealtimeConnection:
        self._openai = self._openai_class(
            api_key=secret, websocket_base_url=self._realtime_url, max_retries=0
        )
        # websockets' own keepalive: a ping every interval, the connection failed (1011) when
        # no pong comes within the timeout; a dead server does not answer the close frame
        # either, so that wait is bounded by the same timeout.
        timeout = self._keepalive_timeout
        options = {
            "logger": _RedactingLogger(logging.getLogger("websockets.client"), secret),
            "open_timeout": self._connect_timeout,
            "close_timeout": _CLOSE_TIMEOUT if timeout is None else min(_CLOSE_TIMEOUT, timeout),
            "ping_interval": self._keepalive_interval,
            "ping_timeout": self._keepalive_timeout,
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
            raise (
                self._error
                or self._close_error
                or NavaiRealtimeError("The session is closed.", url=self._realtime_url)
            )
        return connection

    def _closed_error(self, exc: ConnectionClosed) -> NavaiRealtimeError:
        """Why the connection closed: the server's close frame, else the one this side sent
        (a keepalive timeout is 1011), else 1006 (dropped without a close frame)."""
        from websockets.exceptions import ConnectionClosedOK

        frame = exc.rcvd if exc.rcvd is not None else exc.sent
        code = frame.code if frame is not None else 1006
        where = f"{code}: {frame.reason}" if frame is not None and frame.reason else str(code)
        if isinstance(exc, ConnectionClosedOK):
            message = f"The Realtime server closed the connection ({where})."
        else:
            message = f"The Realtime connection closed unexpectedly ({where})."
        return NavaiRealtimeError(self._scrub(message), close_code=code, url=self._realtime_url)

    async def _send(self, *events: dict[str, Any]) -> None:
        """Send ``events`` back to back (no other event between them).

        Each ``response.create`` gets an ``event_id`` (unless it has one) and is counted as
        requested until the server creates its response or refuses it: the server names
        the event it refuses by that id. Events go as JSON text through the connection's
        ``send_raw``: the SDK's ``send`` first walks each dict against the type of every
        client event (about 0.6 ms of CPU an event), which changes nothing in what is sent.
        """
        if self._status == "reconnecting":
            await self._ready.wait()
        await self._write(self._require_connected(), events)

    async def _write(self, connection: AsyncRealtimeConnection, events: Iterable[dict[str, Any]]) -> None:
        from websockets.exceptions import ConnectionClosed

        async with self._send_lock:
            for event in events:
                tracked: str | None = None
                if event.get("type") == "response.create":
                    event_id = event.get("event_id")
                    if not isinstance(event_id, str) or not event_id:
                        event = {**event, "event_id": _event_id()}
                    tracked = cast(str, event["event_id"])
                    # Counted before it is sent: its response.created may come back before send() returns.
                    self._pending.append(tracked)
                try:
                    await connection.send_raw(json.dumps(event))
                except Exception as exc:
                    if tracked is not None and tracked in self._pending:
                        self._pending.remove(tracked)
                    if isinstance(exc, ConnectionClosed):
                        raise self._closed_error(exc) from exc
                    raise NavaiRealtimeError(
                        self._scrub(f"Cannot send {event.get('type')!r} to the Realtime API: {exc}"),
                        url=self._realtime_url,
                    ) from exc

    async def _execute_backend_function(self, name: str, payload: Payload | None) -> Any:
        # The detailed result keeps a backend's "result": null apart from no result.
        return await self._client.execute_function_detailed(name, cast(Any, payload))

    async def _navigate_off_loop(self, path: str) -> None:
        """The app's ``navigate``: awaited when async, else run in a worker thread, one call
        at a time, so a slow (or blocking) one never stalls the event loop."""
        navigate = self._navigate
        assert navigate is not None
        async with self._navigating:
            if _is_async_callable(navigate):
                await navigate(path)
                return
            result = await anyio.to_thread.run_sync(navigate, path)
            if inspect.isawaitable(result):
                await result

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

    def _skip(self, what: str, why: str) -> None:
        self._skipped += 1
        logger.debug("skipped a Realtime %s: %s", what, why)

    def _decode(self, message: bytes) -> dict[str, Any] | None:
        """The event in ``message``, or None (skipped and counted) when it is not one."""
        try:
            event = json.loads(message)
        except RecursionError:
            self._skip("message", f"its JSON nests too deeply ({len(message)} bytes)")
            return None
        except ValueError:
            self._skip("message", f"it is not JSON ({len(message)} bytes)")
            return None
        if not isinstance(event, dict):
            self._skip("message", f"it is a JSON {type(event).__name__}, not an object")
            return None
        if not isinstance(event.get("type"), str):
            self._skip("message", "its type is not a string")
            return None
        return event

    async def _receive(self, connection: AsyncRealtimeConnection) -> None:
        from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

        error: NavaiRealtimeError | None = None
        closed: NavaiRealtimeError | None = None
        try:
            while True:
                try:
                    message = await connection.recv_bytes()
                except ConnectionClosed as exc:
                    closed = self._closed_error(exc)
                    error = None if isinstance(exc, ConnectionClosedOK) else closed
                    break
                event = self._decode(message)
                if event is None:
                    continue
                try:
                    await self._handle(event)
                except NavaiError as exc:  # a send failed: the connection is closing
                    logger.debug("handling %s failed: %s", event["type"], exc)
                except Exception:
                    self._skipped += 1
                    logger.warning("skipped a Realtime %s event that failed", event["type"], exc_info=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = NavaiRealtimeError(
                self._scrub(f"The Realtime session failed: {exc}"), url=self._realtime_url
            )
        finally:
            self._receive_ended(error, closed)

    def _receive_ended(self, error: NavaiRealtimeError | None, closed: NavaiRealtimeError | None) -> None:
        if self._status in ("closed", "reconnecting"):
            return  # closed by close(), or the old connection of a renewal
        if (
            self._reconnect
            and self._status == "connected"
            and closed is not None
            and (self._expired or closed.close_code != 1000)
        ):
            self._begin_renewal("expired" if self._expired else "dropped", closed)
            return
        self._error = error
        self._close_error = closed
        self._status = "closed"
        self._fail_turn(
            error
            or closed
            or NavaiRealtimeError("The Realtime server closed the connection.", url=self._realtime_url)
        )
        for task in self._tool_tasks:
            task.cancel()
        self._ended.set()
        if error is not None:
            logger.warning("%s", error)

    async def _handle(self, event: dict[str, Any]) -> None:
        event_type: str = event["type"]
        audio: bytes | None = None
        dropped = False
        if event_type in _TEXT_DELTAS or event_type in _TEXT_DONE or event_type in _AUDIO_DELTAS:
            problem = _content_problem(event, event_type)
            if problem is None and event_type in _AUDIO_DELTAS:
                try:
                    audio = base64.b64decode(event["delta"], validate=True)
                except ValueError:
                    problem = "its delta is not base64"
            if problem is not None:
                self._skip(f"{event_type} event", problem)
                return
            # The rest of an item cut off by a barge-in: the user is not to hear it.
            dropped = audio is not None and self._playback.is_truncated(event.get("item_id"))
        await self._notify("on_event", event)
        if self._speech is not None:
            self._speech.handle(event)
        for call_id, name in function_call_names(event):
            self._names[call_id] = name
        for call in extract_tool_calls(event, self._handled):
            self._accept(call)
        state = None if dropped else voice_state(event)
        if state is not None:
            await self._set_voice_state(state)
        if dropped:
            return
        if event_type == "error":
            await self._server_error(event)
        elif event_type in _TEXT_DELTAS:
            self._partial_texts.setdefault(_text_key(event), []).append(event["delta"])
        elif event_type in _TEXT_DONE:
            parts = self._partial_texts.pop(_text_key(event), [])
            text = event.get(_TEXT_DONE[event_type])
            await self._text_done(text if isinstance(text, str) else "".join(parts))
        elif audio is not None:
            index = event.get("content_index")
            self._playback.deliver(event.get("item_id"), index if isinstance(index, int) else 0, len(audio))
            await self._notify("on_audio", audio)
        elif event_type == "conversation.item.input_audio_transcription.completed":
            transcript = event.get("transcript")
            if isinstance(transcript, str):
                self._history.add("user", transcript)
        elif event_type == "input_audio_buffer.speech_started":
            if self._mode == "audio" and self._playback.parts:
                await self._barge_in()
        elif event_type == "response.created":
            if self._pending:
                self._pending.popleft()  # the server answers requests in order
        elif event_type == "response.done":
            await self._response_done(event)

    async def _set_voice_state(self, state: VoiceState) -> None:
        if state != self._voice_state:
            self._voice_state = state
            await self._notify("on_voice_state", state)

    async def _played_bytes(self) -> int:
        """``stop_playback()``'s count of the bytes played, else the clock's estimate."""
        played: Any = None
        if self._stop_playback is not None:
            try:
                played = self._stop_playback()
                if inspect.isawaitable(played):
                    played = await played
            except Exception:
                logger.exception("navai agent callback stop_playback failed")
                played = None
        if (
            played is None
            or isinstance(played, bool)
            or not isinstance(played, int | float)
            or not math.isfinite(played)
        ):
            if played is not None:
                logger.debug("stop_playback returned %r, not a byte count: estimating", type(played))
            return self._playback.estimate()
        return int(played)

    async def _barge_in(self) -> None:
        """The user speaks over the agent: stop playback, tell the server what was heard."""
        truncates = self._playback.interrupt(await self._played_bytes())
        await self._set_voice_state("idle")
        for item_id, content_index, audio_end_ms in truncates:
            event_id = _event_id()
            self._own_events[event_id] = None
            while len(self._own_events) > _KEPT_PARTS:
                del self._own_events[next(iter(self._own_events))]
            await self._send(
                {
                    "type": "conversation.item.truncate",
                    "item_id": item_id,
                    "content_index": content_index,
                    "audio_end_ms": audio_end_ms,
                    "event_id": event_id,
                }
            )

    async def _text_done(self, text: str) -> None:
        if self._turn is not None:
            self._turn.texts.append(text)
        self._history.add("assistant", text)
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
        if error.code == _SESSION_EXPIRED:
            self._expired = True  # the close that follows reopens the session
        refused = error.event_id is not None and error.event_id in self._pending
        if refused:
            self._pending.remove(cast(str, error.event_id))  # that request gets no response
        if error.code == _ACTIVE_RESPONSE:
            # A tool answer's response.create came while a response was running: ask again once it is done.
            if not refused and self._pending:
                self._pending.popleft()  # a server that does not echo event ids: the oldest one
            self._retry_response = True
        elif error.event_id is not None and error.event_id in self._own_events:
            pass  # a truncate the server did not take: reported, but no request of the turn failed
        else:
            if not refused and self._turn is not None:
                # An error tied to no request of ours ends the turn all the same: what the turn
                # still waited for is forgotten, so the next ask() starts from a clean count.
                self._pending.clear()
            self._fail_turn(error)
        if self._callbacks["on_error"] is None:
            logger.warning("Realtime API error: %s", error)
        else:
            await self._notify("on_error", error)

    async def _response_done(self, event: dict[str, Any]) -> None:
        raw = event.get("response")
        response: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        status = response.get("status")
        busy = bool(self._tool_tasks or self._queued)
        if self._retry_response:
            self._retry_response = False
            if not busy:
                await self._send({"type": "response.create"})
        if status in ("cancelled", "incomplete", "failed"):
            output = response.get("output")
            cut = [
                item.get("call_id")
                for item in (output if isinstance(output, list) else [])
                if isinstance(item, Mapping)
                and item.get("type") == "function_call"
                and item.get("status") not in (None, "completed")
            ]
            if cut:
                logger.debug(
                    "response ended %s: function calls %r were cut off and will not run", status, cut
                )
        turn = self._turn
        if turn is None:
            return
        if status == "failed":
            status_details = response.get("status_details")
            failure = status_details.get("error") if isinstance(status_details, Mapping) else None
            message = failure.get("message") if isinstance(failure, Mapping) else None
            turn.fail(
                NavaiRealtimeError(
                    self._scrub(f"The response failed: {message}")
                    if isinstance(message, str)
                    else "The response failed.",
                    code=_string_or_none(failure.get("code")) if isinstance(failure, Mapping) else None,
                    event=event,
                    url=self._realtime_url,
                )
            )
            return
        # Calls still running will answer and ask for a response; requested ones will come.
        if busy or self._pending or self._retry_response:
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
        if call.name is None:
            call = attrs.evolve(call, name=name)
        self._calls[call.call_id] = call
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
        answer = tool_output_events(call.call_id, output)
        while True:
            try:
                await self._answer(answer)
            except NavaiError as exc:
                if isinstance(exc, NavaiRealtimeError) and exc.close_code is not None:
                    await self._settled()
                if self._status == "reconnecting":
                    continue  # lost with the old connection: answered on the new one
                logger.debug("could not answer tool call %s: %s", call.call_id, exc)
            break
        self._calls.pop(call.call_id, None)

    async def _answer(self, items: list[dict[str, Any]]) -> None:
        """Send a call's ``function_call_output`` (``items``: none for a blank call id).

        Answers ready in the same turn of the event loop (calls of one response whose
        functions finished together) go out back to back, followed by one
        ``response.create``: the model answers once for all of them, where one request per
        answer would have the server refuse all but the first while a response is active.
        """
        batch = self._answers
        if batch is not None:
            batch.items += items
            await asyncio.shield(batch.sent)
            return
        batch = self._answers = _Answers(items)
        try:
            await asyncio.sleep(0)  # the calls finished with this one join the batch
        finally:
            self._answers = None
        try:
            if batch.items:
                await self._send(*batch.items, {"type": "response.create"})
        except BaseException as exc:
            batch.fail(exc)
            raise
        batch.sent.set_result(None)

    async def _settled(self) -> None:
        """After a send found the connection closed: wait (2 s at most) for the receive loop
        to see it too, so that the session is known to be reopening or ended."""
        deadline = time.monotonic() + 2.0
        while self._status == "connected" and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # -- renewal ---------------------------------------------------------------------

    def _watch_lifetime(self) -> None:
        if self._reconnect and self._session_lifetime is not None:
            self._lifetime = asyncio.create_task(self._renew_when_due(), name="navai-agent-lifetime")

    def _busy(self) -> bool:
        return bool(
            self._turn is not None or self._pending or self._tool_tasks or self._voice_state == "speaking"
        )

    async def _renew_when_due(self) -> None:
        assert self._session_lifetime is not None
        await asyncio.sleep(self._session_lifetime)
        deadline = time.monotonic() + _IDLE_WAIT
        while self._busy() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self._status == "connected":
            self._lifetime = None  # this task ends here; the new session gets its own
            self._begin_renewal("renewal", None)

    def _begin_renewal(self, reason: ReconnectReason, cause: NavaiRealtimeError | None) -> None:
        self._status = "reconnecting"
        self._ready.clear()
        where = f" ({cause.close_code})" if cause is not None else ""
        self._fail_turn(
            NavaiRealtimeError(
                f"The Realtime session ended during this turn{where}; it is being reopened: ask again.",
                code="session_interrupted",
                close_code=cause.close_code if cause is not None else None,
                url=self._realtime_url,
            )
        )
        self._pending.clear()
        self._retry_response = False
        self._partial_texts.clear()
        self._playback.reset()
        logger.info("reopening the Realtime session (%s)", reason)
        self._renewer = asyncio.create_task(self._renew(reason), name="navai-agent-renew")

    async def _renew(self, reason: ReconnectReason) -> None:
        """Open a new session in place of the old one (see the class docstring)."""
        lifetime, self._lifetime = self._lifetime, None
        if lifetime is not None and lifetime is not asyncio.current_task():
            lifetime.cancel()
        await self._drop_connection()
        last: BaseException | None = None
        for attempt in range(1, self._reconnect_attempts + 1):
            if attempt > 1:
                await asyncio.sleep(min(self._reconnect_backoff * 2 ** (attempt - 2), _MAX_BACKOFF))
            try:
                secret = await self._client.create_client_secret(self._secret_input)
                self._secrets.append(secret.value)
                connection = await self._connect(secret.value)
                restored = await self._restore(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                last = exc
                logger.info(
                    "reopening the Realtime session failed (attempt %d): %s", attempt, self._scrub(str(exc))
                )
                await self._drop_connection()
                continue
            self._expired = False
            self._reconnections += 1
            self._status = "connected"
            self._receiver = asyncio.create_task(self._receive(connection), name="navai-agent-receive")
            self._ready.set()
            self._watch_lifetime()
            await self._notify("on_reconnect", Reconnection(reason, attempt, restored))
            return
        error = NavaiRealtimeError(
            self._scrub(
                f"Could not reopen the Realtime session after {self._reconnect_attempts} attempts: {last}"
            ),
            url=self._realtime_url,
        )
        self._renewer = None
        self._status = "connected"  # so that the session ends as any failed one does
        self._receive_ended(error, None)
        self._ready.set()

    async def _drop_connection(self) -> None:
        """Close the current connection and its client, if any (errors ignored)."""
        receiver, self._receiver = self._receiver, None
        connection, self._connection = self._connection, None
        openai_client, self._openai = self._openai, None
        if connection is not None:
            try:
                await connection.close()
            except Exception as exc:
                logger.debug("closing the Realtime connection failed: %s", self._scrub(str(exc)))
        if receiver is not None and receiver is not asyncio.current_task():
            await asyncio.gather(receiver, return_exceptions=True)
        if openai_client is not None:
            await openai_client.close()

    async def _restore(self, connection: AsyncRealtimeConnection) -> int:
        """The new session's ``session.update``, the conversation's texts and the tool calls
        still running; how many items were restored."""
        assert self._runtime is not None
        items = self._history.items()
        for call in self._calls.values():
            arguments = "" if call.payload is None else json.dumps(call.payload, ensure_ascii=False)
            items.append(
                {
                    "type": "conversation.item.create",
                    "item": {"type": "function_call", "call_id": call.call_id, "name": call.name,
                             "arguments": arguments},
                }
            )  # fmt: skip
        await self._write(
            connection, [{"type": "session.update", "session": self._session_config(self._runtime)}, *items]
        )
        return len(items)

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


def _check_seconds(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise NavaiInvalidRequestError(f"{name} must be a positive number of seconds or None; got {value!r}.")


def _event_id() -> str:
    return f"navai_{uuid.uuid4().hex[:20]}"


def _is_async_callable(target: Any) -> bool:
    if inspect.iscoroutinefunction(target):
        return True
    call = getattr(target, "__call__", None)  # noqa: B004
    return not inspect.isfunction(target) and inspect.iscoroutinefunction(call)


def _content_problem(event: Mapping[str, Any], event_type: str) -> str | None:
    """Why a text or audio event cannot be used (ids or delta of the wrong type), else None."""
    for key in ("response_id", "item_id"):
        if not isinstance(event.get(key), str | None):
            return f"its {key} is a {type(event.get(key)).__name__}"
    for key in ("content_index", "output_index"):
        value = event.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"its {key} is a {type(value).__name__}"
    if event_type in _TEXT_DONE:
        text = event.get(_TEXT_DONE[event_type])
        return None if isinstance(text, str | None) else f"its text is a {type(text).__name__}"
    delta = event.get("delta")
    return None if isinstance(delta, str) else f"its delta is a {type(delta).__name__}"
