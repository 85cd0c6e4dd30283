"""``synthesizeSpeech``: the ElevenLabs call behind the speech route (spec section 6)."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx2

from ..functions._jscompat import is_js_number, read_optional
from ._errors import SpeechError
from ._options import ElevenLabsVoiceSettings, NavaiVoiceBackendOptions, speech_provider, validate_options

__all__ = ["build_speech_request", "mime_type", "synthesize_speech"]

DEFAULT_ELEVENLABS_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_OUTPUT_FORMAT = "mp3_44100_128"


def mime_type(output_format: str | None, content_type: str | None) -> str:
    """The response's Content-Type, else the MIME type of the format's prefix."""
    declared = read_optional(content_type)
    if declared:
        return declared
    normalized = (read_optional(output_format) or "").lower()
    for prefix, mime in (
        ("mp3", "audio/mpeg"),
        ("pcm", "audio/pcm"),
        ("wav", "audio/wav"),
        ("ulaw", "audio/basic"),
    ):
        if normalized.startswith(prefix):
            return mime
    return "audio/mpeg"


def _settings(value: Any) -> dict[str, Any] | None:
    """``sanitizeVoiceSettings`` for request JSON (camelCase) or the options object."""
    if isinstance(value, ElevenLabsVoiceSettings):
        value = {
            "stability": value.stability,
            "similarityBoost": value.similarity_boost,
            "style": value.style,
            "useSpeakerBoost": value.use_speaker_boost,
        }
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    for key, wire in (
        ("stability", "stability"),
        ("similarityBoost", "similarity_boost"),
        ("style", "style"),
    ):
        if is_js_number(value.get(key)):
            out[wire] = value[key]
    if isinstance(value.get("useSpeakerBoost"), bool):
        out["use_speaker_boost"] = value["useSpeakerBoost"]
    return out or None


def build_speech_request(
    opts: NavaiVoiceBackendOptions, body: Any
) -> tuple[str, dict[str, str], dict[str, Any], str]:
    """Validate, then return the URL, headers, JSON body and output format of the upstream call."""
    validate_options(opts)
    if speech_provider(opts.tts_provider) != "elevenlabs":
        raise SpeechError(
            'Speech synthesis is only available when NAVAI_TTS_PROVIDER is set to "elevenlabs".'
        )
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    text = read_optional(fields.get("text"))
    if not text:
        raise SpeechError("text is required.")
    api_key = read_optional(opts.elevenlabs_api_key)
    voice_id = read_optional(fields.get("voiceId")) or read_optional(opts.elevenlabs_voice_id)
    if not api_key or not voice_id:
        raise SpeechError("ElevenLabs API key and voice ID are required.")
    model_id = read_optional(fields.get("modelId")) or read_optional(opts.elevenlabs_model_id)
    output_format = (
        read_optional(fields.get("outputFormat"))
        or read_optional(opts.elevenlabs_output_format)
        or DEFAULT_OUTPUT_FORMAT
    )
    latency = fields.get("optimizeStreamingLatency")
    if not is_js_number(latency):
        latency = opts.elevenlabs_optimize_streaming_latency
    settings = _settings(fields.get("voiceSettings")) or _settings(opts.elevenlabs_voice_settings)
    base = urlsplit(read_optional(opts.elevenlabs_base_url) or DEFAULT_ELEVENLABS_BASE_URL)
    if not base.scheme or not base.netloc:
        raise SpeechError("Invalid URL")
    query = {"output_format": output_format}
    if latency is not None and math.isfinite(latency):
        query["optimize_streaming_latency"] = str(math.floor(latency + 0.5))
    url = (
        f"{base.scheme}://{base.netloc}/v1/text-to-speech/{quote(voice_id, safe='-_.!~*()' + chr(39))}"
        f"?{urlencode(query)}"
    )
    headers = {
        "xi-api-key": api_key,
        "Content-Type": "application/json",
        "Accept": mime_type(output_format, None),
    }
    payload: dict[str, Any] = {"text": text}
    if model_id:
        payload["model_id"] = model_id
    if settings:
        payload["voice_settings"] = settings
    return url, headers, payload, output_format


async def synthesize_speech(
    opts: NavaiVoiceBackendOptions, body: Any, client: httpx2.AsyncClient
) -> dict[str, Any]:
    """Synthesize ``text`` with ElevenLabs: ``{"provider", "mimeType", "audioBase64"}``."""
    url, headers, payload, output_format = build_speech_request(opts, body)
    try:
        response = await client.post(url, headers=headers, json=payload)
    except httpx2.HTTPError:
        raise SpeechError("fetch failed") from None
    if response.status_code < 200 or response.status_code > 299:
        text = response.text.replace(headers["xi-api-key"], "***")
        raise SpeechError(f"ElevenLabs synthesize failed ({response.status_code}): {text}")
    return {
        "provider": "elevenlabs",
        "mimeType": mime_type(output_format, response.headers.get("content-type")),
        "audioBase64": base64.b64encode(response.content).decode("ascii"),
    }
