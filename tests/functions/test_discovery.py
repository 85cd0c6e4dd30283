"""Discovery, naming and warnings byte for byte (spec sections 7 and 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from navai.functions._naming import locale_sort_key
from navai.server import discover_functions, functions_from_path, normalize_name

TREE = str(Path(__file__).parent / "tree_py")
SRC = "src/ai/functions-modules"


def test_list_and_warnings_match_spec_8_example() -> None:
    registry = discover_functions(base_dir=TREE, env={})
    rows = [(f.name, f.description, f.source) for f in registry]
    assert rows == [
        ("beta", "Call exported function Beta.", f"{SRC}/alpha.py#Beta"),
        ("default", "Call exported function default.", f"{SRC}/alpha.py#default"),
        ("list_0", "Call exported object member list.0().", f"{SRC}/alpha.py#list.0"),
        ("nothing", "Call exported function nothing.", f"{SRC}/alpha.py#nothing"),
        ("zeta", "Call exported function zeta.", f"{SRC}/alpha.py#zeta"),
        (
            "httpserver_tool_greet",
            "Call class method HTTPServerTool.greet().",
            f"{SRC}/beta.fn.py#HTTPServerTool.greet",
        ),
        (
            "httpserver_tool_with_ctx",
            "Call class method HTTPServerTool.with_ctx().",
            f"{SRC}/beta.fn.py#HTTPServerTool.with_ctx",
        ),
        ("default_2", "Call exported function default.", f"{SRC}/beta.fn.py#default"),
        ("math_add", "Call exported object member math.add().", f"{SRC}/beta.fn.py#math.add"),
        ("async_val", "Call exported function asyncVal.", f"{SRC}/sub/errors.py#asyncVal"),
        ("zeta_2", "Call exported function zeta.", f"{SRC}/sub/errors.py#zeta"),
    ]
    assert registry.warnings == [
        f"[navai] Ignored {SRC}/alpha.py#config: exported object has no callable members.",
        f"[navai] Ignored {SRC}/alpha.py#emptyObj: exported object has no callable members.",
        f"[navai] Ignored {SRC}/beta.fn.py#Empty: class has no callable instance methods.",
        '[navai] Renamed duplicated function "default" to "default_2".',
        f"[navai] Failed to load {SRC}/sub/broken.py: module init failed",
        '[navai] Renamed duplicated function "zeta" to "zeta_2".',
    ]


@pytest.mark.parametrize(
    ("folders", "agents", "expected", "warning"),
    [
        (None, None, ["alpha.py", "beta.fn.py", "sub/broken.py", "sub/errors.py"], None),
        ("ai/functions-modules/sub", None, ["sub/broken.py", "sub/errors.py"], None),
        ("nope/dir", None, ["alpha.py", "beta.fn.py", "sub/broken.py", "sub/errors.py"], "nope/dir"),
        ("src/ai/functions-modules", "sub", ["sub/broken.py", "sub/errors.py"], None),
        ("src/ai/*/alpha.py", None, ["alpha.py"], None),
        (
            "src/ai/functions-modules/alpha.py, ./ai/functions-modules/beta.fn.py",
            None,
            ["alpha.py", "beta.fn.py"],
            None,
        ),
        ("src/ai/...", None, ["alpha.py", "beta.fn.py", "sub/broken.py", "sub/errors.py"], None),
    ],
)
def test_folder_tokens_spec_7(
    folders: str | None, agents: str | None, expected: list[str], warning: str | None
) -> None:
    from navai.server import resolve_runtime_config

    env = {"NAVAI_FUNCTIONS_FOLDERS": folders or "", "NAVAI_AGENTS_FOLDERS": agents or ""}
    config = resolve_runtime_config(base_dir=TREE, env=env)
    assert sorted(config.modules) == [f"{SRC}/{name}" for name in expected]
    if warning is None:
        assert config.warnings == []
    else:
        assert config.warnings == [
            f'[navai] NAVAI_FUNCTIONS_FOLDERS did not match any module: "{warning}". '
            'Falling back to "src/ai/functions-modules".'
        ]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("asyncVal", "async_val"),
        ("HTTPServerTool_greet", "httpserver_tool_greet"),
        ("ServicioIA_iniciar", "servicio_ia_iniciar"),
        ("--", ""),
        ("a-b c", "a_b_c"),
    ],
)
def test_normalize_name(raw: str, name: str) -> None:
    assert normalize_name(raw) == name


def test_locale_order_matches_node_for_ascii() -> None:
    paths = [
        "a.js",
        "A.js",
        "a-b.js",
        "a_b.js",
        "ab.js",
        "a.b.js",
        "B.js",
        "b.js",
        "a1.js",
        "a10.js",
        "a2.js",
        "Z.js",
    ]
    assert sorted(paths, key=locale_sort_key) == [  # Node 20: [...].sort((a, b) => a.localeCompare(b))
        "a_b.js",
        "a-b.js",
        "a.b.js",
        "a.js",
        "A.js",
        "a1.js",
        "a10.js",
        "a2.js",
        "ab.js",
        "b.js",
        "B.js",
        "Z.js",
    ]


def test_functions_from_a_file_and_from_a_folder(tmp_path: Path) -> None:
    """``navai agent --functions PATH``: one file, or every .py file under a folder, named and
    described as folder discovery does (no docstrings, as the Node backend)."""
    tools = tmp_path / "tools"
    (tools / "nested").mkdir(parents=True)
    (tools / "_private").mkdir()
    (tools / "weather.py").write_text(
        'def get_weather(city):\n    """Weather for a city."""\n    return {"city": city}\n'
    )
    (tools / "nested" / "clock.fn.py").write_text("def now():\n    return 1\n")
    (tools / "_helpers.py").write_text("def hidden():\n    return 0\n")
    (tools / "_private" / "x.py").write_text("def hidden2():\n    return 0\n")
    (tools / "broken.py").write_text("raise RuntimeError('boom')\n")

    folder = functions_from_path(tools)
    assert [(f.name, f.description, f.source) for f in folder] == [
        ("now", "Call exported function now.", "nested/clock.fn.py#now"),
        ("get_weather", "Call exported function get_weather.", "weather.py#get_weather"),
    ]
    assert folder.warnings == ["[navai] Failed to load broken.py: boom"]

    single = functions_from_path(tools / "weather.py")
    assert [f.source for f in single] == ["weather.py#get_weather"]
    assert single.warnings == []

    with pytest.raises(FileNotFoundError, match="no Python file or folder"):
        functions_from_path(tmp_path / "missing")


def test_a_loaders_mapping_keeps_its_order() -> None:
    # A loader's mapping is a plain object to the TypeScript loader (Object.entries): its
    # own order, integer-like keys first; only a module is ordered as a JS namespace (code
    # units). Before, mappings were sorted too (mobile goldens load_app, load_loader_edge_cases).
    from navai.functions._discovery import module_exports
    from navai.server import load_navai_functions

    def lookup() -> None: ...

    exports = {"zeta": lookup, "Alpha": lookup, "10": lookup, "2": lookup, "alpha": lookup}
    assert [name for name, _ in module_exports(exports)] == ["2", "10", "zeta", "Alpha", "alpha"]
    registry = load_navai_functions({"src/fns/a.ts": lambda: {"lookup": lookup, "Lookup": lookup}})
    assert registry.names() == ["lookup", "lookup_2"]
    assert registry.warnings == ['[navai] Renamed duplicated function "Lookup" to "lookup_2".']
