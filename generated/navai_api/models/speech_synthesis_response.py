from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.speech_synthesis_response_provider import (
    SpeechSynthesisResponseProvider,
    check_speech_synthesis_response_provider,
)
from ..types import is_json

T = TypeVar("T", bound="SpeechSynthesisResponse")


@_attrs_define
class SpeechSynthesisResponse:
    provider: SpeechSynthesisResponseProvider
    mime_type: str = _attrs_field(validator=is_json(str))
    """ ElevenLabs' `Content-Type`, else the MIME type of the output format. """
    audio_base_64: str = _attrs_field(validator=is_json(str))
    """ The audio bytes, base64-encoded. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        provider: str = self.provider

        mime_type = self.mime_type

        audio_base_64 = self.audio_base_64

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "provider": provider,
                "mimeType": mime_type,
                "audioBase64": audio_base_64,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"SpeechSynthesisResponse must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        provider = check_speech_synthesis_response_provider(d.pop("provider"))

        mime_type = d.pop("mimeType")

        audio_base_64 = d.pop("audioBase64")

        speech_synthesis_response = cls(
            provider=provider,
            mime_type=mime_type,
            audio_base_64=audio_base_64,
        )

        speech_synthesis_response.additional_properties = d
        return speech_synthesis_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
