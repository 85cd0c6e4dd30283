"""What a benchmark's results say about the machine they come from: CPU, cores, OS, Python,
Node, the versions of the packages measured, and the load average."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.node_packages import npm_version


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> float | None:
    """The 1-minute load average, or None where the OS has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def machine_info(python_dists: Iterable[str], npm_packages: Iterable[tuple[Path, str]]) -> dict[str, Any]:
    """The machine, and the versions of ``python_dists`` (installed distributions) and of
    ``npm_packages`` ((folder, name): installed in that folder's node_modules), None for a
    missing one, in that order."""
    node = shutil.which("node")
    node_version = (
        subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        if node
        else None
    )
    versions: dict[str, str | None] = {}
    for dist in python_dists:
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    for folder, name in npm_packages:
        versions[name] = npm_version(folder, name)
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "node": node_version,
        "versions": versions,
    }
