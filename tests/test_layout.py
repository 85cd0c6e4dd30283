"""The repository's layout: navai stands on httpx2 (it holds no HTTP implementation of its own),
and tests/, bench/ and scripts/ are packages that import each other by name, with no
``sys.path`` surgery and no module named after one of the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAVAI = ROOT / "navai"
PACKAGES = ("tests", "bench", "scripts")
"""The repository's own packages beside navai, run from the root (``python -m bench.run``)."""
SKIPPED_FOLDERS = {"node_modules", "__pycache__", ".venv", "build"}
LIST_EDITS = {"insert", "append", "extend", "remove", "pop", "clear", "reverse", "sort"}
PROTOCOL_MODULES = {"socket", "ssl", "selectors", "http", "h11", "h2", "httpcore", "httpcore2", "httpx"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(NAVAI.glob("*.py")), ids=lambda p: p.name)
def test_no_module_of_navai_speaks_a_protocol_itself(path: Path) -> None:
    assert not {name for name in _imports(path) if name.split(".")[0] in PROTOCOL_MODULES}
    source = path.read_text()
    for marker in ("asyncio.Protocol", "open_connection", "create_connection", "wrap_socket"):
        assert marker not in source


def test_the_facade_imports_the_generated_endpoints() -> None:
    assert "navai_api.api.navai" in _imports(NAVAI / "_core.py")


def test_the_sync_client_is_generated_from_the_async_one() -> None:
    """navai/_client.py is scripts/unasync.py's output for navai/_async_client.py, byte for byte."""
    check = subprocess.run(
        [sys.executable, "-m", "scripts.unasync", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr


def test_import_navai_loads_no_http_stack_until_a_client_is_used() -> None:
    """The promise of navai/__init__.py: catching navai.NavaiError costs no httpx2 import."""
    code = (
        "import sys, navai\n"
        "try:\n    raise navai.NavaiError('x')\nexcept navai.NavaiError:\n    pass\n"
        "assert 'httpx2' not in sys.modules, 'httpx2 imported'\n"
        "navai.NavaiBackendClient('http://backend.test', env={})\n"
        "assert 'httpx2' in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_function_model_imports_no_web_framework() -> None:
    """navai.functions is what the server, the agent and the MCP server share: no Starlette."""
    code = (
        "import sys\n"
        "from navai.functions import FunctionRegistry, discover_functions, functions_from_path\n"
        "registry = FunctionRegistry()\n"
        "registry.add(lambda: 1)\n"
        "assert registry.names(), registry\n"
        "import navai.agent\n"
        "navai.agent.create_agent_runtime(functions=registry)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn'))\n"
        "assert not bad, bad\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_server_re_exports_the_function_model_it_does_not_redefine() -> None:
    import navai.functions
    import navai.server

    for name in navai.functions.__all__:
        assert getattr(navai.server, name) is getattr(navai.functions, name), name


def _python_files(*trees: str) -> Iterator[Path]:
    for tree in trees:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if not SKIPPED_FOLDERS & set(path.relative_to(ROOT).parts):
                yield path


def _edits_sys_path(node: ast.AST) -> bool:
    """``sys.path.insert(...)`` (or append, extend, remove, ...), ``sys.path = ...``,
    ``sys.path[:] = ...``, ``sys.path += ...`` or ``del sys.path[...]``."""

    def is_sys_path(target: ast.AST) -> bool:
        if isinstance(target, ast.Subscript):
            target = target.value
        return (
            isinstance(target, ast.Attribute)
            and target.attr == "path"
            and isinstance(target.value, ast.Name)
            and target.value.id == "sys"
        )

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in LIST_EDITS and is_sys_path(node.func.value)
    if isinstance(node, ast.Delete):
        return any(is_sys_path(target) for target in node.targets)
    if isinstance(node, ast.Assign):
        return any(is_sys_path(target) for target in node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return is_sys_path(node.target)
    return False


def test_no_file_edits_sys_path_outside_conftest() -> None:
    """Test helpers, benchmarks and scripts import each other as packages (``tests.support``,
    ``bench``, ``scripts``), with the repository root on the path; none edits ``sys.path``."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _python_files("navai", *PACKAGES)
        if path.name != "conftest.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if _edits_sys_path(node)
    ]
    assert not found, found


def test_the_sys_path_check_sees_every_form() -> None:
    forms = [
        "sys.path.insert(0, 'tests')",
        "sys.path.append('tests')",
        "sys.path[:] = []",
        "sys.path = ['.']",
        "sys.path += ['tests']",
        "del sys.path[0]",
    ]
    for form in forms:
        assert any(_edits_sys_path(node) for node in ast.walk(ast.parse(form))), form
    for reading in ("print(sys.path[0])", "sys.path.index('tests')", "paths = list(sys.path)"):
        assert not any(_edits_sys_path(node) for node in ast.walk(ast.parse(reading))), reading


def test_no_module_is_named_after_the_standard_library() -> None:
    """A script run as a file has its folder first on ``sys.path``, where a ``profile.py``
    would stand in for the standard library's (which cProfile imports)."""
    shadowing = [
        str(path.relative_to(ROOT))
        for path in _python_files(*PACKAGES)
        for name in {path.stem, path.parent.name}
        if name in sys.stdlib_module_names
    ]
    assert not shadowing, shadowing


def test_every_folder_with_python_modules_is_a_package() -> None:
    """So pytest and ``python -m`` import them by their dotted names from the root
    (``tests.mcp``, ``tests.agent``), never as top-level ``mcp`` or ``agent``, which would
    shadow the `mcp` SDK or navai.agent's name; fixture trees of functions are not imported."""
    fixture_trees = ("backend_py", "hostile_py", "tree_py")
    folders = {
        path.parent
        for path in _python_files(*PACKAGES)
        if not set(fixture_trees) & set(path.relative_to(ROOT).parts)
    }
    assert not [str(folder.relative_to(ROOT)) for folder in folders if not (folder / "__init__.py").is_file()]


def test_pytest_puts_only_the_root_on_the_path() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["pythonpath"] == ["."]
