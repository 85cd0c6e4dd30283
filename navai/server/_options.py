"""Backend options, their environment twins and startup validation (spec sections 3-4)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from ..functions._jscompat import js_number, js_number_text, js_trim, read_optional
from ._errors import NavaiConfigurationError

__all__ = [
    "ElevenLabsVoiceSettings",
    "NavaiVoiceBackendOptions",
    "backend_options_from_env",
    "speech_provider",
    "validate_options",
]

MIN_TTL_SECONDS = 10
MAX_TTL_SECONDS = 7200
DEFAULT_TTL_SECONDS = 600

SpeechProvider = Literal["openai", "elevenlabs"]


@dataclass(frozen=True)
class ElevenLabsVoiceSettings:
    """``elevenLabsVoiceSettings``; None means unset."""

    stability: float | None = None
    similarity_boost: float | None = None
    style: float | None = None
    use_speaker_boost: bool | None = None

    def is_empty(self) -> bool:
        """True when no setting is set (Node then leaves the whole object undefined)."""
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True)
class NavaiVoiceBackendOptions:
    """``NavaiVoiceBackendOptions`` in snake_case; None means undefined. Keys never show in reprs."""

    openai_api_key: str | None = field(default=None, repr=False)
    default_model: str | None = None
    default_voice: str | None = None
    default_instructions: str | None = None
    default_language: str | None = None
    default_voice_accent: str | None = None
    default_voice_tone: str | None = None
    client_secret_ttl_seconds: float | None = None
    allow_api_key_from_request: bool = False
    tts_provider: str | None = None
    elevenlabs_api_key: str | None = field(default=None, repr=False)
    elevenlabs_base_url: str | None = None
    elevenlabs_voice_id: str | None = None
    elevenlabs_model_id: str | None = None
    elevenlabs_output_format: str | None = None
    elevenlabs_optimize_streaming_latency: float | None = None
    elevenlabs_voice_settings: ElevenLabsVoiceSettings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NavaiVoiceBackendOptions:
        """``getNavaiVoiceBackendOptionsFromEnv``."""
        return backend_options_from_env(env)


def speech_provider(value: Any) -> SpeechProvider:
    """``elevenlabs`` when the trimmed, lower-cased value says so, else ``openai``."""
    text = read_optional(value)
    return "elevenlabs" if text is not None and text.lower() == "elevenlabs" else "openai"


def _optional_number(value: str | None) -> float | None:
    text = read_optional(value)
    if text is None:
        return None
    number = js_number(text)
    return number if math.isfinite(number) else None


def _optional_bool(value: str | None) -> bool | None:
    text = read_optional(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    return None


def backend_options_from_env(env: Mapping[str, str] | None = None) -> NavaiVoiceBackendOptions:
    """Read the options from ``OPENAI_*``, ``NAVAI_*`` and ``ELEVENLABS_*`` variables."""
    env = os.environ if env is None else env
    api_key = env.get("OPENAI_API_KEY")
    allow = (env.get("NAVAI_ALLOW_FRONTEND_API_KEY") or "false").lower() == "true"
    settings = ElevenLabsVoiceSettings(
        stability=_optional_number(env.get("ELEVENLABS_STABILITY")),
        similarity_boost=_optional_number(env.get("ELEVENLABS_SIMILARITY_BOOST")),
        style=_optional_number(env.get("ELEVENLABS_STYLE")),
        use_speaker_boost=_optional_bool(env.get("ELEVENLABS_USE_SPEAKER_BOOST")),
    )
    ttl_text = env.get("OPENAI_REALTIME_CLIENT_SECRET_TTL")
    return NavaiVoiceBackendOptions(
        openai_api_key=api_key,
        default_model=env.get("OPENAI_REALTIME_MODEL"),
        default_voice=env.get("OPENAI_REALTIME_VOICE"),
        default_instructions=env.get("OPENAI_REALTIME_INSTRUCTIONS"),
        default_language=env.get("OPENAI_REALTIME_LANGUAGE"),
        default_voice_accent=env.get("OPENAI_REALTIME_VOICE_ACCENT"),
        default_voice_tone=env.get("OPENAI_REALTIME_VOICE_TONE"),
        client_secret_ttl_seconds=js_number("600" if ttl_text is None else ttl_text),
        allow_api_key_from_request=allow or not (api_key and js_trim(api_key)),
        tts_provider=speech_provider(env.get("NAVAI_TTS_PROVIDER")),
        elevenlabs_api_key=env.get("ELEVENLABS_API_KEY"),
        elevenlabs_base_url=env.get("ELEVENLABS_BASE_URL"),
        elevenlabs_voice_id=env.get("ELEVENLABS_VOICE_ID"),
        elevenlabs_model_id=env.get("ELEVENLABS_MODEL_ID"),
        elevenlabs_output_format=env.get("ELEVENLABS_OUTPUT_FORMAT"),
        elevenlabs_optimize_streaming_latency=_optional_number(
            env.get("ELEVENLABS_OPTIMIZE_STREAMING_LATENCY")
        ),
        elevenlabs_voice_settings=None if settings.is_empty() else settings,
    )


def ttl_seconds(opts: NavaiVoiceBackendOptions) -> float:
    """``clientSecretTtlSeconds ?? 600``."""
    ttl = opts.client_secret_ttl_seconds
    return DEFAULT_TTL_SECONDS if ttl is None else ttl


def validate_options(opts: NavaiVoiceBackendOptions) -> None:
    """Raise ``ValueError`` with the package's exact message when the options are unusable."""
    if not (opts.openai_api_key and js_trim(opts.openai_api_key)) and not opts.allow_api_key_from_request:
        raise NavaiConfigurationError("Missing openaiApiKey in NavaiVoiceBackendOptions.")
    ttl = ttl_seconds(opts)
    if ttl < MIN_TTL_SECONDS or ttl > MAX_TTL_SECONDS:  # NaN passes, as in JS
        raise NavaiConfigurationError(
            f"clientSecretTtlSeconds must be between {MIN_TTL_SECONDS} and {MAX_TTL_SECONDS}. "
            f"Received: {js_number_text(ttl)}"
        )
    if speech_provider(opts.tts_provider) == "elevenlabs":
        if read_optional(opts.elevenlabs_api_key) is None:
            raise NavaiConfigurationError("Missing elevenLabsApiKey in NavaiVoiceBackendOptions.")
        if read_optional(opts.elevenlabs_voice_id) is None:
            raise NavaiConfigurationError("Missing elevenLabsVoiceId in NavaiVoiceBackendOptions.")
