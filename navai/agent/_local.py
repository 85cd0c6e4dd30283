"""Local (in-process) functions: the backend's function model, reused.

Naming, descriptions and invocation are those of ``navai.functions._model``
(:class:`FunctionRegistry`), imported only when local functions are given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from navai.functions._model import FunctionRegistry

__all__ = ["LocalFunction", "LocalFunctions", "local_functions"]


class LocalFunction(Protocol):
    """What the runtime uses of a :class:`navai.server.NavaiFunction`."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def source(self) -> str: ...
    async def run(self, payload: Mapping[str, Any] | list[Any], context: Any = None) -> Any: ...


class LocalFunctions(Protocol):
    """What the runtime uses of a :class:`navai.server.FunctionRegistry`."""

    warnings: list[str]

    def __iter__(self) -> Iterator[Any]: ...
    def get(self, name: str) -> Any: ...


class _NoFunctions:
    warnings: list[str]

    def __init__(self) -> None:
        self.warnings = []

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def get(self, name: str) -> Any:
        return None


def _registry_type() -> type[FunctionRegistry] | None:
    module = sys.modules.get("navai.functions._model")
    registry: type[FunctionRegistry] | None = getattr(module, "FunctionRegistry", None)
    return registry


def local_functions(
    functions: FunctionRegistry | Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] | None,
) -> LocalFunctions:
    """A registry for ``functions``: a ``FunctionRegistry`` as is, else one built from them.

    Callables and classes are registered with the backend's rules (docstring first line
    as description, a class gives ``<Class>_<method>``); a mapping names each callable.
    """
    if functions is None:
        return _NoFunctions()
    registry_type = _registry_type()
    if registry_type is not None and isinstance(functions, registry_type):
        return functions
    named = list(functions.items()) if isinstance(functions, Mapping) else [(None, f) for f in functions]
    if not named:
        return _NoFunctions()
    from navai.functions._model import FunctionRegistry  # only when needed

    registry = FunctionRegistry()
    for name, target in named:
        if not callable(target):
            raise TypeError(f"a local function must be callable, not {type(target).__name__}")
        registry.add(target, name=name)
    return registry
