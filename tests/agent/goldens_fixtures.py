"""The fixtures of ``../shared/reference/goldens/mobile-runtime.json``, written in Python.

The golden file describes in words the app functions, module loaders, backend stub and
runtime options the TypeScript mobile runtime ran on; this module is the same set in
Python, plus the decoding of the file's ``{"$js": ...}`` markers and a comparison of
navai's values with the recorded ones. ``test_goldens_mobile.py`` replays the cases.

Python is not JavaScript, and the fixtures are written as a Python developer would write
them, not bent to hide that: a local function is a plain ``def`` whose required
parameters are its JS ``length`` (``*rest`` keeps extra arguments, as every fixture
does), so a call with fewer arguments than that fails with Python's ``TypeError``; a
thrown value is an ``Exception`` carrying it; a JS value with no JSON form in Python
(``BigInt``, ``Symbol``, ``Map``, a ``Date``, an object with ``toJSON``) is a Python
object ``json.dumps`` rejects (``datetime``, ``set``, ``Exception`` where Python has one).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from navai._models import FunctionResult

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
GOLDENS = SHARED / "reference" / "goldens" / "mobile-runtime.json"
CONTEXT = "<context>"


def load_goldens() -> dict[str, Any] | None:
    """The golden document, or None where ``../shared`` is not checked out."""
    if not GOLDENS.is_file():
        return None
    document: dict[str, Any] = json.loads(GOLDENS.read_text(encoding="utf-8"))
    return document


# --- JS values with no Python counterpart ---------------------------------------------------


class BigInt:
    """A JS ``BigInt``: JSON serialisation rejects it (``JSON.stringify(10n)`` throws)."""

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"{self.digits}n"


class Symbol:
    """A JS ``Symbol``: no JSON form."""

    def __init__(self, description: str) -> None:
        self.description = description


class JSMap:
    """A JS ``Map`` (``JSON.stringify`` writes ``{}``, its entries are not properties)."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries = entries


class ToJSON:
    """An object with a ``toJSON`` method; Python's JSON has no such protocol."""

    def __init__(self, returns: Any = None, error: str | None = None) -> None:
        self.returns, self.error = returns, error

    def toJSON(self) -> Any:
        if self.error is not None:
            raise RuntimeError(self.error)
        return self.returns


def _js_function() -> None:
    """A JS function value."""


def decode(value: Any) -> Any:
    """An input of the golden file as the Python value it stands for.

    ``undefined`` is None (Python has one null); numbers are doubles; a circular object or
    array refers to itself; the objects JS alone has become the classes above.
    """
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$js" not in value:
        return {key: decode(item) for key, item in value.items()}
    kind = value["$js"]
    simple: dict[str, Any] = {
        "undefined": None,
        "nan": math.nan,
        "infinity": math.inf,
        "-infinity": -math.inf,
        "-0": -0.0,
    }
    if kind in simple:
        return simple[kind]
    if kind == "number":
        return float(value["literal"])
    if kind == "bigint":
        return BigInt(value["digits"])
    if kind == "function":
        return _js_function
    if kind == "symbol":
        return Symbol(value["description"])
    if kind == "circular":
        loop: dict[str, Any] = {"name": "loop"}
        loop["self"] = loop
        return loop
    if kind == "circular_array":
        items: list[Any] = [1]
        items.append(items)
        return items
    if kind == "date":
        return datetime.datetime.fromisoformat(value["iso"].replace("Z", "+00:00"))
    if kind == "map":
        return JSMap(decode(value["entries"]))
    if kind == "set":
        return set(decode(value["values"]))
    if kind == "error":
        return Exception(value["message"])
    if kind == "to_json":
        return ToJSON(returns=decode(value["returns"]))
    if kind == "throwing_to_json":
        return ToJSON(error=value["message"])
    if kind == "object_entries":
        return {key: decode(item) for key, item in value["entries"]}
    raise ValueError(f"unknown $js marker {kind!r}")


# --- comparing navai's values with the recorded ones ----------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_number(actual: Any, expected: float) -> bool:
    if not _is_number(actual):
        return False
    if math.isnan(expected):
        return math.isnan(actual)
    if float(actual) != expected:
        return False
    # -0 and 0 are one number for ==, not for JS (Object.is) nor here.
    return expected != 0 or math.copysign(1.0, float(actual)) == math.copysign(1.0, expected)


