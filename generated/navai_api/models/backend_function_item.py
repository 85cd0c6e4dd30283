from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

T = TypeVar("T", bound="BackendFunctionItem")


@_attrs_define
class BackendFunctionItem:
    name: str = _attrs_field(validator=is_json(str))
    description: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    source: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"BackendFunctionItem must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        source = d.pop("source", UNSET)

        backend_function_item = cls(
            name=name,
            description=description,
            source=source,
        )

        backend_function_item.additional_properties = d
        return backend_function_item

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
