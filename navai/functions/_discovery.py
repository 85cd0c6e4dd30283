"""Folder discovery of Python function modules (spec section 7) and module exports."""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ._errors import NavaiDiscoveryError
from ._jscompat import js_key_order, read_optional
from ._model import FunctionRegistry
from ._naming import module_stem, sorted_by_locale, utf16_key

__all__ = [
    "DEFAULT_EXCLUDES",
    "DEFAULT_EXTENSIONS",
    "DEFAULT_FUNCTIONS_FOLDER",
    "RuntimeConfig",
    "discover_functions",
    "functions_from_path",
    "load_navai_functions",
    "module_exports",
    "resolve_runtime_config",
]

DEFAULT_FUNCTIONS_FOLDER = "src/ai/functions-modules"
DEFAULT_EXTENSIONS: tuple[str, ...] = ("py",)
DEFAULT_EXCLUDES: tuple[str, ...] = ("**/node_modules/**", "**/dist/**", "**/.*/**")
_EXACT_FILE = re.compile(r"\.([cm]?[jt]s|py)$")

ModuleLoader = Callable[[], ModuleType | Mapping[str, Any]]


def normalize_path(value: str) -> str:
    """Trim, ``\\`` -> ``/``, then strip leading ``/``, ``./`` runs and ``../`` runs."""
    value = value.strip().replace("\\", "/")
    value = re.sub(r"^/+", "", value)
    value = re.sub(r"^(\./)+", "", value)
    return re.sub(r"^(\.\./)+", "", value)


def glob_to_regexp(pattern: str) -> re.Pattern[str]:
    """The package's glob: ``**`` -> ``.*``, ``*`` -> ``[^/]*``, anchored."""
    escaped = re.sub(r"([.+^${}()|\[\]\\])", r"\\\1", pattern)
    escaped = escaped.replace("**", "\0").replace("*", "[^/]*").replace("\0", ".*")
    return re.compile(f"^{escaped}$")


def _segment(value: str) -> str:
    return normalize_path(value).replace("/", "")


def path_matcher(token: str, agent_folders: Sequence[str] = ()) -> Callable[[str], bool]:
    """The package's ``createPathMatcher`` (a ``src/`` prefix is forced)."""
    raw = normalize_path(token)
    if not raw:
        return lambda _path: False
    normalized = raw if raw.startswith("src/") else f"src/{raw}"
    if normalized.endswith("/..."):
        prefix = normalized[:-4].rstrip("/") + "/"
        return lambda path: path.startswith(prefix)
    if "*" in normalized:
        regexp = glob_to_regexp(normalized)
        return lambda path: regexp.match(path) is not None
    if _EXACT_FILE.search(normalized):
        return lambda path: path == normalized
    base = normalized.rstrip("/")
    agents = [segment for segment in (_segment(a) for a in agent_folders) if segment]
    if agents:

        def in_agent(path: str) -> bool:
            if not path.startswith(f"{base}/"):
                return False
            return path[len(base) + 1 :].split("/", 1)[0] in agents

        return in_agent
    return lambda path: path == base or path.startswith(f"{base}/")


def _scandir_error(exc: OSError, path: str) -> NavaiDiscoveryError:
    code = errno.errorcode.get(exc.errno or 0, "EIO")
    reason = exc.strerror or "error"
    return NavaiDiscoveryError(exc.errno, f"{code}: {reason[:1].lower()}{reason[1:]}, scandir '{path}'")


