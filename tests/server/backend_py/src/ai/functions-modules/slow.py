"""A slow async function for timeout and concurrency tests (twin of slow.js)."""

import asyncio
import math
from typing import Any

DEFAULT_MS = 1500
MAX_MS = 120_000


async def slowEcho(*args: Any) -> dict[str, Any]:
    value = args[0] if args else None
    ms: Any = DEFAULT_MS
    if isinstance(value, int | float) and not isinstance(value, bool):
        ms = value
    elif isinstance(value, dict) and value.get("ms") is not None:
        ms = value["ms"]
    if (
        not isinstance(ms, int | float)
        or isinstance(ms, bool)
        or not math.isfinite(ms)
        or not 0 <= ms <= MAX_MS
    ):
        raise ValueError(f"slow_echo: ms must be a number between 0 and {MAX_MS}")
    await asyncio.sleep(ms / 1000)
    return {"slept_ms": ms}
