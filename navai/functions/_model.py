"""The function model: definitions, naming, invocation rules and an explicit registry.

Free of any web framework so a voice agent can reuse it for local functions. The rules
are those of ``@navai/voice-backend`` 0.1.3 (spec sections 8 and 9), mapped to Python:
a function's JS ``length`` is its count of positional parameters without a default.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

import anyio.to_thread

from ._hop import ThreadHop
from ._jscompat import js_trim
from ._naming import module_stem, unique_name

__all__ = [
    "FunctionRegistry",
    "NavaiFunction",
    "build_invocation_args",
    "positional_arity",
]

F = TypeVar("F", bound=Callable[..., Any])
Payload = Mapping[str, Any] | list[Any]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def positional_arity(target: Callable[..., Any], *, skip_first: bool = False) -> int:
    """Positional parameters before the first one with a default (``*args`` ends the count)."""
    try:
        parameters = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return 0
    if skip_first and parameters and parameters[0].kind in _POSITIONAL:
        parameters = parameters[1:]
    count = 0
    for parameter in parameters:
        if parameter.kind not in _POSITIONAL or parameter.default is not inspect.Parameter.empty:
            break
        count += 1
    return count


def _read_array(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def build_invocation_args(payload: Payload, context: Any, arity: int) -> list[Any]:
    """``args``/``arguments`` spread, else ``[value]``, else ``[payload]``; then the context.

    The context is appended only when the function declares more positional
    parameters than it was given (the package's ``buildInvocationArgs``).
    """
    args: list[Any] = []
    if isinstance(payload, Mapping):
        direct = payload.get("args")
        if direct is None:
            direct = payload.get("arguments")
        args = _read_array(direct)
        if not args and "value" in payload:
            args = [payload["value"]]
        elif not args and payload:
            args = [payload]
    elif payload:
        args = [payload]
    if arity > len(args):
        args.append(context)
    return args


def _is_async(target: Any) -> bool:
    if inspect.iscoroutinefunction(target):
        return True
    call = getattr(target, "__call__", None)  # noqa: B004
    return not inspect.isfunction(target) and inspect.iscoroutinefunction(call)


async def _settle(result: Any) -> Any:
    if inspect.isawaitable(result):
        return await result
    return result


@dataclass(frozen=True, slots=True)
class NavaiFunction:
    """One callable backend function: what ``GET /navai/functions`` lists and execute runs."""

    name: str
    description: str
    source: str
    target: Callable[..., Any] = field(repr=False, compare=False)
    owner: type | None = field(default=None, repr=False, compare=False)
    arity: int = field(default=0, repr=False, compare=False)
    is_async: bool = field(default=False, repr=False, compare=False)

    @property
    def kind(self) -> Literal["function", "method"]:
        """``method`` for a class method (fresh instance per call), else ``function``."""
        return "function" if self.owner is None else "method"

    def arguments(self, payload: Payload, context: Any) -> tuple[list[Any], list[Any]]:
        """The constructor and call arguments execute uses for ``payload``."""
        if self.owner is None:
            return [], build_invocation_args(payload, context, self.arity)
        fields: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
        constructor_args = _read_array(fields.get("constructorArgs"))
        method_args = _read_array(fields.get("methodArgs"))
        if not method_args:
            return constructor_args, build_invocation_args(payload, context, self.arity)
        if self.arity > len(method_args):
            method_args.append(context)
        return constructor_args, method_args

    async def run(self, payload: Payload, context: Any = None) -> Any:
        """Call the function as execute does; sync code runs in a worker thread."""
        constructor_args, args = self.arguments(payload, context)
        if self.owner is None:
            call: Callable[[], Any] = functools.partial(self.target, *args)
        else:
            owner, method = self.owner, self.target

            def call() -> Any:
                return method.__get__(owner(*constructor_args), owner)(*args)

        if self.is_async:
            return await call()
        return await _settle(await in_thread(call))


_hop = ThreadHop(40)  # as many sync functions at once as anyio's default thread limit


async def in_thread(call: Callable[[], Any]) -> Any:
    """``call()`` in a worker thread, its context (contextvars) copied, so it never blocks the loop.

    On asyncio through `ThreadHop` (about a quarter of ``run_in_executor``'s cost per call,
    which a sync NAVAI function pays on every execute); elsewhere (trio) through anyio.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return await anyio.to_thread.run_sync(call)
    return await _hop.run(call)


def _first_doc_line(target: Any) -> str | None:
    doc = inspect.getdoc(target)
    if not doc:
        return None
    line = doc.strip().splitlines()[0].strip()
    return line or None


def _class_members(cls: type) -> tuple[list[str], list[tuple[str, Callable[..., Any]]]]:
    """Public names a JS prototype would have (methods, properties) and the callable ones."""
    names: list[str] = []
    methods: list[tuple[str, Callable[..., Any]]] = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if inspect.isfunction(value):
            names.append(name)
            methods.append((name, value))
        elif isinstance(value, property):
            names.append(name)
    return names, methods


class FunctionRegistry:
    """An ordered set of uniquely named functions, with the warnings naming produced.

    Register explicitly with the decorator::

        registry = FunctionRegistry()

        @registry.function
        def add(a: int, b: int) -> int:
            \"\"\"Adds two numbers.\"\"\"   # -> the description
            return a + b

        @registry.function(name="greet", description="Says hello.")
        async def hello(name: str = "world") -> str: ...

    A decorated class registers each public method as ``<Class>_<method>``.
    """

    def __init__(self) -> None:
        self._ordered: list[NavaiFunction] = []
        self._by_name: dict[str, NavaiFunction] = {}
        self._used: set[str] = set()
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"FunctionRegistry(names={self.names()!r})"

    def __iter__(self) -> Iterator[NavaiFunction]:
        return iter(tuple(self._ordered))

    def __len__(self) -> int:
        return len(self._ordered)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    @property
    def functions(self) -> tuple[NavaiFunction, ...]:
        """The definitions in list order."""
        return tuple(self._ordered)

    def names(self) -> list[str]:
        """The final names in list order (execute's ``available_functions``)."""
        return [item.name for item in self._ordered]

    def get(self, name: str) -> NavaiFunction | None:
        """Look a function up as execute does: trimmed, lower-cased, exact."""
        return self._by_name.get(js_trim(name).lower())

    @overload
    def function(self, target: F, /) -> F: ...
    @overload
    def function(self, *, name: str | None = None, description: str | None = None) -> Callable[[F], F]: ...
    def function(self, target: Any = None, *, name: str | None = None, description: str | None = None) -> Any:
        """Decorator registering a function (or each public method of a class)."""

        def register(item: Any) -> Any:
            self.add(item, name=name, description=description)
            return item

        return register(target) if target is not None else register

    def add(
        self,
        target: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        source: str | None = None,
    ) -> list[NavaiFunction]:
        """Register ``target``; the docstring's first line is the default description."""
        module = getattr(target, "__module__", None) or "__main__"
        qualname = getattr(target, "__qualname__", None) or getattr(target, "__name__", "fn")
        if inspect.isclass(target):
            added = []
            for method_name, method in _class_members(target)[1]:
                raw = f"{name or target.__name__}_{method_name}"
                added.append(
                    self._add(
                        raw,
                        _first_doc_line(method) or f"Call class method {target.__name__}.{method_name}().",
                        f"{source or f'{module}#{qualname}'}.{method_name}",
                        method,
                        owner=target,
                    )
                )
            return added
        raw = name or getattr(target, "__name__", "") or "fn"
        text = description or _first_doc_line(target) or f"Call exported function {raw}."
        return [self._add(raw, text, source or f"{module}#{qualname}", target)]

    def _add(
        self,
        raw: str,
        description: str,
        source: str,
        target: Callable[..., Any],
        *,
        owner: type | None = None,
    ) -> NavaiFunction:
        final, warning = unique_name(raw, self._used)
        if warning:
            self.warnings.append(warning)
        definition = NavaiFunction(
            name=final,
            description=description,
            source=source,
            target=target,
            owner=owner,
            arity=positional_arity(target, skip_first=owner is not None),
            is_async=_is_async(target),
        )
        self._by_name[final] = definition
        self._ordered.append(definition)
        return definition

    def add_export(self, path: str, export_name: str, value: Any) -> int:
        """Register one module export with the package's rules; returns how many were added.

        Classes give one function per public method, callables one function, dicts,
        lists and tuples one per callable member; anything else is ignored silently.
        """
        if inspect.isclass(value):
            class_name = value.__name__ or module_stem(path)
            names, methods = _class_members(value)
            if not names:
                self.warnings.append(
                    f"[navai] Ignored {path}#{export_name}: class has no callable instance methods."
                )
                return 0
            for method_name, method in methods:
                self._add(
                    f"{class_name}_{method_name}",
                    f"Call class method {class_name}.{method_name}().",
                    f"{path}#{export_name}.{method_name}",
                    method,
                    owner=value,
                )
            return len(methods)
        if callable(value):
            raw = export_name
            if export_name == "default":
                own = getattr(value, "__name__", "")
                raw = "default" if own == "<lambda>" else (own or module_stem(path))
            self._add(raw, f"Call exported function {export_name}.", f"{path}#{export_name}", value)
            return 1
        if isinstance(value, Mapping | list | tuple):
            entries = (
                [(str(key), member) for key, member in value.items()]
                if isinstance(value, Mapping)
                else [(str(index), member) for index, member in enumerate(value)]
            )
            prefix = module_stem(path) if export_name == "default" else export_name
            added = 0
            for member_name, member in entries:
                if not callable(member):
                    continue
                self._add(
                    f"{prefix}_{member_name}",
                    f"Call exported object member {export_name}.{member_name}().",
                    f"{path}#{export_name}.{member_name}",
                    member,
                )
                added += 1
            if not added:
                self.warnings.append(
                    f"[navai] Ignored {path}#{export_name}: exported object has no callable members."
                )
            return added
        return 0

    def extend(self, other: FunctionRegistry) -> None:
        """Append ``other``'s functions (renaming clashes) and warnings."""
        self.warnings.extend(other.warnings)
        for item in other:
            self._add(item.name, item.description, item.source, item.target, owner=item.owner)
