"""Functions that fail on purpose (twin of errors.js)."""

import asyncio
from typing import Any


class _StatusError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def fail() -> None:
    raise RuntimeError("boom: intentional failure")


async def asyncFail() -> None:
    await asyncio.sleep(0)
    raise RuntimeError("boom: intentional async failure")


def failWithStatus(*args: Any) -> None:
    requested = args[0] if args else None
    ok = isinstance(requested, int) and not isinstance(requested, bool) and 400 <= requested <= 599
    status = requested if ok else 422
    raise _StatusError(f"boom: intentional failure with status {status}", status)
