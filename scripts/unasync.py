"""Generate ``navai/_client.py`` (sync) from ``navai/_async_client.py`` (async): ``make twins``.

    python -m scripts.unasync           # write navai/_client.py
    python -m scripts.unasync --check   # exit 1 (with a diff) when navai/_client.py is stale

The async client is the one source: ``async``/``await`` are dropped and each async name is
replaced by its sync twin, then the result is formatted with ruff. A rule that no longer
matches anything is an error, so a rename in the source cannot slip through unnoticed.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "navai" / "_async_client.py"
TARGET = ROOT / "navai" / "_client.py"

HEADER = (
    '"""The synchronous client: generated from ``navai/_async_client.py`` by ``scripts/unasync.py``.\n\n'
    "Do not edit: change the async client and run ``make twins``.\n"
    '"""\n'
)

# (pattern, replacement), applied in order; each must match at least once.
RULES: list[tuple[str, str]] = [
    (r'\A""".*?"""\n', HEADER),
    (r"^import asyncio\n", ""),
    (r"^import threading\n", "import threading\nimport time\n"),
    (r"\bawait asyncio\.sleep\(", "time.sleep("),
    (r"\basync def ", "def "),
    (r"\bawait ", ""),
    (r"\basyncio_detailed\b", "sync_detailed"),
    (r"\basync_httpx_client=", "httpx_client="),
    (r"\bhttpx2\.AsyncClient\b", "httpx2.Client"),
    (r"\bhttpx2\.AsyncBaseTransport\b", "httpx2.BaseTransport"),
    (r"\bAsync(NavaiBackendClient|LimitedClient|SecretProvider|FunctionCatalog)\b", r"\1"),
    (r"\baclose\b", "close"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"An asyncio client for", "A client for"),
]


def generate() -> str:
    text = SOURCE.read_text()
    for pattern, replacement in RULES:
        text, count = re.subn(
            pattern, replacement, text, flags=re.M | re.S if pattern.startswith(r"\A") else re.M
        )
        if count == 0:
            raise SystemExit(f"unasync: rule {pattern!r} matched nothing in {SOURCE.name}")
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when navai/_client.py is stale")
    args = parser.parse_args()
    generated = generate()
    if not args.check:
        TARGET.write_text(generated)
        return 0
    current = TARGET.read_text()
    if current == generated:
        return 0
    diff = difflib.unified_diff(
        current.splitlines(True), generated.splitlines(True), str(TARGET), "generated"
    )
    sys.stdout.writelines(diff)
    print("navai/_client.py is stale: run 'make twins'", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
