"""Barge-in in audio mode (issue 17, item 3): the user speaks over the agent.

On ``input_audio_buffer.speech_started`` the agent stops the app's playback and sends
``conversation.item.truncate`` for the item being heard, with ``audio_end_ms`` what was
heard. The stand-in checks each truncate as the real server does (a known audio part, no
``audio_end_ms`` past the audio it sent: it answers an ``error`` otherwise).
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest

from navai.agent import LocalAudio
from tests.support.realtime_standin import BYTES_PER_MS, StandInConnection

from .test_audio import FakeSoundDevice
from .test_session import FakeBackend, Session, session

pytestmark = pytest.mark.anyio

SPEECH_STARTED = {"type": "input_audio_buffer.speech_started", "audio_start_ms": 1200, "item_id": "user_1"}


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    yield fake
    fake.stop()


class FakePlayer:
    """An app's speaker: keeps what it is given and reports ``played`` bytes as heard."""

    def __init__(self, played: int | None = 0) -> None:
        self.chunks: list[bytes] = []
        self.played = played
        self.stops = 0

    def play(self, pcm16: bytes) -> None:
        self.chunks.append(pcm16)

    def stop_playback(self) -> int | None:
        self.stops += 1
        return self.played


def audio_delta(item_id: str, ms: int, *, value: int = 1, response_id: str = "resp_1") -> dict[str, Any]:
    pcm = bytes([value]) * (ms * BYTES_PER_MS)
    return {
        "type": "response.output_audio.delta",
        "response_id": response_id,
        "item_id": item_id,
        "output_index": 0,
        "content_index": 0,
        "delta": base64.b64encode(pcm).decode(),
    }


async def speech_over(s: Session, *frames: dict[str, Any]) -> None:
    """Send ``frames``, then the user's speech (the agent handles events in order)."""
    await s.conn.send(*frames, SPEECH_STARTED)


def truncates(conn: StandInConnection) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in e.items() if k != "event_id"} for e in conn.events("conversation.item.truncate")
    ]


