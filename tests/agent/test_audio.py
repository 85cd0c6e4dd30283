"""LocalAudio, the microphone/speaker helper, with a fake ``sounddevice``.

No real device is used: test machines and CI have no sound card (and ``sounddevice``
needs the PortAudio library, which is not installed here). The fake streams stand in
for PortAudio: the test calls their callbacks as its audio thread would, from another
thread, with the buffers PortAudio would pass.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest

from navai import NavaiError
from navai.agent import LocalAudio

pytestmark = pytest.mark.anyio


class FakeStream:
    def __init__(self, **options: Any) -> None:
        self.options = options
        self.callback = options["callback"]
        self.events: list[str] = []

    def start(self) -> None:
        self.events.append("start")

    def stop(self) -> None:
        self.events.append("stop")

    def close(self) -> None:
        self.events.append("close")


class FakeSoundDevice:
    def __init__(self) -> None:
        self.inputs: list[FakeStream] = []
        self.outputs: list[FakeStream] = []

    def RawInputStream(self, **options: Any) -> FakeStream:
        self.inputs.append(FakeStream(**options))
        return self.inputs[-1]

    def RawOutputStream(self, **options: Any) -> FakeStream:
        self.outputs.append(FakeStream(**options))
        return self.outputs[-1]


class Sink:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send_audio(self, pcm16: bytes) -> None:
        self.sent.append(pcm16)


async def test_the_microphone_streams_to_the_agent() -> None:
    device = FakeSoundDevice()
    sink = Sink()
    audio = LocalAudio(sounddevice=device, block_ms=20, input_device="USB mic")
    async with audio.microphone(sink):
        [stream] = device.inputs
        assert {k: v for k, v in stream.options.items() if k != "callback"} == {
            "samplerate": 24000,
            "channels": 1,
            "dtype": "int16",
            "blocksize": 480,
            "device": "USB mic",
        }
        assert stream.events == ["start"]
        chunks = [b"\x01\x00" * 480, b"\x02\x00" * 480]
        portaudio = threading.Thread(
            target=lambda: [stream.callback(memoryview(c), 480, None, None) for c in chunks]
        )
        portaudio.start()
        portaudio.join()
        for _ in range(100):
            if len(sink.sent) == 2:
                break
            await asyncio.sleep(0.01)
        assert sink.sent == chunks
    assert stream.events == ["start", "stop", "close"]


def test_the_speaker_plays_queued_audio_then_silence() -> None:
    device = FakeSoundDevice()
    audio = LocalAudio(sounddevice=device)
    audio.play(b"\x01\x02\x03\x04")
    audio.play(b"\x05\x06")
    [stream] = device.outputs
    assert stream.options["samplerate"] == 24000
    assert stream.events == ["start"]
    out = bytearray(b"\xff" * 8)
    stream.callback(out, 4, None, None)
    assert bytes(out) == b"\x01\x02\x03\x04\x05\x06\x00\x00"
    audio.play(b"\x07\x08")
    audio.clear()
    stream.callback(out, 4, None, None)
    assert bytes(out) == bytes(8)
    audio.close()
    assert stream.events == ["start", "stop", "close"]
    assert len(device.outputs) == 1


def test_without_sounddevice_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # what an import of a missing package does
    audio = LocalAudio()
    with pytest.raises(NavaiError, match=r"pip install 'navai\[audio\]'"):
        audio.play(b"\x00\x00")


def _wav(samples: list[int], rate: int) -> bytes:
    import io
    import struct
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return out.getvalue()


def test_play_speech_queues_pcm_as_it_is_and_decodes_other_formats_to_24_khz() -> None:
    device = FakeSoundDevice()
    audio = LocalAudio(sounddevice=device)
    audio.play_speech(b"\x01\x00\x02\x00", "audio/pcm")
    assert audio.stop_playback() == 0  # queued, nothing played yet
    one_second_at_48k = _wav([1000] * 48000, 48000)
    audio.play_speech(one_second_at_48k, "audio/wav")
    (speaker,) = device.outputs
    wanted = 24000 * 2
    out = bytearray(wanted)
    speaker.callback(out, 24000, None, None)
    assert audio.played_bytes == wanted  # one second at 24 kHz, 16-bit mono
    assert len(out) == wanted


def test_play_speech_says_what_it_cannot_decode() -> None:
    audio = LocalAudio(sounddevice=FakeSoundDevice())
    with pytest.raises(NavaiError, match=r"Cannot decode audio/mpeg speech \(5 bytes\)"):
        audio.play_speech(b"nope!", "audio/mpeg")
