from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

if TYPE_CHECKING:
    from ..models.speech_config import SpeechConfig


T = TypeVar("T", bound="ClientSecretResponse")


@_attrs_define
class ClientSecretResponse:
    value: str = _attrs_field(validator=is_json(str), repr=False)
    """ The ephemeral client secret (`ek_...`). A secret (`format: password`): the generated model leaves it out of
    its repr. """
    expires_at: int | Unset = _attrs_field(default=UNSET, validator=is_json(int))
    """ Expiry as Unix seconds. """
    speech: SpeechConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        expires_at = self.expires_at

        speech: dict[str, Any] | Unset = UNSET
        if not isinstance(self.speech, Unset):
            speech = self.speech.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "value": value,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if speech is not UNSET:
            field_dict["speech"] = speech

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.speech_config import SpeechConfig

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"ClientSecretResponse must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        value = d.pop("value")

        expires_at = d.pop("expires_at", UNSET)

        _speech = d.pop("speech", UNSET)
        speech: SpeechConfig | Unset
        if isinstance(_speech, Unset):
            speech = UNSET
        else:
            speech = SpeechConfig.from_dict(_speech)

        client_secret_response = cls(
            value=value,
            expires_at=expires_at,
            speech=speech,
        )

        client_secret_response.additional_properties = d
        return client_secret_response

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
