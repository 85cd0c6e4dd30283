"""Package attributes that load their module on first use, so importing a package stays cheap."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_attributes(
    package: str,
    namespace: dict[str, Any],
    modules: Mapping[str, str],
    deprecated: Mapping[str, tuple[str, str, str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for ``modules`` (name -> relative module).

    A loaded name is stored in ``namespace`` (the package's globals), so it is looked up once.
    ``deprecated`` maps an old name to ``(relative module, current name, advice)``: using it
    still works, with a `DeprecationWarning` that says ``advice``; it is never stored, so every
    use warns, and `dir()` does not list it.
    """
    retired = deprecated or {}

    def __getattr__(name: str) -> Any:
        old = retired.get(name)
        if old is not None:
            source, current, advice = old
            warnings.warn(f"{package}.{name} is deprecated: {advice}", DeprecationWarning, stacklevel=2)
            return getattr(import_module(source, package), current)
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(modules))

    return __getattr__, __dir__
