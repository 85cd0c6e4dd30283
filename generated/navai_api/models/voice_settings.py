from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

T = TypeVar("T", bound="VoiceSettings")


@_attrs_define
class VoiceSettings:
    stability: float | Unset = _attrs_field(default=UNSET, validator=is_json(float))
    similarity_boost: float | Unset = _attrs_field(
        default=UNSET, validator=is_json(float)
    )
    style: float | Unset = _attrs_field(default=UNSET, validator=is_json(float))
    use_speaker_boost: bool | Unset = _attrs_field(
        default=UNSET, validator=is_json(bool)
    )
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stability = self.stability

        similarity_boost = self.similarity_boost

        style = self.style

        use_speaker_boost = self.use_speaker_boost

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if stability is not UNSET:
            field_dict["stability"] = stability
        if similarity_boost is not UNSET:
            field_dict["similarityBoost"] = similarity_boost
        if style is not UNSET:
            field_dict["style"] = style
        if use_speaker_boost is not UNSET:
            field_dict["useSpeakerBoost"] = use_speaker_boost

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"VoiceSettings must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        stability = d.pop("stability", UNSET)

        similarity_boost = d.pop("similarityBoost", UNSET)

        style = d.pop("style", UNSET)

        use_speaker_boost = d.pop("useSpeakerBoost", UNSET)

        voice_settings = cls(
            stability=stability,
            similarity_boost=similarity_boost,
            style=style,
            use_speaker_boost=use_speaker_boost,
        )

        voice_settings.additional_properties = d
        return voice_settings

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
