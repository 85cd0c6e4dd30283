"""The assistant speaking through the backend (ElevenLabs), as the web runtime 0.1.7 does it.

When the minted client secret names ElevenLabs as the speech provider, the Realtime
session runs with text output only, and each completed assistant text is synthesized by
the backend (``synthesize_speech``) and handed to the app (``on_speech(audio, mime_type)``).
`SpeechPlayback` is that logic with no I/O of its own: it reads assistant texts from
Realtime events (each text spoken once, by the key the web runtime uses), keeps one
playback at a time, and forgets a synthesis that the user talked over (the generation
counter of 0.1.7): the user starting to speak stops playback and drops what was pending.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._models import SynthesizedSpeech
from ._js import js_trim

__all__ = ["SpeechPlayback", "assistant_text"]

logger = logging.getLogger("navai.agent")

_TEXT_DONE = ("response.output_text.done", "response.text.done", "response.audio_transcript.done")
_USER_STARTED = ("input_audio_buffer.speech_started", "conversation.item.input_audio_transcription.started")

Synthesize = Callable[[str], Awaitable[SynthesizedSpeech]]
OnSpeech = Callable[[bytes, str], Any]
OnState = Callable[[str], Any]


def _output_text(output: list[Any]) -> str:
    """The assistant message text of a ``response.done`` output: ``output_text`` texts and
    ``output_audio`` transcripts, trimmed, joined by newlines."""
    texts: list[str] = []
    for item in output:
        if not isinstance(item, Mapping) or item.get("type") != "message" or item.get("role") != "assistant":
            continue
        content = item.get("content")
        for part in content if isinstance(content, list) else []:
            if not isinstance(part, Mapping):
                continue
            field = {"output_text": "text", "output_audio": "transcript"}.get(part.get("type"))  # type: ignore[arg-type]
            value = part.get(field) if field else None
            text = js_trim(value) if isinstance(value, str) else ""
            if text:
                texts.append(text)
    return js_trim("\n".join(texts))


def assistant_text(event: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(key, text)`` of a completed assistant text in ``event``, or None.

    ``response.output_text.done`` (and the older ``response.text.done``,
    ``response.audio_transcript.done``) by response and item id; else a ``response.done``
    whose output holds assistant text, by response id. The key says which texts were
    already spoken.
    """
    kind = event.get("type")
    if kind in _TEXT_DONE:
        raw = event.get("text") if isinstance(event.get("text"), str) else event.get("transcript")
        text = js_trim(raw) if isinstance(raw, str) else ""
        if not text:
            return None
        ids = [
            value
            for value in (event.get("response_id"), event.get("item_id"))
            if isinstance(value, str) and value
        ]
        key = ":".join([kind, *ids]) if ids else f"{kind}:{text}"
        return key, text
    response = event.get("response")
    if kind == "response.done" and isinstance(response, Mapping) and isinstance(response.get("output"), list):
        text = _output_text(response["output"])
        if not text:
            return None
        response_id = response.get("id")
        return (
            f"response.done:{response_id}" if isinstance(response_id, str) else f"response.done:{text}"
        ), text
    return None


async def _settle(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


class SpeechPlayback:
    """One assistant voice through the backend: synthesize each new text, play one at a time.

    ``synthesize`` is the backend client's ``synthesize_speech`` (with the agent's
    options); ``on_speech(audio, mime_type)`` plays it (an awaitable it returns is awaited:
    the voice state stays ``speaking`` until it completes); ``stop()`` stops what is
    playing now (called when the user talks over it); ``on_state`` (sync) gets
    ``speaking`` and ``idle``. A failed synthesis or playback is logged and ends that text.
    """

    def __init__(
        self,
        synthesize: Synthesize,
        on_speech: OnSpeech | None,
        *,
        stop: Callable[[], Any] | None = None,
        on_state: OnState | None = None,
    ) -> None:
        self._synthesize = synthesize
        self._on_speech = on_speech
        self._stop = stop
        self._on_state = on_state
        self._spoken: set[str] = set()
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self.spoken = 0
        """Texts played to the end (or handed to a sync ``on_speech``)."""

    def handle(self, event: Mapping[str, Any]) -> None:
        """React to one server event: the user talking stops playback; a new text is spoken."""
        kind = event.get("type")
        if kind in _USER_STARTED:
            self.interrupt()
            return
        found = assistant_text(event)
        if found is None or found[0] in self._spoken:
            return
        self._spoken.add(found[0])
        self._play(found[1])

    def interrupt(self) -> None:
        """Stop what is playing and forget what is being synthesized."""
        self._generation += 1
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            if self._stop is not None:
                try:
                    self._stop()
                except Exception:
                    logger.exception("navai agent speech stop() failed")
            self._state("idle")

    async def wait(self) -> None:
        """Until what is being synthesized or played now has ended."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop, and wait for the playback task to end."""
        task = self._task
        self.interrupt()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    def _play(self, text: str) -> None:
        previous = self._task
        if previous is not None and not previous.done():
            previous.cancel()  # a new answer replaces the one still playing, as in 0.1.7
        self._generation += 1
        self._task = asyncio.get_running_loop().create_task(self._speak(text, self._generation))

    async def _speak(self, text: str, generation: int) -> None:
        self._state("speaking")
        try:
            speech = await self._synthesize(text)
            if generation != self._generation:
                return
            if self._on_speech is not None:
                await _settle(self._on_speech(speech.audio, speech.mime_type))
            self.spoken += 1
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("navai agent speech failed for a text of %d characters", len(text))
        finally:
            if generation == self._generation:
                self._state("idle")

    def _state(self, state: str) -> None:
        if self._on_state is None:
            return
        try:
            self._on_state(state)
        except Exception:
            logger.exception("navai agent voice-state callback failed")
