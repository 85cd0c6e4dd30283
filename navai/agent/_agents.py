"""Agents configured per folder: ``NAVAI_AGENTS_FOLDERS`` and each folder's ``agent.config``.

A port of ``resolveNavaiFrontendRuntimeConfig`` (``@navai/voice-frontend`` 0.1.7) for the
function modules and agents it resolves (routes and the model are the app's own here):
which modules are function modules, how they group into agents by their first folder
under a functions folder, and what each folder's ``agent.config`` module says. Paths are
module paths relative to the app root (``src/ai/functions-modules/food/menu.py``); the
JavaScript extensions are understood too, so the same inputs run through both runtimes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

from ._js import js_trim

if TYPE_CHECKING:
    from navai.functions._discovery import ModuleLoader
    from navai.functions._model import FunctionRegistry

__all__ = ["AgentConfig", "AgentsConfig", "discover_agents", "resolve_agents"]

DEFAULT_FUNCTIONS_FOLDER = "src/ai/functions-modules"
_EXTENSION = re.compile(r"\.([cm]?[jt]s|py)$")
_AGENT_CONFIG = re.compile(r"/agent\.config\.([cm]?[jt]s|py)$", re.IGNORECASE)


@attrs.frozen
class AgentConfig:
    """One agent: what its folder's ``agent.config`` says, and its functions.

    ``name`` is what the model sees (``transfer_to_<name>``, the specialist list);
    ``description`` is its line in the primary agent's list and ``handoff_description``
    the end of its transfer tool's description (each falls back on the other, as the web
    runtime reads them); ``instructions`` replace the agent's first line. ``functions``
    are its local functions, in any form :func:`navai.agent.create_agent_runtime` takes;
    ``modules`` the module paths they were loaded from, when :func:`resolve_agents` found it.
    """

    key: str
    name: str
    description: str | None = None
    handoff_description: str | None = None
    instructions: str | None = None
    is_primary: bool = False
    functions: Any = attrs.field(default=(), eq=False, repr=False)
    modules: tuple[str, ...] = ()


@attrs.frozen
class AgentsConfig:
    """What :func:`resolve_agents` found: the agents, the primary's key, and warnings.

    ``modules`` are every matched function module's path; ``functions`` their functions,
    loaded only when no agent has any (the web runtime's fallback for a single agent),
    otherwise None.
    """

    agents: tuple[AgentConfig, ...]
    primary_agent_key: str | None
    modules: tuple[str, ...] = ()
    functions: FunctionRegistry | None = attrs.field(default=None, eq=False, repr=False)
    warnings: tuple[str, ...] = ()


def _normalize_path(value: str) -> str:
    value = js_trim(value).replace("\\", "/")
    value = re.sub(r"^/+", "", value)
    value = re.sub(r"^(\./)+", "", value)
    return re.sub(r"^(\.\./)+", "", value)


def _csv_segments(value: str | None) -> list[str]:
    """``parseCsvList``: each comma-separated item normalized, slashes removed, blanks dropped."""
    return [s for s in (_normalize_path(item).replace("/", "") for item in (value or "").split(",")) if s]


def _read_optional(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    trimmed = js_trim(value)
    return trimmed or None


def _base_directory(token: str) -> str | None:
    """``toAgentBaseDirectory``: a plain folder (or ``folder/...``) under ``src/``, else None."""
    raw = _normalize_path(token)
    if not raw:
        return None
    normalized = raw if raw.startswith("src/") else f"src/{raw}"
    if "*" in normalized or _EXTENSION.search(normalized):
        return None
    if normalized.endswith("/..."):
        normalized = normalized[:-4]
    return normalized.rstrip("/") or None


def _config_candidates(base: str) -> list[str]:
    """``buildModuleCandidates`` of ``<folder>/agent.config``, a ``.py`` module first."""
    return [base, f"{base}.py", f"{base}.ts", f"{base}.js", f"{base}/index.ts", f"{base}/index.js"]


def _get(shape: Any, name: str) -> Any:
    if isinstance(shape, Mapping):
        return shape.get(name)
    return getattr(shape, name, None)


def _record(value: Any) -> Any:
    """``readRecord``: a mapping or an object (not a primitive, not a function), else None."""
    if value is None or isinstance(value, str | bytes | int | float | bool) or callable(value):
        return None
    return value


def read_agent_config(module: ModuleType | Mapping[str, Any]) -> dict[str, Any]:
    """``readAgentModuleConfig``: the first of ``NAVAI_AGENT``, ``agent``, ``default`` that is
    an object; strings trimmed (blank is none), ``isPrimary`` only when it is ``True``.

    Python names are read too: ``handoff_description`` and ``is_primary`` where the
    JavaScript names are absent.
    """
    candidate: Any = {}
    for name in ("NAVAI_AGENT", "agent", "default"):  # `??`: an empty mapping still counts
        record = _record(_get(module, name))
        if record is not None:
            candidate = record
            break

    def field(js_name: str, py_name: str | None = None) -> Any:
        value = _get(candidate, js_name)
        if value is None and py_name is not None:
            value = _get(candidate, py_name)
        return value

    return {
        "key": _read_optional(field("key")),
        "name": _read_optional(field("name")),
        "description": _read_optional(field("description")),
        "handoff_description": _read_optional(field("handoffDescription", "handoff_description")),
        "instructions": _read_optional(field("instructions")),
        "is_primary": field("isPrimary", "is_primary") is True,
    }


def humanize_agent_key(key: str) -> str:
    """``food-expert`` -> ``Food Expert``: parts split on ``_``/``-``, each capitalized."""
    return " ".join(part[:1].upper() + part[1:] for part in re.split(r"[_-]+", key) if part)


def _function_loaders(
    indexed: list[tuple[str, str, ModuleLoader]],
    functions_folders: str,
    agent_folders: list[str],
    default_folder: str,
    warnings: list[str],
) -> dict[str, ModuleLoader]:
    from navai.functions._discovery import path_matcher

    def eligible(path: str) -> bool:
        return (
            not path.endswith(".d.ts")
            and not path.startswith("src/node_modules/")
            and not _AGENT_CONFIG.search(path)
        )

    configured = [token for token in (js_trim(t) for t in functions_folders.split(",")) if token]
    matchers = [path_matcher(token, agent_folders) for token in (configured or [default_folder])]
    matched = {raw: load for raw, path, load in indexed if eligible(path) and any(m(path) for m in matchers)}
    if matched:
        return matched
    if configured:
        warnings.append(
            f'[navai] NAVAI_FUNCTIONS_FOLDERS did not match any module: "{functions_folders}". '
            f'Falling back to "{default_folder}".'
        )
    fallback = path_matcher(default_folder, agent_folders)
    return {raw: load for raw, path, load in indexed if eligible(path) and fallback(path)}


def resolve_agents(
    modules: Mapping[str, ModuleLoader],
    *,
    functions_folders: str | None = None,
    agents_folders: str | None = None,
    env: Mapping[str, str] | None = None,
    default_functions_folder: str = DEFAULT_FUNCTIONS_FOLDER,
) -> AgentsConfig:
    """The agents of ``modules`` (module path -> loader), as the web runtime resolves them.

    ``functions_folders`` (else ``NAVAI_FUNCTIONS_FOLDERS``, else the default folder) picks
    the function modules; ``agents_folders`` (else ``NAVAI_AGENTS_FOLDERS``) names agent
    folders, comma-separated: with it, a plain functions folder matches only modules in
    those folders, and each module belongs to the agent of its first folder under a
    functions folder. A folder with no function module is no agent. Each agent reads
    ``<folder>/agent.config`` (``.py``, ``.ts``, ``.js``, ``index``) for its key, name
    (else the folder name humanized: ``food-expert`` -> ``Food Expert``), description,
    handoff description, instructions and ``isPrimary``; a config that fails to load is
    empty. The primary is the first listed folder that has functions; ``isPrimary`` picks
    one only when that first folder has none (the web runtime's rule). ``env`` is
    ``os.environ`` when None.
    """
    from navai.functions._discovery import load_navai_functions

    environ = os.environ if env is None else env
    folders = (
        _read_optional(functions_folders)
        or _read_optional(environ.get("NAVAI_FUNCTIONS_FOLDERS"))
        or default_functions_folder
    )
    agents_raw = _read_optional(agents_folders) or _read_optional(environ.get("NAVAI_AGENTS_FOLDERS"))
    agent_keys = _csv_segments(agents_raw)
    warnings: list[str] = []
    indexed = [(raw, _normalize_path(raw), load) for raw, load in modules.items()]
    loaders = _function_loaders(indexed, folders, agent_keys, default_functions_folder, warnings)

    agents: list[AgentConfig] = []
    if agent_keys:
        by_path = {path: load for _, path, load in indexed}
        configured = [t for t in (js_trim(t) for t in folders.split(",")) if t] or [default_functions_folder]
        bases = list(dict.fromkeys(b for b in map(_base_directory, configured) if b))
        grouped: dict[str, dict[str, ModuleLoader]] = {}
        for raw, load in loaders.items():
            key = _agent_key(_normalize_path(raw), bases, agent_keys)
            if key is not None:
                grouped.setdefault(key, {})[raw] = load
        for agent_key in agent_keys:
            group = grouped.get(agent_key)
            if not group:
                continue
            config = _load_config(agent_key, bases, by_path)
            agents.append(
                AgentConfig(
                    key=config["key"] or agent_key,
                    name=config["name"] or humanize_agent_key(agent_key),
                    description=config["description"],
                    handoff_description=config["handoff_description"] or config["description"],
                    instructions=config["instructions"],
                    is_primary=config["is_primary"] or agent_key == agent_keys[0],
                    functions=load_navai_functions(group),
                    modules=tuple(group),
                )
            )
        primaries = [i for i, agent in enumerate(agents) if agent.is_primary]
        chosen = primaries[0] if primaries else 0
        agents = [attrs.evolve(agent, is_primary=i == chosen) for i, agent in enumerate(agents)]
    primary = next((agent.key for agent in agents if agent.is_primary), None)
    functions = None if agents else load_navai_functions(loaders)
    return AgentsConfig(
        agents=tuple(agents),
        primary_agent_key=primary,
        modules=tuple(loaders),
        functions=functions,
        warnings=tuple(warnings),
    )


def _agent_key(path: str, bases: Sequence[str], agent_keys: Sequence[str]) -> str | None:
    for base in bases:
        if path.startswith(f"{base}/"):
            first = path[len(base) + 1 :].split("/", 1)[0]
            if first in agent_keys:
                return first
    return None


def _load_config(agent_key: str, bases: Iterable[str], by_path: Mapping[str, ModuleLoader]) -> dict[str, Any]:
    for base in bases:
        load = next(
            (by_path[c] for c in _config_candidates(f"{base}/{agent_key}/agent.config") if c in by_path), None
        )
        if load is None:
            continue
        try:
            return read_agent_config(load())
        except Exception:
            return read_agent_config({})
    return read_agent_config({})


def discover_agents(
    *,
    base_dir: str | os.PathLike[str] | None = None,
    functions_folders: str | None = None,
    agents_folders: str | None = None,
    env: Mapping[str, str] | None = None,
) -> AgentsConfig:
    """:func:`resolve_agents` over the ``.py`` files under ``base_dir/src`` (else
    ``NAVAI_FUNCTIONS_BASE_DIR``, else the working directory), skipping ``node_modules``,
    ``dist`` and hidden folders as the backend's discovery does.

    An agent's config is ``<folder>/agent.config.py``, with a mapping named ``NAVAI_AGENT``
    (or ``agent``, or ``default``)::

        NAVAI_AGENT = {"name": "Food", "description": "Meal suggestions.", "instructions": "..."}

    Raises `navai.functions.NavaiDiscoveryError` when the base folder cannot be read.
    """
    from navai.functions._discovery import DEFAULT_EXCLUDES, import_file, scan_modules

    environ = os.environ if env is None else env
    configured = base_dir if base_dir is not None else _read_optional(environ.get("NAVAI_FUNCTIONS_BASE_DIR"))
    root = os.path.abspath(os.fspath(configured)) if configured else os.getcwd()
    found = scan_modules(root, ("py",), DEFAULT_EXCLUDES)

    def loader(path: str) -> ModuleLoader:
        return lambda: import_file(path)

    return resolve_agents(
        {rel: loader(abs_path) for rel, abs_path in found},
        functions_folders=functions_folders,
        agents_folders=agents_folders,
        env=environ,
    )