def mismatch(actual: Any, expected: Any, path: str = "$", ancestors: tuple[Any, ...] = ()) -> str | None:
    """Where ``actual`` (navai's) differs from ``expected`` (the golden, markers and all).

    Numbers compare as JS doubles (2 is 2.0, -0 is not 0); objects as dicts (key order is
    checked through the output strings); ``undefined`` matches None or a missing key.
    Returns None when they are the same.
    """
    if isinstance(expected, dict) and "$js" in expected:
        kind = expected["$js"]
        if kind == "undefined":
            return None if actual is None else f"{path}: {actual!r} is not undefined"
        if kind == "circular":
            return None if any(actual is a for a in ancestors) else f"{path}: {actual!r} is not circular"
        if kind == "bigint":
            ok = isinstance(actual, BigInt) and actual.digits == expected["digits"]
            return None if ok else f"{path}: {actual!r} is not {expected['digits']}n"
        if kind == "date":
            return (
                mismatch(actual, decode(expected), path)
                if isinstance(actual, datetime.datetime)
                else (f"{path}: {actual!r} is not a date")
            )
        number = decode(expected)
        if isinstance(number, float):
            return None if _same_number(actual, number) else f"{path}: {actual!r} != {expected}"
        raise ValueError(f"no comparison for {expected!r}")
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        same = actual is expected if not isinstance(expected, str) else actual == expected
        return None if same and type(actual) is type(expected) else f"{path}: {actual!r} != {expected!r}"
    if _is_number(expected):
        return None if _same_number(actual, float(expected)) else f"{path}: {actual!r} != {expected!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list | tuple) or len(actual) != len(expected):
            return f"{path}: {actual!r} != {expected!r}"
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = mismatch(a, e, f"{path}[{index}]", (*ancestors, actual))
            if found:
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, Mapping):
            return f"{path}: {actual!r} is not an object"
        present = {k for k, v in expected.items() if v != {"$js": "undefined"}}
        if set(actual) - set(expected) or present - set(actual):
            return f"{path}: keys {sorted(actual)} != {sorted(present)}"
        for key, e in expected.items():
            found = mismatch(actual.get(key), e, f"{path}.{key}", (*ancestors, actual))
            if found:
                return found
        return None
    if isinstance(expected, datetime.datetime):
        return None if actual == expected else f"{path}: {actual!r} != {expected!r}"
    raise ValueError(f"no comparison for {expected!r}")


# --- the local functions --------------------------------------------------------------------

CONTEXTS: list[Any] = []
"""The context objects of the runtimes built so far: an argument that is one is echoed as
``"<context>"``, as the golden file writes it."""

_UNSET: Any = object()  # a parameter with a default that was not passed


def is_context(value: Any) -> bool:
    return any(value is context for context in CONTEXTS)


def received(*args: Any) -> list[Any]:
    return [CONTEXT if is_context(arg) else arg for arg in args if arg is not _UNSET]


def echo(label: str, *args: Any) -> dict[str, Any]:
    return {"fn": label, "received": received(*args)}


def quotePrice(sku: Any, quantity: Any, *rest: Any) -> Any:
    return echo("quotePrice", sku, quantity, *rest)


def formatGreeting(name: Any, *rest: Any) -> Any:
    return echo("formatGreeting", name, *rest)


def bookSlot(day: Any, hour: Any, room: Any, *rest: Any) -> Any:
    return echo("bookSlot", day, hour, room, *rest)


def countArgs(*args: Any) -> Any:
    return echo("countArgs", *args)


def paginate(page: Any, size: Any = _UNSET, *rest: Any) -> Any:
    return echo("paginate", page, size, *rest)


def logAll(*items: Any) -> Any:
    return {"fn": "logAll", "received": received(*items)}


def applyFilters(filters: Any, *rest: Any) -> Any:
    if isinstance(filters, Mapping) and not is_context(filters):
        return {
            "fn": "applyFilters",
            "category": filters.get("category"),
            "max_price": filters.get("maxPrice"),
        }
    return echo("applyFilters", filters, *rest)


def openOrder(order_id: Any, context: Any, *rest: Any) -> Any:
    if is_context(context):
        context["navigate"]("/orders/" + str(order_id))
        return {"opened": order_id}
    return {"opened": None, "received": received(order_id, context, *rest)}


def describeContext(context: Any, *rest: Any) -> Any:
    if not is_context(context):
        return {"is_context": False, "received": received(context, *rest)}
    return {
        "is_context": True,
        "agent_name": context.get("agent_name"),
        "base_instructions": context.get("base_instructions"),
        "route_count": len(context["routes"]),
        "has_execute_backend_function": callable(context.get("execute_backend_function")),
    }


