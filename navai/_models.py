"""The values the clients take and return: small, frozen, and safe to print."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal, TypedDict

import attrs

from ._exceptions import NavaiInvalidRequestError

__all__ = [
    "BackendFunction",
    "BackendFunctionsResult",
    "ClientSecret",
    "ClientSecretFields",
    "CreateRealtimeClientSecretInput",
    "FunctionResult",
]


def mask_secret(value: object) -> str:
    """A stand-in for a secret in reprs: its well-known prefix at most, never its body."""
    if not isinstance(value, str) or not value:
        return repr(value)
    for prefix in ("ek_", "sk-"):
        if value.startswith(prefix):
            return f"'{prefix}***'"
    return "'***'"


@attrs.frozen
class CreateRealtimeClientSecretInput:
    """Options for the Realtime session a client secret is minted for.

    Every field is optional; unset fields are not sent, so the backend's own
    defaults apply. ``api_key`` is only honoured by backends that accept keys
    from requests, and never appears in a repr.
    """

    model: str | None = None
    voice: str | None = None
    instructions: str | None = None
    language: str | None = None
    voice_accent: str | None = None
    voice_tone: str | None = None
    api_key: str | None = attrs.field(default=None, repr=mask_secret)

    @classmethod
    def build(
        cls, input: CreateRealtimeClientSecretInput | Mapping[str, Any] | None, fields: Mapping[str, Any]
    ) -> CreateRealtimeClientSecretInput:
        """Merge an input (instance, mapping with snake_case or wire names, or None) with keyword fields."""
        values: dict[str, Any] = {}
        if isinstance(input, CreateRealtimeClientSecretInput):
            values.update({k: v for k, v in attrs.asdict(input).items() if v is not None})
        elif isinstance(input, Mapping):
            for key, value in input.items():
                values[_field_name(key)] = value
        elif input is not None:
            raise NavaiInvalidRequestError(
                "input must be a CreateRealtimeClientSecretInput, a mapping or None; "
                f"got {type(input).__name__}."
            )
        for key, value in fields.items():
            values[_field_name(key)] = value
        for key, value in values.items():
            if value is not None and not isinstance(value, str):
                raise NavaiInvalidRequestError(f"{key} must be a string or None; got {type(value).__name__}.")
        return cls(**values)


_WIRE_TO_FIELD = {"voiceAccent": "voice_accent", "voiceTone": "voice_tone", "apiKey": "api_key"}
_FIELDS = frozenset(a.name for a in attrs.fields(CreateRealtimeClientSecretInput))


def _field_name(key: object) -> str:
    name = _WIRE_TO_FIELD.get(key, key) if isinstance(key, str) else key
    if name not in _FIELDS:
        raise NavaiInvalidRequestError(
            f"Unknown client-secret field {key!r}; expected one of {', '.join(sorted(_FIELDS))}."
        )
    return str(name)


class ClientSecretFields(TypedDict, total=False):
    """The keyword fields of ``create_client_secret``."""

    model: str | None
    voice: str | None
    instructions: str | None
    language: str | None
    voice_accent: str | None
    voice_tone: str | None
    api_key: str | None


@attrs.frozen
class ClientSecret:
    """An ephemeral OpenAI Realtime client secret minted by the backend.

    ``value`` is what the app hands to the Realtime API; it is masked in reprs.
    ``expires_at`` is Unix seconds, or None when the backend did not say.
    ``extra`` keeps every other field of the response (the backend's ``speech``, say).
    """

    value: str = attrs.field(repr=mask_secret)
    expires_at: int | float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, hash=False, repr=False)

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds until expiry (negative once expired), or None when unknown."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    @property
    def speech_provider(self) -> Literal["openai", "elevenlabs"]:
        """Who speaks the assistant's answers: ``elevenlabs`` when the backend says so
        (``speech.provider``), else ``openai`` (the Realtime model's own voice), as the
        web client 0.1.7 reads it."""
        speech = self.extra.get("speech")
        if isinstance(speech, Mapping) and speech.get("provider") == "elevenlabs":
            return "elevenlabs"
        return "openai"


@attrs.frozen
class SynthesizedSpeech:
    """Audio the backend synthesized (``synthesize_speech``): the bytes and their MIME type.

    ``provider`` is always ``elevenlabs`` (the only provider the route serves). The repr
    shows the audio's size, not its bytes.
    """

    audio: bytes = attrs.field(repr=lambda audio: f"<{len(audio)} bytes>")
    mime_type: str
    provider: Literal["elevenlabs"] = "elevenlabs"


class VoiceSettings(TypedDict, total=False):
    """ElevenLabs voice settings for ``synthesize_speech``; they replace the backend's as a whole."""

    stability: float
    similarity_boost: float
    style: float
    use_speaker_boost: bool


@attrs.frozen
class BackendFunction:
    """One app function the backend exposes."""

    name: str
    description: str | None = None
    source: str | None = None


@attrs.frozen
class BackendFunctionsResult:
    """The backend's function catalog. ``warnings`` says what could not be loaded, and why.

    ``failed`` is true when the list itself could not be loaded (no connection, a non-2xx
    answer, a body that is not a JSON object): the functions are then missing, not absent.
    """

    functions: list[BackendFunction] = attrs.field(factory=list, hash=False)
    warnings: list[str] = attrs.field(factory=list, hash=False)
    failed: bool = False

    def names(self) -> list[str]:
        return [function.name for function in self.functions]


@attrs.frozen
class FunctionResult:
    """A successful execution as the backend reported it.

    ``has_result`` tells ``"result": null`` (True) from an answer without ``result``
    (False: a JS function that returned nothing); ``result`` is None in both.
    """

    result: Any = attrs.field(hash=False)
    function_name: str | None = None
    source: str | None = None
    has_result: bool = attrs.field(
        default=attrs.Factory(lambda self: self.result is not None, takes_self=True), kw_only=True
    )
