"""Microphone and speaker for a `NavaiVoiceAgent` in audio mode (``pip install 'navai[audio]'``).

`LocalAudio` opens ``sounddevice`` raw streams at the Realtime API's format (PCM16 mono
24 kHz): what the microphone records is sent with ``agent.send_audio``, and what the agent
says (``on_audio``) is queued for the speaker::

    audio = LocalAudio()
    async with NavaiVoiceAgent(
        client, mode="audio", on_audio=audio.play, stop_playback=audio.stop_playback
    ) as agent:
        async with audio.microphone(agent):
            await agent.wait_closed()

``stop_playback`` is the barge-in: when the user speaks over the agent, the speaker stops at
once and the agent learns how much the user heard (see `NavaiVoiceAgent`).

``sounddevice`` is imported when a stream opens, never at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any, Final, Protocol

from .._exceptions import NavaiError
from .._extras import needs_extra

__all__ = ["SAMPLE_RATE", "AudioSink", "LocalAudio"]

SAMPLE_RATE: Final = 24000
"""Samples per second of the Realtime API's ``audio/pcm`` format (16-bit, mono)."""
_BYTES_PER_FRAME: Final = 2


class AudioSink(Protocol):
    """What the microphone sends to: a `NavaiVoiceAgent`, or anything with ``send_audio``."""

    async def send_audio(self, pcm16: bytes) -> None: ...


def _load_sounddevice() -> Any:
    try:
        with needs_extra("audio", "LocalAudio"):
            return importlib.import_module("sounddevice")
    except OSError as exc:  # sounddevice is installed; the PortAudio library is not
        raise NavaiError(
            f"LocalAudio needs the PortAudio library, which sounddevice could not load ({exc})"
        ) from exc


class LocalAudio:
    """The default (or a chosen) microphone and speaker as PCM16 mono 24 kHz byte streams.

    ``block_ms`` is the size of each microphone chunk sent. ``input_device`` and
    ``output_device`` are ``sounddevice`` device ids or names (None: the defaults).
    ``sounddevice`` may be given (a module or an object with ``RawInputStream`` and
    ``RawOutputStream``); by default it is imported on first use.
    """

    def __init__(
        self,
        *,
        block_ms: int = 40,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        sounddevice: ModuleType | Any | None = None,
    ) -> None:
        self._block_frames = max(1, SAMPLE_RATE * block_ms // 1000)
        self._input_device = input_device
        self._output_device = output_device
        self._sounddevice = sounddevice
        self._pending = bytearray()
        self._played = 0
        self._lock = threading.Lock()
        self._speaker: Any = None

    def _module(self) -> Any:
        if self._sounddevice is None:
            self._sounddevice = _load_sounddevice()
        return self._sounddevice

    @contextlib.asynccontextmanager
    async def microphone(self, sink: AudioSink) -> AsyncIterator[None]:
        """Stream the microphone to ``sink.send_audio`` while the block runs."""
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue()

        def recorded(indata: Any, frames: int, time: Any, status: Any) -> None:
            loop.call_soon_threadsafe(chunks.put_nowait, bytes(indata))

        stream = self._module().RawInputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=self._block_frames,
            device=self._input_device,
            callback=recorded,
        )

        async def forward() -> None:
            while True:
                await sink.send_audio(await chunks.get())

        forwarding = asyncio.create_task(forward())
        stream.start()
        try:
            yield
        finally:
            stream.stop()
            stream.close()
            forwarding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarding

    def play(self, pcm16: bytes) -> None:
        """Queue agent audio for the speaker (an ``on_audio`` callback); opens it on first use."""
        with self._lock:
            self._pending += pcm16
        if self._speaker is None:
            self._speaker = self._module().RawOutputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="int16",
                device=self._output_device,
                callback=self._fill,
            )
            self._speaker.start()

    def play_speech(self, audio: bytes, mime_type: str) -> None:
        """Queue speech the backend synthesized (an ``on_speech`` callback) for the speaker.

        ``audio/pcm`` is taken as PCM16 mono 24 kHz (ask for it with
        ``speech_output_format="pcm_24000"``) and needs no decoder; MP3, WAV, FLAC and Ogg
        Vorbis are decoded to that format by ``miniaudio`` (in ``navai[audio]``).
        """
        if mime_type.split(";")[0].strip().lower() in ("audio/pcm", "audio/l16"):
            self.play(audio)
            return
        with needs_extra("audio", f"Playing {mime_type} speech"):  # audio/pcm needs no decoder
            miniaudio = importlib.import_module("miniaudio")
        try:
            decoded = miniaudio.decode(
                audio, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
            )
        except miniaudio.DecodeError as exc:
            raise NavaiError(f"Cannot decode {mime_type} speech ({len(audio)} bytes): {exc}") from exc
        self.play(bytes(decoded.samples.tobytes()))

    @property
    def played_bytes(self) -> int:
        """Bytes of the audio given to :meth:`play` that went to the speaker so far (silence
        played while nothing was queued not counted)."""
        with self._lock:
            return self._played

    def clear(self) -> None:
        """Drop the audio not played yet (when the user interrupts the agent)."""
        with self._lock:
            self._pending.clear()

    def stop_playback(self) -> int:
        """Stop now: drop the audio not played yet and return :attr:`played_bytes`.

        What `NavaiVoiceAgent` calls on a barge-in (its ``stop_playback`` option), to tell
        the server how much of its answer the user heard. Audio already handed to the device
        still plays out (a block of ``sounddevice``'s latency) and is counted as heard.
        """
        with self._lock:
            self._pending.clear()
            return self._played

    def _fill(self, outdata: Any, frames: int, time: Any, status: Any) -> None:
        wanted = frames * _BYTES_PER_FRAME
        with self._lock:
            chunk = bytes(self._pending[:wanted])
            del self._pending[:wanted]
            self._played += len(chunk)
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) : wanted] = bytes(wanted - len(chunk))

    def close(self) -> None:
        """Stop and close the speaker, if it was opened."""
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            speaker.stop()
            speaker.close()
        self.clear()
