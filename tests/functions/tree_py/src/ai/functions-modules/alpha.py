"""Twin of the spec section 8 alpha.mjs: default, zeta, Beta, nothing, config, emptyObj, list, num."""

from typing import Any


def zeta(a: Any, b: Any) -> Any:
    return {"a": a, "b": b}


def Beta() -> str:
    return "beta"


def nothing() -> None:
    return None


config = {"debug": True}
emptyObj: dict[str, Any] = {}
list = [lambda v: v]
num = 5
default = lambda: "default"  # noqa: E731
