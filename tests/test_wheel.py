"""The built wheel carries navai and the generated client, and works in a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMOKE = """
import httpx2, navai, navai_api
from navai import create_navai_backend_client
from navai_api.api.navai import list_functions
LISTING = {"items": [{"name": "f"}], "warnings": []}
transport = httpx2.MockTransport(lambda r: httpx2.Response(200, json=LISTING))
client = create_navai_backend_client("http://backend.test", http_client=httpx2.Client(transport=transport))
assert client.list_functions().functions[0].name == "f"
assert list_functions.PATH == "/navai/functions"
print(navai.__version__, navai.__file__)
"""


def test_wheel_installs_and_imports_in_a_fresh_venv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("navai-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "navai/__init__.py" in names
    assert "navai/py.typed" in names
    assert "navai_api/api/navai/execute_function.py" in names
    assert not any(name.startswith(("tests/", "generated/")) for name in names)
    (metadata,) = (name for name in names if name.endswith(".dist-info/METADATA"))
    requires = [
        line.split(":", 1)[1].strip()
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    runtime = sorted(req.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for req in requires)
    assert runtime == ["attrs", "httpx2"], "httpx2 and attrs, and not httpx, are what navai needs"

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [str(python), "-c", SMOKE], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout
    assert str(env_dir) in out
    shown = subprocess.run(
        [str(python), "-m", "pip", "show", "navai"], check=True, capture_output=True, text=True
    ).stdout
    (requires_line,) = (line for line in shown.splitlines() if line.startswith("Requires:"))
    assert sorted(requires_line.removeprefix("Requires:").replace(" ", "").split(",")) == ["attrs", "httpx2"]
    installed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True, text=True
    ).stdout.lower()
    assert "httpx==" not in installed
    assert "httpcore==" not in installed
