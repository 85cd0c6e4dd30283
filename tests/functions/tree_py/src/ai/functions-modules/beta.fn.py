from typing import Any


class HTTPServerTool:
    def __init__(self, prefix: str = "p") -> None:
        self.prefix = prefix

    def greet(self, name: Any) -> str:
        return f"{self.prefix}:{name}"

    def with_ctx(self, a: Any, ctx: Any) -> str:
        return f"{a}:{type(ctx).__name__}"


class Empty:
    pass


def default() -> str:
    return "beta default"


math = {"add": lambda a, b: a + b}