async def asyncLookup(code: Any, *rest: Any) -> Any:
    await asyncio.sleep(0)
    return {"fn": "asyncLookup", "async": True, "received": received(code, *rest)}


async def failingAsync(coupon: Any, *rest: Any) -> Any:
    await asyncio.sleep(0)
    raise TypeError("bad coupon")


def failingSync(*args: Any) -> Any:
    raise Exception("inventory offline")


def _thrower(value: Any) -> Callable[..., Any]:
    """A function that throws ``value``: Python raises it inside an ``Exception``."""

    def throw(*args: Any) -> Any:
        raise Exception(value)

    return throw


async def _resolved(value: Any) -> Any:
    return value


def returnsUndefined(*args: Any) -> None:
    return None


def returnsNull(*args: Any) -> None:
    return None


def returnsNumbers(*args: Any) -> Any:
    return {
        "two_point_oh": 2.0,
        "big": 1e21,
        "e20": 1e20,
        "e16": 1e16,
        "small": 1e-7,
        "micro": 0.000001,
        "neg_zero": -0.0,
        "huge_int": float(12345678901234567890),
        "above_max_safe": float(9007199254740993),
        "tenth_sum": 0.1 + 0.2,
        "nan": math.nan,
        "inf": math.inf,
        "neg_inf": -math.inf,
    }


def returnsText(*args: Any) -> str:
    return 'Listo \u2705 \u2014 caf\u00e9 "quoted" \n newline'


def returnsBigInt(*args: Any) -> BigInt:
    return BigInt("10")


def returnsCircular(*args: Any) -> Any:
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    return loop


def returnsPromiseOfArray(*args: Any) -> Any:
    return _resolved([1, "dos", None, {"tres": 3}])


def returnsDate(*args: Any) -> datetime.datetime:
    return datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


def ping(*args: Any) -> str:
    return "pong"


class CartService:
    def __init__(self, currency: Any = _UNSET, discount: Any = _UNSET, *rest: Any) -> None:
        self.currency = "EUR" if currency is _UNSET else currency
        self.discount = 0 if discount is _UNSET else discount

    def _state(self, label: str, *args: Any) -> dict[str, Any]:
        return {
            "fn": label,
            "currency": self.currency,
            "discount": self.discount,
            "received": received(*args),
        }

    def addItem(self, name: Any, price: Any, *rest: Any) -> Any:
        return self._state("CartService.addItem", name, price, *rest)

    @property
    def label(self) -> str:
        return "cart"

    def total(self, *args: Any) -> Any:
        return self._state("CartService.total", *args)

    @staticmethod
    def create() -> CartService:
        return CartService()


class LegacyCounter:
    def __init__(self, start: Any = _UNSET, *rest: Any) -> None:
        self.count = 0 if start is _UNSET else start

    def increment(self, step: Any, *rest: Any) -> Any:
        return {"fn": "LegacyCounter.increment", "count": self.count, "received": received(step, *rest)}


def tagged(x: Any, *rest: Any) -> Any:
    return echo("tagged", x, *rest)


tagged.label = "data"  # type: ignore[attr-defined]  # a data attribute does not make it a class


class AnonymousReportBuilder:
    def build(self, format: Any, *rest: Any) -> Any:
        return {"fn": "<anonymous class>.build", "received": received(format, *rest)}


AnonymousReportBuilder.__name__ = ""  # an anonymous class: the module stem names it


def _member(label: str, arity: int) -> Callable[..., Any]:
    """An echo function taking ``arity`` required arguments (and any more)."""
    if arity == 0:
        return lambda *args: echo(label, *args)
    if arity == 1:
        return lambda a, *rest: echo(label, a, *rest)
    return lambda a, b, *rest: echo(label, a, b, *rest)


def syncProfile(user_id: Any, *rest: Any) -> Any:
    return echo("syncProfile", user_id, *rest)


def _anonymous(function: Callable[..., Any]) -> Callable[..., Any]:
    function.__name__ = ""  # an anonymous function: the module stem names a default export
    return function


class Placeholder:
    def __init__(self) -> None:
        self.ready = True


class Settings:
    @property
    def theme(self) -> str:
        return "dark"


class Util:
    @staticmethod
    def helper() -> None:
        return None


