"""Functions that misbehave on purpose, for the hostile-input suite (tests/server/test_hostile_*.py).

``record`` and the cancellation probes append a line to ``$NAVAI_HOSTILE_LOG`` so a test
can see what ran and what was cancelled.
"""

import asyncio
import os
import threading
import time
from typing import Any


def _log(line: str) -> None:
    with open(os.environ["NAVAI_HOSTILE_LOG"], "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def echo(*args: Any) -> Any:
    return args[0] if args else None


def record(tag: str) -> str:
    """Leaves a trace that it ran."""
    _log(f"ran {tag}")
    return tag


def stuck_sync() -> None:
    """Never returns and cannot be cancelled."""
    threading.Event().wait()


def sleep_sync(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


async def stuck_async() -> None:
    """Never returns unless cancelled."""
    await asyncio.Event().wait()


async def sleep_async(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


async def watched(tag: str) -> str:
    """Runs for a minute unless cancelled, and logs which."""
    _log(f"started {tag}")
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        _log(f"cancelled {tag}")
        raise
    _log(f"finished {tag}")
    return tag


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this exception has no text")


def unprintable() -> None:
    raise _Unprintable


def bad_status() -> None:
    error = RuntimeError("a status that is not a number")
    error.status = "teapot"  # type: ignore[attr-defined]
    raise error


def out_of_memory() -> None:
    raise MemoryError


def system_exit() -> None:
    raise SystemExit(3)


def keyboard_interrupt() -> None:
    raise KeyboardInterrupt


def unencodable_set() -> Any:
    return {1, 2, 3}


def unencodable_object() -> Any:
    return {"value": object()}


def circular() -> Any:
    items: list[Any] = []
    items.append(items)
    return items


def huge_int() -> int:
    return 10**5000


def bad_key() -> Any:
    return {(1, 2): "tuple key"}


def big_result(megabytes: int) -> str:
    return "x" * (megabytes * 1024 * 1024)


class Tool:
    """A class whose dunder members must never be reachable as functions."""

    def run(self) -> str:
        return "ran"