async def answered(s: Session, count: int, seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stand-in's answers to the first ``count`` truncates (truncated, or an error)."""
    await s.conn.wait_for("conversation.item.truncate", count=count)
    await eventually(
        lambda: len([e for e in seen if e["type"] in ("conversation.item.truncated", "error")]) >= count
    )
    return [e for e in seen if e["type"] in ("conversation.item.truncated", "error")]


async def eventually(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_speech_over_the_agent_stops_playback_and_truncates_what_was_heard(
    backend: FakeBackend,
) -> None:
    player = FakePlayer(played=125 * BYTES_PER_MS)
    seen: list[dict[str, Any]] = []
    options = {"on_audio": player.play, "stop_playback": player.stop_playback, "on_event": seen.append}
    async with session(backend, mode="audio", **options) as s:
        await speech_over(s, *(audio_delta("item_a", 100, value=v) for v in (1, 2, 3)))
        [answer] = await answered(s, 1, seen)
        assert truncates(s.conn) == [
            {
                "type": "conversation.item.truncate",
                "item_id": "item_a",
                "content_index": 0,
                "audio_end_ms": 125,
            }
        ]
        assert answer["type"] == "conversation.item.truncated"  # the stand-in took it
        assert player.stops == 1
        assert s.agent.voice_state == "idle"
        assert s.seen.states == ["speaking", "idle"]
        # The rest of item_a, still in flight when the user spoke, is not played.
        await s.conn.send(audio_delta("item_a", 100, value=4), {"type": "test.after"})
        await eventually(lambda: seen[-1]["type"] == "test.after")
        assert [c[0] for c in player.chunks] == [1, 2, 3]
        assert s.agent.voice_state == "idle"
        # A new item plays as usual.
        await s.conn.send(audio_delta("item_b", 20, value=5, response_id="resp_2"))
        await eventually(lambda: len(player.chunks) == 4)
        assert s.agent.voice_state == "speaking"
        assert s.seen.errors == []


@pytest.mark.parametrize(
    ("played_ms", "expected"),
    [
        (0, [("item_a", 0), ("item_b", 0)]),
        (150, [("item_a", 150), ("item_b", 0)]),
        (300, [("item_b", 0)]),  # item_a heard to its end: only item_b is cut
        (350, [("item_b", 50)]),
        (500, []),  # everything heard
        (10**9, []),  # a player that over-reports: never past the audio there is
    ],
)
async def test_the_truncate_never_goes_past_the_audio_heard(
    backend: FakeBackend, played_ms: int, expected: list[tuple[str, int]]
) -> None:
    """item_a (300 ms) then item_b (200 ms) were delivered; the player reports ``played_ms``."""
    player = FakePlayer(played=played_ms * BYTES_PER_MS)
    seen: list[dict[str, Any]] = []
    options = {"on_audio": player.play, "stop_playback": player.stop_playback, "on_event": seen.append}
    async with session(backend, mode="audio", **options) as s:
        await speech_over(
            s,
            audio_delta("item_a", 200),
            audio_delta("item_a", 100),
            audio_delta("item_b", 200, response_id="resp_2"),
        )
        if expected:
            answers = await answered(s, len(expected), seen)
            assert [a["type"] for a in answers] == ["conversation.item.truncated"] * len(expected)
        else:
            await s.conn.send({"type": "test.after"})
            await eventually(lambda: seen[-1]["type"] == "test.after")
        assert [(t["item_id"], t["audio_end_ms"]) for t in truncates(s.conn)] == expected
        assert player.stops == 1
        assert s.seen.errors == []


async def test_without_a_report_what_was_heard_is_estimated_from_the_clock(backend: FakeBackend) -> None:
    """No stop_playback: audio is taken to play in real time from its first delta."""
    seen: list[dict[str, Any]] = []
    async with session(backend, mode="audio", on_event=seen.append) as s:
        await s.conn.send(audio_delta("item_a", 500), audio_delta("item_a", 500), {"type": "test.sent"})
        await eventually(lambda: seen[-1]["type"] == "test.sent")
        began = time.monotonic()
        await asyncio.sleep(0.2)
        await s.conn.send(SPEECH_STARTED)
        [answer] = await answered(s, 1, seen)
        elapsed_ms = (time.monotonic() - began) * 1000
        [truncate] = truncates(s.conn)
        assert truncate["item_id"] == "item_a"
        assert 200 <= truncate["audio_end_ms"] <= min(1000, elapsed_ms + 100)
        assert answer["type"] == "conversation.item.truncated"
        assert s.agent.voice_state == "idle"


async def test_speech_with_nothing_playing_or_in_text_mode_sends_no_truncate(backend: FakeBackend) -> None:
    for mode in ("audio", "text"):
        player = FakePlayer(played=0)
        seen: list[dict[str, Any]] = []
        options = {"on_audio": player.play, "stop_playback": player.stop_playback, "on_event": seen.append}
        async with session(backend, mode=mode, **options) as s:
            frames = [] if mode == "audio" else [audio_delta("item_a", 100)]
            await speech_over(s, *frames)
            await s.conn.send({"type": "test.after"})
            await eventually(lambda seen=seen: seen[-1]["type"] == "test.after")
            assert truncates(s.conn) == []
            assert player.stops == 0


async def test_a_refused_truncate_does_not_fail_the_turn(backend: FakeBackend) -> None:
    """The server may refuse a truncate (its item gone): reported through on_error, and the
    ask() in progress goes on."""
    player = FakePlayer(played=50 * BYTES_PER_MS)
    async with session(backend, mode="audio", on_audio=player.play, stop_playback=player.stop_playback) as s:

        async def model() -> None:
            await s.conn.wait_for("response.create")
            await s.conn.send(
                {"type": "response.created", "response": {"id": "resp_1"}}, audio_delta("item_a", 100)
            )
            s.conn.audio_sent.clear()  # the stand-in forgets item_a: the truncate is refused
            await s.conn.send(SPEECH_STARTED)
            await s.conn.wait_for("conversation.item.truncate")
            await s.conn.send(
                {"type": "response.output_audio_transcript.done", "transcript": "Sure."},
                {"type": "response.done", "response": {"id": "resp_1", "status": "completed", "output": []}},
            )

        server = asyncio.create_task(model())
        assert await s.agent.ask("hello", timeout=5) == "Sure."
        await server
        assert [e.code for e in s.seen.errors] == ["invalid_value"]


async def test_local_audio_reports_what_it_played(backend: FakeBackend) -> None:
    """LocalAudio as the agent's player: it counts what went to the speaker, and its
    stop_playback drops the rest."""
    device = FakeSoundDevice()
    audio = LocalAudio(sounddevice=device)
    seen: list[dict[str, Any]] = []
    options = {"on_audio": audio.play, "stop_playback": audio.stop_playback, "on_event": seen.append}
    async with session(backend, mode="audio", **options) as s:
        await s.conn.send(*(audio_delta("item_a", 100, value=v) for v in (1, 2, 3)), {"type": "test.sent"})
        await eventually(lambda: seen[-1]["type"] == "test.sent")
        [speaker] = device.outputs
        out = bytearray(120 * BYTES_PER_MS)
        speaker.callback(out, len(out) // 2, None, None)  # PortAudio pulls 120 ms of it
        assert audio.played_bytes == 120 * BYTES_PER_MS
        await s.conn.send(SPEECH_STARTED)
        await answered(s, 1, seen)
        assert [(t["item_id"], t["audio_end_ms"]) for t in truncates(s.conn)] == [("item_a", 120)]
        speaker.callback(out, len(out) // 2, None, None)
        assert bytes(out) == bytes(len(out))  # the rest was dropped: silence
        assert audio.played_bytes == 120 * BYTES_PER_MS
    audio.close()


async def test_barge_in_after_the_session_was_reopened(backend: FakeBackend) -> None:
    """The app counts what it played over the whole session; after a reconnection the agent
    still finds the item being heard, on the new session."""
    player = FakePlayer(played=150 * BYTES_PER_MS)
    seen: list[dict[str, Any]] = []
    options = {"on_audio": player.play, "stop_playback": player.stop_playback, "on_event": seen.append}
    async with session(backend, mode="audio", **options) as s:
        await s.conn.send(audio_delta("item_a", 100), {"type": "test.sent"})
        await eventually(lambda: seen[-1]["type"] == "test.sent")
        s.conn.drop()
        second = await s.realtime.next_connection()
        await second.wait_for("session.update")
        await eventually(lambda: s.agent.status == "connected")
        await second.send(audio_delta("item_b", 100, response_id="resp_2"), SPEECH_STARTED)
        await second.wait_for("conversation.item.truncate")
        assert [(t["item_id"], t["audio_end_ms"]) for t in truncates(second)] == [("item_b", 50)]
        assert truncates(s.conn) == []
