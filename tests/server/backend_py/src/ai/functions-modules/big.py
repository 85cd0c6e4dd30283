"""A result whose size is chosen by the payload (twin of big.js)."""

from typing import Any

MAX_ITEMS = 500_000


def bigList(*args: Any) -> list[dict[str, Any]]:
    value = args[0] if args else None
    n: Any = 100
    if isinstance(value, int | float) and not isinstance(value, bool):
        n = value
    elif isinstance(value, dict) and "n" in value:
        n = value["n"]
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > MAX_ITEMS:
        raise ValueError(f"big_list: n must be an integer between 0 and {MAX_ITEMS}")
    return [{"index": i, "label": f"item-{i:06d}"} for i in range(n)]
