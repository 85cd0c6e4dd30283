from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, is_json

T = TypeVar("T", bound="ExecuteFunctionResponse")


@_attrs_define
class ExecuteFunctionResponse:
    """`{ok: true, function_name, source, result}` on success; `result` is absent
    when the function returned nothing (`undefined`). `@navai/voice-backend`
    0.1.3 always sends `ok: true` here (a failing function gets a 4xx/5xx
    instead), but other NAVAI backends answer `{ok: false, error?, details?}`
    when a function reports failure, and the clients handle both.

    """

    ok: bool = _attrs_field(validator=is_json(bool))
    function_name: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    source: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    result: Any | Unset = UNSET
    """ Whatever the function returned, as JSON. """
    error: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    details: str | Unset = _attrs_field(default=UNSET, validator=is_json(str))
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        function_name = self.function_name

        source = self.source

        result = self.result

        error = self.error

        details = self.details

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ok": ok,
            }
        )
        if function_name is not UNSET:
            field_dict["function_name"] = function_name
        if source is not UNSET:
            field_dict["source"] = source
        if result is not UNSET:
            field_dict["result"] = result
        if error is not UNSET:
            field_dict["error"] = error
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"ExecuteFunctionResponse must be a JSON object; got {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        ok = d.pop("ok")

        function_name = d.pop("function_name", UNSET)

        source = d.pop("source", UNSET)

        result = d.pop("result", UNSET)

        error = d.pop("error", UNSET)

        details = d.pop("details", UNSET)

        execute_function_response = cls(
            ok=ok,
            function_name=function_name,
            source=source,
            result=result,
            error=error,
            details=details,
        )

        execute_function_response.additional_properties = d
        return execute_function_response

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
