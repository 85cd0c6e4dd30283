"""Shared types of the generated client: the unset marker, the response wrapper, JSON checks."""

import json
from collections.abc import Callable
from typing import Any, Generic, Literal, NoReturn, TypeVar

import httpx2
from attrs import define


class Unset:
    """The type of `UNSET`: a field that was not given, as opposed to one given as None."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Unset = Unset()

T = TypeVar("T")

Validator = Callable[[Any, Any, Any], None]


def _describe(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def is_json(expected: type) -> Validator:
    """An attrs validator: the value is of this JSON type (a bool is not a number; an int is a float)."""
    types: tuple[type, ...] = (int, float) if expected is float else (expected,)

    def validate(_instance: Any, attribute: Any, value: Any) -> None:
        if value is UNSET:
            return
        if (
            isinstance(value, bool)
            and expected is not bool
            or not isinstance(value, types)
        ):
            raise TypeError(
                f"{attribute.name} must be {_describe(types)}; got {type(value).__name__}"
            )

    return validate


def is_json_list(item: Validator) -> Validator:
    """An attrs validator: the value is a list whose every item passes ``item``."""

    def validate(instance: Any, attribute: Any, value: Any) -> None:
        if value is UNSET:
            return
        if not isinstance(value, list):
            raise TypeError(
                f"{attribute.name} must be list; got {type(value).__name__}"
            )
        for entry in value:
            item(instance, attribute, entry)

    return validate


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(content: bytes) -> Any:
    """The body as JSON, strictly: NaN and Infinity, which JSON does not have, are refused.

    Like `json.loads` on bytes (UTF-8, -16 or -32, detected), with one decoder made once.
    """
    return _DECODER.decode(
        content.decode(json.detect_encoding(content), "surrogatepass")
    )


@define
class Response(Generic[T]):
    """A response from an endpoint.

    ``parsed`` is the documented model for ``status_code`` when the body matches it, else None;
    ``content`` is always the raw body, so callers can read what the contract did not foresee.
    """

    status_code: int
    content: bytes
    headers: httpx2.Headers
    parsed: T | None


__all__ = ["UNSET", "Response", "Unset", "is_json", "is_json_list", "parse_json"]
