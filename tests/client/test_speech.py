"""``synthesize_speech`` and the speech provider of a client secret, sync and async (shapes).

The round trip against both real backends is in the cassette scenarios (tests/support/recording.py,
``speech-*``), replayed offline and run live on the Node backend and on navai serve.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import navai
from tests.support.drivers import Driver

BASE = "http://backend.localhost"
GOOD = {"provider": "elevenlabs", "mimeType": "audio/mpeg", "audioBase64": "SUQz"}


def answering(status: int, body: Any, seen: list[httpx2.Request] | None = None) -> Any:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if seen is not None:
            seen.append(request)
        if isinstance(body, bytes):
            return httpx2.Response(status, content=body)
        return httpx2.Response(status, json=body)

    return handler


def test_the_audio_comes_back_decoded_with_its_mime_type(make_driver: Callable[..., Driver]) -> None:
    seen: list[httpx2.Request] = []
    client = make_driver(answering(200, GOOD, seen), api_base_url=BASE)
    speech = client.synthesize_speech("Hola", voice_settings={"stability": 0.5, "use_speaker_boost": False})
    assert speech == navai.SynthesizedSpeech(b"ID3", "audio/mpeg")
    assert speech.provider == "elevenlabs"
    (request,) = seen
    assert str(request.url) == f"{BASE}/navai/speech/synthesize"
    assert json.loads(request.content) == {
        "text": "Hola",
        "voiceSettings": {"stability": 0.5, "useSpeakerBoost": False},
    }


def test_the_path_is_configurable(make_driver: Callable[..., Driver]) -> None:
    seen: list[httpx2.Request] = []
    client = make_driver(
        answering(200, GOOD, seen), api_base_url=f"{BASE}/", speech_synthesize_path="tts/say"
    )
    client.synthesize_speech("x")
    assert str(seen[0].url) == f"{BASE}/tts/say"
    assert client.speech_synthesize_url == f"{BASE}/tts/say"


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "openai", "mimeType": "audio/mpeg", "audioBase64": "SUQz"},
        {"mimeType": "audio/mpeg", "audioBase64": "SUQz"},
        {"provider": "elevenlabs", "mimeType": None, "audioBase64": "SUQz"},
        {"provider": "elevenlabs", "mimeType": "audio/mpeg"},
        {"provider": "elevenlabs", "mimeType": "audio/mpeg", "audioBase64": 7},
        [GOOD],
        b"not json",
        b"",
    ],
    ids=repr,
)
def test_a_body_of_another_shape_is_an_invalid_response(
    make_driver: Callable[..., Driver], body: Any
) -> None:
    client = make_driver(answering(200, body), api_base_url=BASE)
    with pytest.raises(navai.NavaiInvalidResponseError) as info:
        client.synthesize_speech("x")
    assert str(info.value) == "Invalid speech synthesis response."


def test_audio_that_is_not_base64_says_so(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(answering(200, {**GOOD, "audioBase64": "not base64!"}), api_base_url=BASE)
    with pytest.raises(navai.NavaiInvalidResponseError, match=r"audioBase64 is not base64"):
        client.synthesize_speech("x")


def test_a_non_2xx_answer_raises_with_the_response_text(make_driver: Callable[..., Driver]) -> None:
    text = '{"error":"text is required."}'
    client = make_driver(answering(500, text.encode()), api_base_url=BASE)
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.synthesize_speech(" ")
    assert str(info.value) == text
    assert info.value.status_code == 500
    assert info.value.error == "text is required."


def test_an_empty_error_body_is_named_by_its_status(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(answering(502, b""), api_base_url=BASE)
    with pytest.raises(navai.NavaiHTTPError, match=r"^HTTP 502$"):
        client.synthesize_speech("x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": 5}, "text must be a string; got int."),
        ({"text": "x", "voice_id": 1}, "voice_id must be a string or None; got int."),
        ({"text": "x", "optimize_streaming_latency": True}, "optimize_streaming_latency must be a number"),
        ({"text": "x", "voice_settings": {"speed": 1}}, "Unknown voice setting 'speed'"),
        (
            {"text": "x", "voice_settings": {"stability": "high"}},
            "voice_settings['stability'] must be a number",
        ),
        ({"text": "x", "voice_settings": {"use_speaker_boost": 1}}, "must be a boolean; got int"),
        ({"text": "x", "voice_settings": ["stability"]}, "voice_settings must be a mapping or None"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    make_driver: Callable[..., Driver], kwargs: dict[str, Any], message: str
) -> None:
    seen: list[httpx2.Request] = []
    client = make_driver(answering(200, GOOD, seen), api_base_url=BASE)
    kwargs = dict(kwargs)
    text = kwargs.pop("text")
    with pytest.raises(navai.NavaiInvalidRequestError) as info:
        client.synthesize_speech(text, **kwargs)
    assert message in str(info.value)
    assert seen == []


def test_the_repr_shows_the_size_not_the_audio() -> None:
    speech = navai.SynthesizedSpeech(b"\x00" * 4096, "audio/pcm")
    assert (
        repr(speech) == "SynthesizedSpeech(audio=<4096 bytes>, mime_type='audio/pcm', provider='elevenlabs')"
    )


@pytest.mark.parametrize(
    ("extra", "provider"),
    [
        ({"speech": {"provider": "elevenlabs"}}, "elevenlabs"),
        ({"speech": {"provider": "openai"}}, "openai"),
        ({"speech": {"provider": "ElevenLabs"}}, "openai"),
        ({"speech": "elevenlabs"}, "openai"),
        ({}, "openai"),
    ],
)
def test_the_speech_provider_reads_as_the_web_client_reads_it(
    make_driver: Callable[..., Driver], extra: dict[str, Any], provider: str
) -> None:
    client = make_driver(answering(200, {"value": "ek_x", **extra}), api_base_url=BASE)
    assert client.create_client_secret().speech_provider == provider
