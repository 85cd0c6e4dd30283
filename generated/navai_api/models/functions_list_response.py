from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import is_json, is_json_list

if TYPE_CHECKING:
    from ..models.backend_function_item import BackendFunctionItem


T = TypeVar("T", bound="FunctionsListResponse")


@_attrs_define
class FunctionsListResponse:
    items: list[BackendFunctionItem] = _attrs_field(validator=is_json(list))
    warnings: list[str] = _attrs_field(validator=is_json_list(is_json(str)))
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.backend_function_item import BackendFunctionItem

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"FunctionsListResponse must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        if not isinstance(d.get("items", []), list):
            raise TypeError("items must be a JSON array")
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = BackendFunctionItem.from_dict(items_item_data)

            items.append(items_item)

        if not isinstance(d.get("warnings", []), list):
            raise TypeError("warnings must be a JSON array")
        warnings = cast(list[str], d.pop("warnings"))

        functions_list_response = cls(
            items=items,
            warnings=warnings,
        )

        functions_list_response.additional_properties = d
        return functions_list_response

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
