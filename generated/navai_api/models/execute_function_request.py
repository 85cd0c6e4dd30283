from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

if TYPE_CHECKING:
    from ..models.execute_function_request_payload_type_0 import (
        ExecuteFunctionRequestPayloadType0,
    )


T = TypeVar("T", bound="ExecuteFunctionRequest")


@_attrs_define
class ExecuteFunctionRequest:
    function_name: str = _attrs_field(validator=is_json(str))
    """ The function's name; the backend trims it and matches it case-insensitively. A
    blank name is answered with 400 `{"error": "function_name is required."}`.
     """
    payload: ExecuteFunctionRequestPayloadType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.execute_function_request_payload_type_0 import (
            ExecuteFunctionRequestPayloadType0,
        )

        function_name = self.function_name

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, ExecuteFunctionRequestPayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "function_name": function_name,
            }
        )
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.execute_function_request_payload_type_0 import (
            ExecuteFunctionRequestPayloadType0,
        )

        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"ExecuteFunctionRequest must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        function_name = d.pop("function_name")

        def _parse_payload(
            data: object,
        ) -> ExecuteFunctionRequestPayloadType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = ExecuteFunctionRequestPayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExecuteFunctionRequestPayloadType0 | None | Unset, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        execute_function_request = cls(
            function_name=function_name,
            payload=payload,
        )

        execute_function_request.additional_properties = d
        return execute_function_request

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
