"""Reading tool calls from Realtime server events and answering them (spec section 6).

Pure functions over one event at a time; the session that owns the connection keeps
the state (call ids already answered, names seen on earlier items).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, Literal

import attrs

from ._js import is_record, js_trim, json_parse, json_stringify

__all__ = [
    "ToolCall",
    "extract_tool_calls",
    "function_call_names",
    "parse_tool_payload",
    "serialize_tool_output",
    "tool_output_events",
    "tool_result_events",
    "voice_state",
]

Payload = Mapping[str, Any] | list[Any]

_ITEM_EVENTS = frozenset(
    {
        "response.output_item.done",
        "response.output_item.added",
        "conversation.item.created",
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.retrieved",
    }
)
_SPEAKING = frozenset({"response.output_audio.delta", "response.audio.delta", "output_audio_buffer.started"})
_IDLE = frozenset(
    {
        "response.output_audio.done",
        "response.audio.done",
        "response.done",
        "response.canceled",
        "response.cancelled",
        "conversation.interrupted",
        "output_audio_buffer.stopped",
        "output_audio_buffer.cleared",
        "error",
    }
)
_SERIALIZE_FAILED = '{"ok":false,"error":"Failed to serialize tool output."}'


@attrs.frozen
class ToolCall:
    """One function call the model made: ``name`` is None when the event did not carry it."""

    call_id: str
    name: str | None
    payload: Payload | None = attrs.field(hash=False)


def _as_event(event: Any) -> Any:
    """A decoded event: mappings as they are, JSON text parsed, SDK models dumped."""
    if isinstance(event, str | bytes | bytearray):
        try:
            return json_parse(event if isinstance(event, str) else bytes(event).decode("utf-8"))
        except ValueError:
            return None
    if isinstance(event, Mapping | list) or event is None:
        return event
    for method in ("to_dict", "model_dump"):
        dump = getattr(event, method, None)
        if callable(dump):
            return dump()
    return None


def _first_string(record: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of ``keys`` holding a non-blank string, trimmed (``readFirstString``)."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and js_trim(value):
            return js_trim(value)
    return None


def parse_tool_payload(value: Any) -> Payload | None:
    """A call's ``arguments``: blank -> None, JSON object or array -> it, other JSON ->
    ``{"value": x}``, text that is not JSON -> ``{"raw": text}``.

    Spec section 6, as corrected: the check is ``typeof x === "object"``, so arguments that
    parse to an array are the payload as they are, not ``{"value": [...]}``. Text is
    trimmed as JS ``trim`` does (U+FEFF, not U+0085) and parsed as ``JSON.parse`` does.
    """
    if value is None:
        return None
    if isinstance(value, str):
        trimmed = js_trim(value)
        if not trimmed:
            return None
        try:
            parsed = json_parse(trimmed)
        except (ValueError, RecursionError):
            return {"raw": value}
        return parsed if is_record(parsed) else {"value": parsed}
    if is_record(value):
        result: Payload = value
        return result
    return {"value": value}


def _from_item(item: Any, known: Container[str]) -> ToolCall | None:
    if not isinstance(item, Mapping) or item.get("type") != "function_call":
        return None
    status = item.get("status")
    # in_progress items come first with empty arguments; wait for the completed one.
    if isinstance(status, str) and status and status.lower() != "completed":
        return None
    call_id = _first_string(item, ("call_id", "id"))
    name = _first_string(item, ("name",))
    if not call_id or not name or call_id in known:
        return None
    return ToolCall(call_id=call_id, name=name.lower(), payload=parse_tool_payload(item.get("arguments")))


def extract_tool_calls(event: Any, known: Container[str] = ()) -> list[ToolCall]:
    """The completed function calls one Realtime server event carries.

    ``response.function_call_arguments.done`` gives one call (``name`` may be None);
    ``response.output_item.added|done`` and ``conversation.item.created|added|done|retrieved``
    give their item when it is a ``function_call`` with no status or ``completed``;
    ``response.done`` gives every such item of ``response.output``. ``event`` is a
    mapping, JSON text, or an SDK model (``to_dict()``/``model_dump()``). Calls whose id
    is in ``known`` (those already taken: a ``response.done`` repeats every call of its
    response) are left out before their arguments are parsed.
    """
    event = _as_event(event)
    if not isinstance(event, Mapping):
        return []
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        return []
    if event_type == "response.function_call_arguments.done":
        call_id = _first_string(event, ("call_id", "id"))
        if not call_id or call_id in known:
            return []
        name = _first_string(event, ("name",))
        return [
            ToolCall(
                call_id=call_id,
                name=name.lower() if name else None,
                payload=parse_tool_payload(event.get("arguments")),
            )
        ]
    if event_type in _ITEM_EVENTS:
        call = _from_item(event.get("item"), known)
        return [call] if call else []
    if event_type == "response.done":
        response = event.get("response")
        output = response.get("output") if isinstance(response, Mapping) else None
        calls = [_from_item(item, known) for item in output] if isinstance(output, list) else []
        return [call for call in calls if call is not None]
    return []


def function_call_names(event: Any) -> list[tuple[str, str]]:
    """(call id, name) of every ``function_call`` item in ``event``, even in progress.

    What a session remembers to name a later ``function_call_arguments.done`` that
    lacks ``name``: the event's ``item`` and the items of ``response.output``.
    """
    event = _as_event(event)
    if not isinstance(event, Mapping):
        return []
    items: list[Any] = [event.get("item")]
    response = event.get("response")
    if isinstance(response, Mapping) and isinstance(response.get("output"), list):
        items.extend(response["output"])
    names: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("type") != "function_call":
            continue
        call_id = item.get("call_id")
        if not isinstance(call_id, str):
            call_id = item.get("id")
        name = item.get("name")
        if isinstance(call_id, str) and call_id and isinstance(name, str) and js_trim(name):
            names.append((call_id, js_trim(name).lower()))
    return names


def voice_state(event: Any) -> Literal["speaking", "idle"] | None:
    """``speaking`` or ``idle`` when ``event`` changes the agent's voice state, else None."""
    event = _as_event(event)
    event_type = event.get("type") if isinstance(event, Mapping) else None
    if not isinstance(event_type, str):
        return None
    event_type = js_trim(event_type).lower()
    if event_type in _SPEAKING:
        return "speaking"
    if event_type in _IDLE:
        return "idle"
    return None


def serialize_tool_output(output: Any) -> str:
    """A string as itself, anything else as ``JSON.stringify`` writes it (or the failure object)."""
    if isinstance(output, str):
        return output
    try:
        return json_stringify(output)
    except (TypeError, ValueError, RecursionError):
        return _SERIALIZE_FAILED


def tool_output_events(call_id: str, output: Any) -> list[dict[str, Any]]:
    """The ``function_call_output`` item that answers call ``call_id`` (``output``
    serialized); none for a blank call id."""
    call_id = js_trim(call_id)
    if not call_id:
        return []
    return [
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call_output",
                "call_id": call_id,
                "output": serialize_tool_output(output),
            },
        }
    ]


def tool_result_events(call_id: str, output: Any) -> list[dict[str, Any]]:
    """The two client events that answer call ``call_id``: the ``function_call_output``
    item (``output`` serialized) and ``response.create``; none for a blank call id."""
    items = tool_output_events(call_id, output)
    return [*items, {"type": "response.create"}] if items else []
