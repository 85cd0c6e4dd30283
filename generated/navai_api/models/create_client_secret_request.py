from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

T = TypeVar("T", bound="CreateClientSecretRequest")


@_attrs_define
class CreateClientSecretRequest:
    """Options for the Realtime session the secret is minted for."""

    model: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    voice: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    instructions: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    language: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    voice_accent: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    voice_tone: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    api_key: str | Unset = _attrs_field(
        default=UNSET, validator=is_json(str), repr=False
    )
    """ An OpenAI API key, when the backend accepts keys from requests. A secret (`format: password`): the generated
    model leaves it out of its repr. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model = self.model

        voice = self.voice

        instructions = self.instructions

        language = self.language

        voice_accent = self.voice_accent

        voice_tone = self.voice_tone

        api_key = self.api_key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if model is not UNSET:
            field_dict["model"] = model
        if voice is not UNSET:
            field_dict["voice"] = voice
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if language is not UNSET:
            field_dict["language"] = language
        if voice_accent is not UNSET:
            field_dict["voiceAccent"] = voice_accent
        if voice_tone is not UNSET:
            field_dict["voiceTone"] = voice_tone
        if api_key is not UNSET:
            field_dict["apiKey"] = api_key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"CreateClientSecretRequest must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        model = d.pop("model", UNSET)

        voice = d.pop("voice", UNSET)

        instructions = d.pop("instructions", UNSET)

        language = d.pop("language", UNSET)

        voice_accent = d.pop("voiceAccent", UNSET)

        voice_tone = d.pop("voiceTone", UNSET)

        api_key = d.pop("apiKey", UNSET)

        create_client_secret_request = cls(
            model=model,
            voice=voice,
            instructions=instructions,
            language=language,
            voice_accent=voice_accent,
            voice_tone=voice_tone,
            api_key=api_key,
        )

        create_client_secret_request.additional_properties = d
        return create_client_secret_request

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
