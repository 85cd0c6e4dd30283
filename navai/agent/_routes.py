"""Allowed routes: what ``navigate_to`` may open, and how a spoken target finds one.

The rules of ``routes.ts`` in ``@navai/voice-mobile`` (spec section 5.1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._js import js_trim

__all__ = ["Route", "coerce_routes", "resolve_route", "route_prompt_lines"]

_COMBINING = re.compile("[\u0300-\u036f]")


def _synonyms(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class Route:
    """A route the agent may navigate to.

    ``name`` and ``synonyms`` are what the user may say (``perfil``, ``ajustes``), ``path``
    is what ``navigate`` receives, ``description`` is for the app's own use (the
    instructions list name, path and synonyms only, as the TypeScript runtime does).
    """

    name: str
    path: str
    description: str
    synonyms: tuple[str, ...] = attrs.field(default=(), converter=_synonyms)


def coerce_routes(routes: Iterable[Route | Mapping[str, Any]]) -> tuple[Route, ...]:
    """Routes from ``Route`` objects or mappings with ``name``, ``path``, ``description``, ``synonyms``."""
    result: list[Route] = []
    for route in routes:
        if isinstance(route, Route):
            result.append(route)
        elif isinstance(route, Mapping):
            result.append(
                Route(
                    name=route["name"],
                    path=route["path"],
                    description=route.get("description") or "",
                    synonyms=route.get("synonyms") or (),
                )
            )
        else:
            raise TypeError(f"a route must be a Route or a mapping, not {type(route).__name__}")
    return tuple(result)


def _normalize(value: str) -> str:
    """NFD, combining marks U+0300-U+036F removed, trimmed, lower-cased."""
    return js_trim(_COMBINING.sub("", unicodedata.normalize("NFD", value))).lower()


def resolve_route(target: str, routes: Sequence[Route] = ()) -> str | None:
    """The path ``target`` names: an exact path, else a name or synonym, else one it contains.

    Routes are tried in order at each step, so the first route claiming a target wins; an
    empty synonym is contained in every target. ``target`` must be a string (TypeError).
    """
    wanted = _normalize(target)
    for route in routes:
        if _normalize(route.path) == wanted:
            return route.path
    for route in routes:
        if _normalize(route.name) == wanted or any(_normalize(s) == wanted for s in route.synonyms):
            return route.path
    for route in routes:
        if _normalize(route.name) in wanted or any(_normalize(s) in wanted for s in route.synonyms):
            return route.path
    return None


def route_prompt_lines(routes: Sequence[Route] = ()) -> list[str]:
    """``- <name> (<path>)[, aliases: a, b]`` for each route."""
    return [
        f"- {route.name} ({route.path})"
        + (f", aliases: {', '.join(route.synonyms)}" if route.synonyms else "")
        for route in routes
    ]
