from typing import Literal

SpeechConfigProvider = Literal["elevenlabs", "openai"]

SPEECH_CONFIG_PROVIDER_VALUES: set[SpeechConfigProvider] = {
    "elevenlabs",
    "openai",
}


def check_speech_config_provider(value: str) -> SpeechConfigProvider:
    if value in SPEECH_CONFIG_PROVIDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SPEECH_CONFIG_PROVIDER_VALUES!r}"
    )