def scan_modules(base_dir: str, extensions: Iterable[str], exclude: Iterable[str]) -> list[tuple[str, str]]:
    """``(relative path, absolute path)`` of candidate files under ``base_dir``.

    Every token matcher requires a ``src/`` prefix, so only ``<base>/src`` is walked;
    the result is the same as walking the whole tree.
    """
    wanted = {ext.lstrip(".").lower() for ext in extensions}
    excluded = [glob_to_regexp(normalize_path(pattern)) for pattern in exclude]
    results: list[tuple[str, str]] = []

    def is_excluded(rel: str) -> bool:
        with_slash = rel if rel.endswith("/") else f"{rel}/"
        return any(p.match(rel) or p.match(with_slash) for p in excluded)

    def walk(directory: str, rel_dir: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            raise _scandir_error(exc, directory) from None
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            if rel_dir == "" and entry.name != "src":
                continue
            if is_excluded(rel):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{rel}/")
            elif (
                entry.is_file(follow_symlinks=False)
                and not rel.endswith(".d.ts")
                and os.path.splitext(entry.name)[1].lstrip(".").lower() in wanted
            ):
                results.append((rel, entry.path))

    walk(base_dir, "")
    return results


@dataclass(frozen=True)
class RuntimeConfig:
    """Matched modules (relative path -> absolute path) and the discovery warnings."""

    modules: dict[str, str]
    warnings: list[str]


def resolve_runtime_config(
    *,
    base_dir: str | None = None,
    functions_folders: str | None = None,
    agents_folders: str | None = None,
    include_extensions: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    default_functions_folder: str = DEFAULT_FUNCTIONS_FOLDER,
) -> RuntimeConfig:
    """The package's ``resolveNavaiBackendRuntimeConfig`` for ``.py`` modules."""
    env = os.environ if env is None else env
    configured_base = read_optional(base_dir) or read_optional(env.get("NAVAI_FUNCTIONS_BASE_DIR"))
    base = os.path.abspath(configured_base) if configured_base else os.getcwd()
    folders = (
        read_optional(functions_folders)
        or read_optional(env.get("NAVAI_FUNCTIONS_FOLDERS"))
        or default_functions_folder
    )
    agents_raw = read_optional(agents_folders) or read_optional(env.get("NAVAI_AGENTS_FOLDERS")) or ""
    agents = [segment for segment in (_segment(a) for a in agents_raw.split(",")) if segment]
    indexed = scan_modules(
        base,
        DEFAULT_EXTENSIONS if include_extensions is None else include_extensions,
        DEFAULT_EXCLUDES if exclude is None else exclude,
    )
    configured = [token.strip() for token in folders.split(",") if token.strip()]
    matchers = [path_matcher(token, agents) for token in (configured or [default_functions_folder])]
    matched = [(rel, abs_path) for rel, abs_path in indexed if any(m(rel) for m in matchers)]
    warnings: list[str] = []
    if not matched and configured:
        warnings.append(
            f'[navai] NAVAI_FUNCTIONS_FOLDERS did not match any module: "{folders}". '
            f'Falling back to "{default_functions_folder}".'
        )
        fallback = path_matcher(default_functions_folder, agents)
        matched = [(rel, abs_path) for rel, abs_path in indexed if fallback(rel)]
    return RuntimeConfig(modules=dict(matched), warnings=warnings)


def import_file(abs_path: str) -> ModuleType:
    """Import a ``.py`` file under a private, unique module name."""
    digest = hashlib.sha1(abs_path.encode(), usedforsecurity=False).hexdigest()[:12]
    name = f"_navai_functions_{digest}_{re.sub(r'[^0-9a-zA-Z_]', '_', module_stem(abs_path))}"
    spec = importlib.util.spec_from_file_location(name, abs_path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {abs_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _defined_in(value: Any, module_name: str) -> bool:
    if inspect.ismodule(value):
        return False
    if isinstance(value, Mapping | list | tuple):
        return True
    if callable(value):
        return getattr(value, "__module__", None) == module_name
    return True


def module_exports(module: ModuleType | Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A module's exports: a module's in UTF-16 code-unit order as a JS module namespace,
    a mapping's in its own order as ``Object.entries`` gives a plain object's.

    A mapping (what a loader built itself, like a bundler's module object) keeps its
    order, integer-like keys first (`js_key_order`). For a module: the names of
    ``__all__`` when it has one, else its public attributes defined in it (imported
    classes, functions and modules are left out); an attribute named ``default`` plays
    the JS default export.
    """
    if isinstance(module, Mapping):
        return js_key_order([(str(key), value) for key, value in module.items()])
    namespace = vars(module)
    explicit = namespace.get("__all__")
    if explicit is not None:
        items = [(name, namespace[name]) for name in explicit if name in namespace]
    else:
        items = [
            (name, value)
            for name, value in namespace.items()
            if not name.startswith("_") and (name == "default" or _defined_in(value, module.__name__))
        ]
    return sorted(items, key=lambda item: utf16_key(item[0]))


def load_navai_functions(loaders: Mapping[str, ModuleLoader]) -> FunctionRegistry:
    """The package's ``loadNavaiFunctions``: modules by locale order, exports by code unit."""
    registry = FunctionRegistry()
    for path in sorted_by_locale(p for p in loaders if not p.endswith(".d.ts")):
        try:
            exports = module_exports(loaders[path]())
        except (Exception, SystemExit) as exc:
            registry.warnings.append(f"[navai] Failed to load {path}: {exc}")
            continue
        if not exports:
            registry.warnings.append(f"[navai] Ignored {path}: module has no exports.")
            continue
        added = sum(registry.add_export(path, name, value) for name, value in exports)
        if not added:
            registry.warnings.append(f"[navai] Ignored {path}: module has no callable exports.")
    return registry


def discover_functions(
    *,
    base_dir: str | None = None,
    functions_folders: str | None = None,
    agents_folders: str | None = None,
    include_extensions: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> FunctionRegistry:
    """Find, import and register function modules; discovery warnings come first."""
    config = resolve_runtime_config(
        base_dir=base_dir,
        functions_folders=functions_folders,
        agents_folders=agents_folders,
        include_extensions=include_extensions,
        exclude=exclude,
        env=env,
    )
    loaders = {rel: _loader(abs_path) for rel, abs_path in config.modules.items()}
    registry = load_navai_functions(loaders)
    registry.warnings[:0] = config.warnings
    return registry


def functions_from_path(path: str | os.PathLike[str]) -> FunctionRegistry:
    """The functions of one ``.py`` file, or of every ``.py`` file under a folder.

    Modules are imported and their exports named, described and de-duplicated as folder
    discovery does; a module that fails to import becomes a warning. Sources are paths
    relative to the folder (or the file's name). Raises ``FileNotFoundError`` when ``path``
    is neither a ``.py`` file nor a folder.
    """
    root = os.path.abspath(os.fspath(path))
    if os.path.isfile(root) and root.endswith(".py"):
        return load_navai_functions({os.path.basename(root): _loader(root)})
    if not os.path.isdir(root):
        raise FileNotFoundError(f"no Python file or folder at {os.fspath(path)!r}")
    loaders: dict[str, ModuleLoader] = {}
    for directory, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith((".", "_")) and name != "node_modules"]
        for name in files:
            if name.endswith(".py") and not name.startswith(("_", ".")):
                abs_path = os.path.join(directory, name)
                loaders[os.path.relpath(abs_path, root).replace(os.sep, "/")] = _loader(abs_path)
    return load_navai_functions(loaders)


def _loader(abs_path: str) -> ModuleLoader:
    return lambda: import_file(abs_path)
