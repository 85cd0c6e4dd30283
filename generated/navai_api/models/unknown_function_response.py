from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import is_json, is_json_list

T = TypeVar("T", bound="UnknownFunctionResponse")


@_attrs_define
class UnknownFunctionResponse:
    error: str = _attrs_field(validator=is_json(str))
    available_functions: list[str] = _attrs_field(validator=is_json_list(is_json(str)))
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        available_functions = self.available_functions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "available_functions": available_functions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"UnknownFunctionResponse must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        error = d.pop("error")

        if not isinstance(d.get("available_functions", []), list):
            raise TypeError("available_functions must be a JSON array")
        available_functions = cast(list[str], d.pop("available_functions"))

        unknown_function_response = cls(
            error=error,
            available_functions=available_functions,
        )

        unknown_function_response.additional_properties = d
        return unknown_function_response

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
