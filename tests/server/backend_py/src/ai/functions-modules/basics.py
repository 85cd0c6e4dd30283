"""Basic sync and async functions (twin of tests/backend basics.js)."""

import asyncio
from typing import Any


def echo(*args: Any) -> Any:
    """Returns its single payload argument unchanged, or None when there is none."""
    return args[0] if args else None


def add(*args: Any) -> Any:
    """Adds two numbers given as {"args": [a, b]}."""
    a, b = ([*list(args), None, None])[:2]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
        raise TypeError('add expects two numbers, e.g. {"args": [2, 3]}')
    return a + b


async def asyncEcho(*args: Any) -> Any:
    """Async twin of echo."""
    await asyncio.sleep(0)
    return args[0] if args else None
