"""One function per JSON result type (twin of json-types.js)."""

from typing import Any


def returnString() -> str:
    return "hello from navai"


def returnInteger() -> int:
    return 42


def returnFloat() -> float:
    return 3.25


def returnTrue() -> bool:
    return True


def returnFalse() -> bool:
    return False


def returnNull() -> None:
    return None


def returnNothing() -> None:
    return None


def returnArray() -> list[Any]:
    return [1, "two", 3.5, True, None, {"six": 6}, [7]]


def returnNestedObject() -> dict[str, Any]:
    return {
        "name": "navai",
        "version": 1,
        "ratio": 0.5,
        "enabled": True,
        "missing": None,
        "tags": ["voice", "navigation"],
        "owner": {"id": 7, "roles": ["admin", "dev"], "profile": {"locale": "es-CO", "verified": False}},
    }


def returnEmptyObject() -> dict[str, Any]:
    return {}


def returnEmptyArray() -> list[Any]:
    return []


def returnUnicode() -> str:
    return "Olá, señor Müller! Привет, 你好, こんにちは, مرحبا — 🚀✨"
