"""bench/'s npm packages: the reference TypeScript client (@navai/voice-frontend) and autocannon.

One installer for ``make bench``, ``make bench-server`` and the tests that run the TypeScript
client (``tests/support/ts_packages.py``): ``npm ci --ignore-scripts`` in bench/ when
``node_modules`` is missing a package or is older than ``package-lock.json``, through the test
harness's `npm_ci` (one install at a time, a file lock).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from tests.support.backend_harness import npm_ci

BENCH_DIR: Final[Path] = Path(__file__).resolve().parent
PACKAGES: Final = ("@navai/voice-frontend", "autocannon")
"""What bench/package.json pins; an install is fresh when all of them are there."""


def installed() -> bool:
    node_modules = BENCH_DIR / "node_modules"
    lock = BENCH_DIR / "package-lock.json"
    return (
        all((node_modules / name / "package.json").is_file() for name in PACKAGES)
        and node_modules.stat().st_mtime >= lock.stat().st_mtime
    )


def ensure_installed() -> None:
    """``npm ci --ignore-scripts`` in bench/ unless `installed`; `RuntimeError` when it fails.

    ``--ignore-scripts``: @navai/voice-frontend's postinstall script edits the consuming project.
    """
    npm_ci(BENCH_DIR, installed, ignore_scripts=True)


def install_or_exit(prefix: str) -> None:
    """`ensure_installed` for ``make bench*`` (saying so when it installs); SystemExit when it fails."""
    if not installed():
        print(f"{prefix}: npm ci --ignore-scripts in bench/ ({', '.join(PACKAGES)})", flush=True)
    try:
        ensure_installed()
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from exc


def npm_version(folder: Path, name: str) -> str | None:
    """The version of the npm package ``name`` installed in ``folder``, or None."""
    try:
        package = json.loads((folder / "node_modules" / name / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = package.get("version") if isinstance(package, dict) else None
    return version if isinstance(version, str) else None
