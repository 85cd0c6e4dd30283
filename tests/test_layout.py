"""navai stands on httpx2: it holds no HTTP implementation of its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

NAVAI = Path(__file__).resolve().parent.parent / "navai"
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
    root = Path(__file__).resolve().parent.parent
    check = subprocess.run(
        [sys.executable, str(root / "scripts" / "unasync.py"), "--check"], capture_output=True, text=True
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