LOCAL_FUNCTIONS: dict[str, Any] = {
    "quotePrice": quotePrice,
    "formatGreeting": formatGreeting,
    "bookSlot": bookSlot,
    "countArgs": countArgs,
    "paginate": paginate,
    "logAll": logAll,
    "applyFilters": applyFilters,
    "openOrder": openOrder,
    "describeContext": describeContext,
    "asyncLookup": asyncLookup,
    "failingAsync": failingAsync,
    "failingSync": failingSync,
    "throwsString": _thrower("plain string thrown"),
    "throwsObject": _thrower({"code": 42}),
    "throwsEmpty": _thrower(""),
    "throwsNull": _thrower(None),
    "returnsUndefined": returnsUndefined,
    "returnsNull": returnsNull,
    "returnsNumbers": returnsNumbers,
    "returnsText": returnsText,
    "returnsBigInt": returnsBigInt,
    "returnsCircular": returnsCircular,
    "returnsPromiseOfArray": returnsPromiseOfArray,
    "returnsDate": returnsDate,
    "ping": ping,
    "CartService": CartService,
    "LegacyCounter": LegacyCounter,
    "tagged": tagged,
    "AnonymousReportBuilder": AnonymousReportBuilder,
    "inventory": {
        "checkStock": _member("inventory.checkStock", 1),
        "reserve": _member("inventory.reserve", 2),
        "version": "1.2",
        "nested": {"deep": _member("inventory.nested.deep", 0)},
    },
    "pipeline": [_member("pipeline[0]", 1), "skip", _member("pipeline[2]", 2)],
    "reportsDefault": {
        "summary": _member("reports.summary", 0),
        "export-csv": _member("reports.export-csv", 1),
    },
    "syncProfile": syncProfile,
    "anonymousClearCache": _anonymous(lambda *args: {"cleared": True}),
    "Placeholder": Placeholder,
    "Settings": Settings,
    "Util": Util,
}
_GENERIC = {"echo0": 0, "echo1": 1}  # anonymous echo functions labelled where they are used


def _export(entry: Mapping[str, Any]) -> Any:
    if "value" in entry:
        return entry["value"]
    fixture = entry["fixture"]
    if fixture in _GENERIC:
        return _anonymous(_member(entry["label"], _GENERIC[fixture]))
    return LOCAL_FUNCTIONS[fixture]


def module_loaders(modules: list[Mapping[str, Any]], calls: list[str]) -> dict[str, Callable[[], Any]]:
    """A module set as ``{path: loader}`` in its listed order; each call appends its path to ``calls``."""

    def loader(module: Mapping[str, Any]) -> Callable[[], Any]:
        path, spec = module["path"], module["loader"]

        def load() -> Any:
            calls.append(path)
            kind = spec["kind"]
            if kind == "module":  # a mapping of the exports, in their order
                return {entry["export_name"]: _export(entry) for entry in module["exports"]}
            if kind == "rejects_error":
                raise Exception(spec["message"])
            if kind == "rejects_value":
                raise Exception(spec["value"])
            if kind == "resolves_value":
                return spec["value"]
            if kind == "resolves_bare_function":
                return _anonymous(lambda: None)
            if kind == "throws_if_called":
                raise AssertionError(f"{path} must not be loaded")
            raise ValueError(f"unknown loader kind {kind!r}")

        return load

    return {module["path"]: loader(module) for module in modules}


# --- the backend stub -----------------------------------------------------------------------


class BackendStub:
    """``executeBackendFunction``: by function name, as ``fixtures.backend_stub`` describes."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, function_name: str, payload: Any) -> Any:
        self.calls.append({"functionName": function_name, "payload": payload})
        if function_name == "fetch_weather":
            return {"echo": payload}
        if function_name == "reject_call":
            raise Exception("backend said no")
        if function_name == "null_result":  # "result": null, told apart from no result
            return FunctionResult(None, has_result=True)
        if function_name == "void_result":
            return None
        if function_name == "deferred_value":
            return _resolved({"deferred": True, "payload": payload})
        if function_name == "reject_async":
            return self._reject("async backend failure")
        if function_name == "throw_text":
            raise Exception("503 Service Unavailable")
        if function_name == "http_404_body":
            raise Exception('{"ok":false,"error":"Unknown or disallowed function."}')
        return {"called": function_name, "payload": payload}

    @staticmethod
    async def _reject(message: str) -> Any:
        await asyncio.sleep(0)
        raise Exception(message)
