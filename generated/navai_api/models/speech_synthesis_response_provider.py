from typing import Literal

SpeechSynthesisResponseProvider = Literal["elevenlabs"]

SPEECH_SYNTHESIS_RESPONSE_PROVIDER_VALUES: set[SpeechSynthesisResponseProvider] = {
    "elevenlabs",
}


def check_speech_synthesis_response_provider(
    value: str,
) -> SpeechSynthesisResponseProvider:
    if value in SPEECH_SYNTHESIS_RESPONSE_PROVIDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SPEECH_SYNTHESIS_RESPONSE_PROVIDER_VALUES!r}"
    )
