from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

if TYPE_CHECKING:
    from ..models.voice_settings import VoiceSettings


T = TypeVar("T", bound="SynthesizeSpeechRequest")


@_attrs_define
class SynthesizeSpeechRequest:
    text: str = _attrs_field(validator=is_json(str))
    """ What to say; the backend trims it. """
    voice_id: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    model_id: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    output_format: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    """ ElevenLabs' `output_format` (default `mp3_44100_128`). """
    optimize_streaming_latency: float | Unset = _attrs_field(
        default=UNSET, validator=is_json(float)
    )
    voice_settings: VoiceSettings | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        voice_id = self.voice_id

        model_id = self.model_id

        output_format = self.output_format

        optimize_streaming_latency = self.optimize_streaming_latency

        voice_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.voice_settings, Unset):
            voice_settings = self.voice_settings.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text": text,
            }
        )
        if voice_id is not UNSET:
            field_dict["voiceId"] = voice_id
        if model_id is not UNSET:
            field_dict["modelId"] = model_id
        if output_format is not UNSET:
            field_dict["outputFormat"] = output_format
        if optimize_streaming_latency is not UNSET:
            field_dict["optimizeStreamingLatency"] = optimize_streaming_latency
        if voice_settings is not UNSET:
            field_dict["voiceSettings"] = voice_settings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.voice_settings import VoiceSettings

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"SynthesizeSpeechRequest must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        text = d.pop("text")

        voice_id = d.pop("voiceId", UNSET)

        model_id = d.pop("modelId", UNSET)

        output_format = d.pop("outputFormat", UNSET)

        optimize_streaming_latency = d.pop("optimizeStreamingLatency", UNSET)

        _voice_settings = d.pop("voiceSettings", UNSET)
        voice_settings: VoiceSettings | Unset
        if isinstance(_voice_settings, Unset):
            voice_settings = UNSET
        else:
            voice_settings = VoiceSettings.from_dict(_voice_settings)

        synthesize_speech_request = cls(
            text=text,
            voice_id=voice_id,
            model_id=model_id,
            output_format=output_format,
            optimize_streaming_latency=optimize_streaming_latency,
            voice_settings=voice_settings,
        )

        synthesize_speech_request.additional_properties = d
        return synthesize_speech_request

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
