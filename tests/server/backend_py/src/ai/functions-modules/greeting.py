"""A default export: named after the function (twin of greeting.js)."""

from typing import Any


def sayHello(*args: Any) -> str:
    name = args[0].strip() if args and isinstance(args[0], str) and args[0].strip() else "world"
    return f"Hello, {name}!"


default = sayHello
del sayHello
