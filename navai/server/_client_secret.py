"""``createRealtimeClientSecret``: the upstream OpenAI call behind the client-secret route."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..functions._jscompat import js_trim, json_number, read_optional
from ._errors import UpstreamError
from ._options import NavaiVoiceBackendOptions, speech_provider, ttl_seconds, validate_options
from ._v8json import JSONSyntaxError, parse_json

__all__ = ["build_client_secret_request", "create_realtime_client_secret", "resolve_api_key"]

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
_MISSING = object()


def _field(body: Any, name: str) -> Any:
    """``req?.name``: None for a missing key, a non-object body or no body."""
    return body.get(name) if isinstance(body, Mapping) else None


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


def resolve_api_key(opts: NavaiVoiceBackendOptions, body: Any) -> str:
    """The server key wins; else the request's ``apiKey`` when allowed."""
    if opts.openai_api_key and js_trim(opts.openai_api_key):
        return js_trim(opts.openai_api_key)
    request_key = read_optional(_field(body, "apiKey"), "req?.apiKey?")
    if request_key:
        if not opts.allow_api_key_from_request:
            raise ValueError(
                "Passing apiKey from request is disabled. Set allowApiKeyFromRequest=true to enable it."
            )
        return request_key
    raise ValueError("Missing API key. Configure openaiApiKey or send apiKey in request.")


def build_instructions(base: Any, language: Any, accent: Any, tone: Any) -> str:
    """``buildSessionInstructions``: base, then the language, accent and tone lines."""
    if not isinstance(base, str):
        raise TypeError("input.baseInstructions.trim is not a function")
    lines = [js_trim(base)]
    language, accent, tone = read_optional(language), read_optional(accent), read_optional(tone)
    if language:
        lines.append(f"Always reply in {language}.")
    if accent:
        lines.append(f"Use a {accent} accent while speaking.")
    if tone:
        lines.append(f"Use a {tone} tone while speaking.")
    return "\n".join(lines)


def build_client_secret_request(opts: NavaiVoiceBackendOptions, body: Any) -> tuple[str, dict[str, Any]]:
    """Validate, then return the API key and the upstream JSON body (spec 5.5)."""
    validate_options(opts)
    api_key = resolve_api_key(opts, body)
    provider = speech_provider(opts.tts_provider)
    model = _coalesce(_field(body, "model"), opts.default_model, "gpt-realtime")
    voice = _coalesce(_field(body, "voice"), opts.default_voice, "marin")
    instructions = build_instructions(
        _coalesce(_field(body, "instructions"), opts.default_instructions, "You are a helpful assistant."),
        _coalesce(_field(body, "language"), opts.default_language),
        _coalesce(_field(body, "voiceAccent"), opts.default_voice_accent),
        _coalesce(_field(body, "voiceTone"), opts.default_voice_tone),
    )
    session: dict[str, Any] = {"type": "realtime", "model": model, "instructions": instructions}
    if provider == "elevenlabs":
        session["output_modalities"] = ["text"]
    else:
        session["audio"] = {"output": {"voice": voice}}
    request = {
        "expires_after": {"anchor": "created_at", "seconds": json_number(ttl_seconds(opts))},
        "session": session,
    }
    return api_key, request


async def create_realtime_client_secret(
    opts: NavaiVoiceBackendOptions, body: Any, client: Any
) -> dict[str, Any]:
    """Mint a client secret with ``client`` (an ``openai.AsyncOpenAI``).

    Returns ``value``, ``expires_at`` (when upstream sent them) and ``speech``.
    """
    import openai

    api_key, request = build_client_secret_request(opts, body)
    try:
        raw = await client.with_options(api_key=api_key).realtime.client_secrets.with_raw_response.create(
            expires_after=request["expires_after"], session=request["session"]
        )
    except openai.APIStatusError as exc:
        text = exc.response.text.replace(api_key, "***")
        raise UpstreamError(f"OpenAI client_secrets failed ({exc.response.status_code}): {text}") from None
    except openai.APIConnectionError:
        raise UpstreamError("fetch failed") from None
    try:
        payload = parse_json(raw.http_response.text)
    except JSONSyntaxError as exc:
        raise UpstreamError(str(exc)) from None
    result: dict[str, Any] = {}
    if isinstance(payload, Mapping):
        for key in ("value", "expires_at"):
            if key in payload:
                result[key] = payload[key]
    result["speech"] = {"provider": speech_provider(opts.tts_provider)}
    return result


def dumps_request(request: Mapping[str, Any]) -> str:
    """The upstream body as Node serialises it (compact JSON)."""
    return json.dumps(request, separators=(",", ":"), ensure_ascii=False)
