"""SpeechPlayback: the web runtime 0.1.7's ElevenLabs mode, with no I/O (a fake backend and player)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from navai import SynthesizedSpeech
from navai.agent._speech import SpeechPlayback, assistant_text

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {"type": "response.output_text.done", "response_id": "r1", "item_id": "i1", "text": "  Hola  "},
            ("response.output_text.done:r1:i1", "Hola"),
        ),
        ({"type": "response.text.done", "text": "Hi"}, ("response.text.done:Hi", "Hi")),
        (
            {
                "type": "response.audio_transcript.done",
                "response_id": "",
                "item_id": "i2",
                "transcript": "Yo",
            },
            ("response.audio_transcript.done:i2", "Yo"),
        ),
        ({"type": "response.output_text.done", "text": "   "}, None),
        (
            {"type": "response.output_text.done", "text": 5, "transcript": "from transcript"},
            ("response.output_text.done:from transcript", "from transcript"),
        ),
        (
            {
                "type": "response.done",
                "response": {
                    "id": "r9",
                    "output": [
                        {"type": "function_call", "name": "x"},
                        {
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "output_text", "text": "no"}],
                        },
                        {
                            "type": "message",
                            "role": "assistant",
                            "content": [
                                {"type": "output_text", "text": " one "},
                                {"type": "output_audio", "transcript": "two"},
                                {"type": "output_audio", "text": "not a transcript"},
                                "junk",
                            ],
                        },
                    ],
                },
            },
            ("response.done:r9", "one\ntwo"),
        ),
        ({"type": "response.done", "response": {"id": "", "output": []}}, None),
        (
            {
                "type": "response.done",
                "response": {
                    "output": [
                        {
                            "type": "message",
                            "role": "assistant",
                            "content": [{"type": "output_text", "text": "t"}],
                        }
                    ]
                },
            },
            ("response.done:t", "t"),
        ),
        ({"type": "response.output_audio.delta", "delta": "AAAA"}, None),
    ],
)
def test_assistant_texts_are_read_as_the_web_runtime_reads_them(
    event: dict[str, Any], expected: tuple[str, str] | None
) -> None:
    assert assistant_text(event) == expected


class Backend:
    """``synthesize_speech`` that waits until released, so a test can talk over it."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.release = asyncio.Event()
        self.release.set()

    async def synthesize(self, text: str) -> SynthesizedSpeech:
        self.texts.append(text)
        await self.release.wait()
        return SynthesizedSpeech(text.encode(), "audio/mpeg")


def _text(text: str, response_id: str) -> dict[str, Any]:
    return {"type": "response.output_text.done", "response_id": response_id, "item_id": "i", "text": text}


async def test_each_new_text_is_synthesized_once_and_played_with_its_mime_type() -> None:
    backend = Backend()
    played: list[tuple[bytes, str]] = []
    states: list[str] = []
    playback = SpeechPlayback(
        backend.synthesize, lambda audio, mime: played.append((audio, mime)), on_state=states.append
    )
    playback.handle(_text("Hola", "r1"))
    playback.handle(_text("Hola", "r1"))  # the same text event again: spoken once
    await playback.wait()
    assert backend.texts == ["Hola"]
    assert played == [(b"Hola", "audio/mpeg")]
    assert states == ["speaking", "idle"]
    assert playback.spoken == 1


async def test_the_user_talking_stops_playback_and_drops_a_pending_synthesis() -> None:
    backend = Backend()
    backend.release.clear()
    played: list[bytes] = []
    stopped: list[bool] = []
    states: list[str] = []
    playback = SpeechPlayback(
        backend.synthesize,
        lambda audio, mime: played.append(audio),
        stop=lambda: stopped.append(True),
        on_state=states.append,
    )
    playback.handle(_text("A long answer", "r1"))
    await asyncio.sleep(0)
    playback.handle({"type": "input_audio_buffer.speech_started"})
    backend.release.set()
    await asyncio.sleep(0.01)
    assert backend.texts == ["A long answer"]
    assert played == []
    assert stopped == [True]
    assert states == ["speaking", "idle"]


async def test_an_async_player_keeps_the_voice_speaking_until_it_finishes() -> None:
    backend = Backend()
    finished = asyncio.Event()
    states: list[str] = []

    async def play(audio: bytes, mime: str) -> None:
        await finished.wait()

    playback = SpeechPlayback(backend.synthesize, play, on_state=states.append)
    playback.handle(_text("Hi", "r1"))
    await asyncio.sleep(0.01)
    assert states == ["speaking"]
    finished.set()
    await asyncio.sleep(0.01)
    assert states == ["speaking", "idle"]


async def test_a_new_answer_replaces_the_one_still_playing() -> None:
    backend = Backend()
    started: list[bytes] = []
    never = asyncio.Event()

    async def play(audio: bytes, mime: str) -> None:
        started.append(audio)
        await never.wait()

    playback = SpeechPlayback(backend.synthesize, play)
    playback.handle(_text("first", "r1"))
    await asyncio.sleep(0.01)
    playback.handle(_text("second", "r2"))
    await asyncio.sleep(0.01)
    assert started == [b"first", b"second"]
    await playback.aclose()


async def test_a_failed_synthesis_is_logged_and_the_voice_goes_idle(caplog: pytest.LogCaptureFixture) -> None:
    async def failing(text: str) -> SynthesizedSpeech:
        raise RuntimeError("ElevenLabs said no")

    states: list[str] = []
    playback = SpeechPlayback(failing, lambda audio, mime: None, on_state=states.append)
    playback.handle(_text("Hola", "r1"))
    await playback.wait()
    assert states == ["speaking", "idle"]
    assert "navai agent speech failed for a text of 4 characters" in caplog.text
    assert "Hola" not in caplog.text
