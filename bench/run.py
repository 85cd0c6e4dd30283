"""navai's throughput benchmark against a real NAVAI backend on loopback.

    python -m bench.run            # the full run (`make bench`): about 4.5 minutes on 2 cores
    python -m bench.run --smoke    # tiny counts, concurrency 1 and 10 (`make bench-smoke`, CI)

Starts the test backend (``tests/backend``: @navai/voice-backend on Express 5, via
``tests/support/backend_harness.py``), then measures ``execute_function("echo", {"value": {"n": 1}})``
calls per second for every contender at every concurrency (1, 10, 50 and 200 calls in
flight; the sync clients sequentially only), each figure in its own subprocess
(``bench/worker.py`` for Python, ``bench/ts_client.mjs`` for the reference TypeScript client).
The contenders:

- ``ts``: the TypeScript client (``createNavaiBackendClient`` from @navai/voice-frontend, on
  Node's fetch), the reference.
- ``httpx2-sync`` / ``httpx2-async``: raw httpx2, a plain ``httpx2.Client`` /
  ``httpx2.AsyncClient``: POST with ``json=``, read the body, ``json.loads``, check it.
- ``navai-sync`` / ``navai-async``: ``navai.NavaiBackendClient(url)`` /
  ``navai.AsyncNavaiBackendClient(url)``, their default clients (stock httpx2).
- ``navai-aiohttp``: ``AsyncNavaiBackendClient(url, http_client=navai.DefaultAioHttpClient())``.
- ``httpx2-aiohttp``: raw httpx2 on the aiohttp transport (``Httpx2AiohttpClient`` from
  ``httpx_aiohttp.httpx2``), the raw stack under ``navai-aiohttp``.

Fairness: every Python client has navai's pool limits, ``httpx2.Limits(max_connections=100,
max_keepalive_connections=100)``: navai's own clients and ``DefaultAioHttpClient`` set them,
and the raw ones are given them (httpx2's default keeps at most 20 idle connections, so it
would close and reopen connections under load and not run the same pool as navai). At 200
in flight, then, half the calls wait for a connection in every Python client; the
TypeScript client (Node's fetch, undici) has no per-origin cap by default. The raw clients
build the JSON body per call as navai must; what they skip (navai's facade, its generated
layer, and the time budget and body-size limit its transports add) is what the goals price.

A short warm-up round comes first (one figure per runtime and stack, not recorded); then
each of 5 rounds runs every figure once. Within a round the two figures of each goal run one
right after the other; the order is rotated from round to round and reversed every other
round, so the machine's drift is shared. Each figure's value is the median over the rounds;
each goal is decided on the median of its per-round ratios (both figures from the same round
of this run), and the ratio of the two medians is shown next to it:

- navai sync >= 0.9x raw httpx2 sync (sequential), and navai async >= 0.9x raw httpx2 async
  at every concurrency: navai's facade and generated layer cost little;
- navai on ``DefaultAioHttpClient`` >= 1.0x the TypeScript client at 50 in flight, and at 200
  >= 0.8x its own figure at 50.

It also times ``import navai``, ``from navai import NavaiBackendClient`` and ``import httpx2``
in fresh interpreters (information only), records each client's CPU time per call, and
estimates how busy the backend was (its CPU time per call, from /proc) so that a figure that
only measures the backend shows as such.

Writes ``results.json`` (date, machine, every round's value and the medians, the goals) and
``throughput.png`` into ``--out`` (default: this folder) and prints Markdown tables: calls/s
with ratios to the TypeScript client, navai over its raw stack, client CPU per call, imports,
and the goals with PASS/FAIL. Load goes to 127.0.0.1 only and every figure is bounded in
calls and seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import node_packages
from bench.machine import load_average, machine_info
from bench.node_packages import BENCH_DIR
from tests.support.backend_harness import BACKEND_DIR, Backend, node_missing_reason

ROOT = BENCH_DIR.parent

PAYLOAD = '{"value":{"n":1}}'
FUNCTION = "echo"
RUN_TIMEOUT_S = 120  # one figure's subprocess, start to finish: a hang fails the run, not the machine

# contender id -> (label, runner, sync?)
CONTENDERS: dict[str, tuple[str, str, bool]] = {
    "ts": ("TypeScript client (reference)", "node", False),
    "httpx2-sync": ("raw httpx2.Client", "python", True),
    "navai-sync": ("navai sync", "python", True),
    "httpx2-async": ("raw httpx2.AsyncClient", "python", False),
    "navai-async": ("navai async (stock httpx2)", "python", False),
    "httpx2-aiohttp": ("raw httpx2 on aiohttp (Httpx2AiohttpClient)", "python", False),
    "navai-aiohttp": ("navai async on DefaultAioHttpClient", "python", False),
}
# navai contender -> the raw stack it sends through
RAW_STACK = {"navai-sync": "httpx2-sync", "navai-async": "httpx2-async", "navai-aiohttp": "httpx2-aiohttp"}
TABLE_ORDER = list(CONTENDERS)


@dataclass(frozen=True)
class Figure:
    contender: str
    concurrency: int

    @property
    def key(self) -> str:
        return f"{self.contender}@{self.concurrency}"


@dataclass
class Sample:
    calls: int
    seconds: float
    cpu_seconds: float
    backend_cpu_seconds: float
    backend_calls: int

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Settings:
    rounds: int
    concurrencies: list[int]
    max_calls: int
    seconds: float
    warmup_round: bool
    warmup_round_seconds: float
    warmup_seconds: float
    import_runs: int
    out: Path
    smoke: bool
    extra: dict[str, Any] = field(default_factory=dict)


# The order figures run in within a round (before its rotation): each goal's two figures run
# one right after the other, so that a drift of the machine moves both. Concurrency by
# concurrency, every other group reversed: navai-aiohttp@50 sits between ts@50 and
# navai-aiohttp@200, each navai figure next to its raw stack's (aiohttp: next but one).
RUN_ORDER = [
    "httpx2-sync",
    "navai-sync",
    "httpx2-async",
    "navai-async",
    "httpx2-aiohttp",
    "ts",
    "navai-aiohttp",
]


def figures_for(concurrencies: list[int]) -> list[Figure]:
    figures = []
    for index, concurrency in enumerate(concurrencies):
        group = [
            Figure(contender, concurrency)
            for contender in RUN_ORDER
            if concurrency == 1 or not CONTENDERS[contender][2]  # sync contenders: sequential only
        ]
        figures += group if index % 2 == 0 else group[::-1]
    return figures


def warmup_figures(figures: list[Figure]) -> list[Figure]:
    """One figure per runtime and stack, at the highest concurrency up to 50 (not recorded)."""
    top = max((f.concurrency for f in figures if f.concurrency <= 50), default=1)
    chosen = [
        f for f in figures if f.concurrency == top and f.contender in ("ts", "navai-async", "navai-aiohttp")
    ]
    return [Figure("navai-sync", 1), *chosen]


# -- measuring ------------------------------------------------------------------------


def _process_cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process (all its threads), from /proc; 0.0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def command_for(
    figure: Figure, url: str, calls: int, seconds: float, warmup: int, warmup_seconds: float
) -> list[str]:
    runner = CONTENDERS[figure.contender][1]
    common = [
        "--url", url,
        "--calls", str(calls),
        "--concurrency", str(figure.concurrency),
        "--warmup", str(warmup),
        "--warmup-seconds", f"{warmup_seconds:g}",
        "--max-seconds", f"{seconds:g}",
        "--function", FUNCTION,
        "--payload", PAYLOAD,
    ]  # fmt: skip
    if runner == "node":
        node = shutil.which("node")
        assert node is not None
        return [node, str(BENCH_DIR / "ts_client.mjs"), *common]
    return [sys.executable, "-m", "bench.worker", figure.contender, *common]


def run_figure(figure: Figure, backend: Backend, calls: int, seconds: float, warmup_seconds: float) -> Sample:
    # Untimed calls first in every process: connections, caches, the JIT of the TS client.
    warmup = max(200, 2 * figure.concurrency)
    command = command_for(figure, backend.url, calls, seconds, warmup, warmup_seconds)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    cpu_before = _process_cpu_seconds(backend.pid)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )
    cpu_after = _process_cpu_seconds(backend.pid)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{figure.key} failed ({done.returncode}):\n{done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(
        calls=int(result["calls"]),
        seconds=float(result["seconds"]),
        cpu_seconds=float(result.get("cpu_seconds", 0.0)),
        backend_cpu_seconds=cpu_after - cpu_before,
        backend_calls=int(result["calls"]) + int(result.get("warmup_calls", warmup)) + 1,
    )


def measure(settings: Settings, backend: Backend, figures: list[Figure]) -> dict[str, list[Sample]]:
    # Warm-up: the backend's JIT, the OS, the page cache of every runtime; not recorded.
    started = time.monotonic()
    for figure in warmup_figures(figures) if settings.warmup_round else []:
        run_figure(
            figure, backend, settings.max_calls, settings.warmup_round_seconds, settings.warmup_seconds
        )
    if settings.warmup_round:
        print(f"bench: warm-up round done in {time.monotonic() - started:.0f} s", flush=True)
    samples: dict[str, list[Sample]] = {figure.key: [] for figure in figures}
    for round_index in range(settings.rounds):
        started = time.monotonic()
        # Rotated, so no figure always runs first or last, and reversed every other round, so
        # that within each pair of figures neither always runs first.
        shift = (round_index * 3) % len(figures)
        order = figures[shift:] + figures[:shift]
        for figure in order if round_index % 2 == 0 else order[::-1]:
            sample = run_figure(
                figure, backend, settings.max_calls, settings.seconds, settings.warmup_seconds
            )
            samples[figure.key].append(sample)
        line = ", ".join(f"{f.key} {samples[f.key][-1].rate:.0f}" for f in figures)
        print(
            f"bench: round {round_index + 1}/{settings.rounds} ({time.monotonic() - started:.0f} s): {line}",
            flush=True,
        )
    return samples


# -- import cost ----------------------------------------------------------------------

IMPORTS = {  # information only: no goal
    "navai": "import navai",
    "navai-sync-client": "from navai import NavaiBackendClient",
    "httpx2": "import httpx2",
}
_TIMED_IMPORT = "import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"
_IMPORTTIME_RE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _top_level_imports(stderr: str) -> dict[str, int]:
    """Top-level modules and their cumulative microseconds, from ``-X importtime`` output."""
    found = {}
    for line in stderr.splitlines():
        match = _IMPORTTIME_RE.match(line)
        if match and len(match.group(3)) == 1:  # one space: imported by the script itself
            found[match.group(4)] = int(match.group(2))
    return found


def import_costs(runs: int) -> dict[str, Any]:
    """Median cost of each import statement in fresh interpreters, two ways.

    ``wall_ms``: perf_counter around the statement inside the fresh process. ``importtime_ms``:
    ``python -X importtime -c STATEMENT``, the cumulative time of the top-level modules that a
    bare ``python -c pass`` does not import. Bytecode is cached in a temporary folder first
    (PYTHONPYCACHEPREFIX), so every module is read from a .pyc as in an installed package.
    """
    with tempfile.TemporaryDirectory(prefix="navai-bench-pyc-") as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache

        def python(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, *args],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                check=True,
                timeout=60,
            )

        baseline = set(_top_level_imports(python("-X", "importtime", "-c", "pass").stderr))
        for statement in IMPORTS.values():  # compile and cache everything once
            python("-c", statement)
        wall: dict[str, list[float]] = {name: [] for name in IMPORTS}
        importtime: dict[str, list[float]] = {name: [] for name in IMPORTS}
        for _ in range(runs):  # interleaved, like the throughput rounds
            for name, statement in IMPORTS.items():
                wall[name].append(
                    float(python("-c", _TIMED_IMPORT.format(statement=statement)).stdout) * 1000
                )
                top = _top_level_imports(python("-X", "importtime", "-c", statement).stderr)
                importtime[name].append(sum(us for mod, us in top.items() if mod not in baseline) / 1000)
    return {
        name: {
            "statement": statement,
            "wall_ms": {"runs": wall[name], "median": statistics.median(wall[name])},
            "importtime_ms": {"runs": importtime[name], "median": statistics.median(importtime[name])},
        }
        for name, statement in IMPORTS.items()
    }


# -- report ---------------------------------------------------------------------------


def summarize(figures: list[Figure], samples: dict[str, list[Sample]]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for figure in figures:
        runs = samples[figure.key]
        rates = [s.rate for s in runs]
        backend_per_call = [s.backend_cpu_seconds / s.backend_calls for s in runs if s.backend_calls]
        client_per_call = [s.cpu_seconds / s.calls for s in runs if s.calls]
        median = statistics.median(rates)
        backend_us = statistics.median(backend_per_call) * 1e6 if backend_per_call else None
        summary[figure.key] = {
            "contender": figure.contender,
            "label": CONTENDERS[figure.contender][0],
            "concurrency": figure.concurrency,
            "calls_per_s": {"runs": [round(r, 1) for r in rates], "median": round(median, 1)},
            "calls": [s.calls for s in runs],
            "seconds": [round(s.seconds, 4) for s in runs],
            "client_cpu_us_per_call": round(statistics.median(client_per_call) * 1e6, 1)
            if client_per_call
            else None,
            "backend_cpu_us_per_call": round(backend_us, 1) if backend_us is not None else None,
            # How much of one core the (single-threaded) backend used at the median rate: near 100 %
            # means this figure measures the backend, not the client.
            "backend_busy_pct": round(median * backend_us / 1e4, 1) if backend_us is not None else None,
        }
    for entry in summary.values():
        reference = summary.get(f"ts@{entry['concurrency']}")
        entry["ratio_to_ts"] = (
            round(entry["calls_per_s"]["median"] / reference["calls_per_s"]["median"], 3)
            if reference and reference["calls_per_s"]["median"]
            else None
        )
        raw = summary.get(f"{RAW_STACK.get(entry['contender'])}@{entry['concurrency']}")
        entry["ratio_to_raw"] = (
            round(entry["calls_per_s"]["median"] / raw["calls_per_s"]["median"], 3)
            if raw and raw["calls_per_s"]["median"]
            else None
        )
    return summary


def _median(summary: dict[str, dict[str, Any]], key: str) -> float | None:
    entry = summary.get(key)
    return entry["calls_per_s"]["median"] if entry else None


def _where(concurrency: int) -> str:
    return "sequential" if concurrency == 1 else f"{concurrency} in flight"


# (goal, numerator figure, denominator figure, threshold): every goal is numerator / denominator
# >= threshold, both medians of this run.
GOALS: list[tuple[str, str, str, float]] = [
    ("navai sync >= 0.9x raw httpx2 sync (sequential)", "navai-sync@1", "httpx2-sync@1", 0.9),
    *[
        (f"navai async >= 0.9x raw httpx2 async, {_where(c)}", f"navai-async@{c}", f"httpx2-async@{c}", 0.9)
        for c in (1, 10, 50, 200)
    ],
    ("navai on DefaultAioHttpClient >= 1.0x the TypeScript client, 50 in flight",
     "navai-aiohttp@50", "ts@50", 1.0),
    ("navai on DefaultAioHttpClient at 200 in flight >= 0.8x its own figure at 50",
     "navai-aiohttp@200", "navai-aiohttp@50", 0.8),
]  # fmt: skip


def evaluate_goals(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each goal's ratio and PASS/FAIL (N/A when a figure was not measured, e.g. in smoke mode).

    The two figures of a goal run one right after the other in every round (``RUN_ORDER``), so
    the verdict uses the median of the per-round ratios (round i of the one over round i of
    the other), which a drift of the machine moves less than the ratio of the two medians;
    both are recorded, with every round's ratio.
    """
    result = []
    for name, numerator, denominator, threshold in GOALS:
        a, b = summary.get(numerator), summary.get(denominator)
        per_round: list[float] = []
        of_medians = None
        if a is not None and b is not None:
            runs_a, runs_b = a["calls_per_s"]["runs"], b["calls_per_s"]["runs"]
            per_round = [round(x / y, 3) for x, y in zip(runs_a, runs_b, strict=True) if y]
            median_b = b["calls_per_s"]["median"]
            of_medians = round(a["calls_per_s"]["median"] / median_b, 3) if median_b else None
        value = round(statistics.median(per_round), 3) if per_round else None
        status = "N/A" if value is None else ("PASS" if value >= threshold else "FAIL")
        result.append(
            {
                "goal": name,
                "numerator": numerator,
                "denominator": denominator,
                "threshold": threshold,
                "value": value,
                "value_is": "median of the per-round ratios",
                "ratio_of_medians": of_medians,
                "per_round": per_round,
                "status": status,
            }
        )
    return result


def _ratio_text(value: float, threshold: float) -> str:
    """Two decimals, or three where two would round a miss up to the threshold (0.797 -> 0.797x)."""
    text = f"{value:.2f}"
    if value < threshold <= float(text):
        text = f"{value:.3f}"
    return text + "x"


def render_table(
    summary: dict[str, dict[str, Any]],
    concurrencies: list[int],
    goals: list[dict[str, Any]],
    imports: dict[str, Any],
    meta: dict[str, Any],
) -> str:
    machine = meta["machine"]
    versions = machine["versions"]
    header = "| " + " | ".join(_where(c) for c in concurrencies) + " |"
    rule = "|---|" + "---:|" * len(concurrencies)
    lines = [
        f"Measured {meta['date']} on {machine['cpu']}, {machine['cores']} cores, {machine['os']}; "
        f"Python {machine['python']}, Node {machine['node']}, httpx2 {versions.get('httpx2')}, "
        f"httpx-aiohttp {versions.get('httpx-aiohttp')}, aiohttp {versions.get('aiohttp')}; "
        f"{meta['settings']['rounds']} rounds, "
        f'median calls/s of `execute_function("{FUNCTION}", {PAYLOAD})` against '
        f"@navai/voice-backend {versions.get('@navai/voice-backend')} on loopback "
        f"(ratio to the TypeScript client at the same concurrency).",
        "",
        "| contender " + header,
        rule,
    ]
    for contender in TABLE_ORDER:
        cells = []
        for concurrency in concurrencies:
            entry = summary.get(f"{contender}@{concurrency}")
            if entry is None:
                cells.append("")
                continue
            rate = entry["calls_per_s"]["median"]
            ratio = entry["ratio_to_ts"]
            cells.append(
                f"{rate:,.0f}" + (f" ({ratio:.2f}x)" if ratio is not None and contender != "ts" else "")
            )
        lines.append(f"| {CONTENDERS[contender][0]} | " + " | ".join(cells) + " |")
    for contender in ("navai-async", "navai-aiohttp"):
        busy = []
        for concurrency in concurrencies:
            pct = summary.get(f"{contender}@{concurrency}", {}).get("backend_busy_pct")
            busy.append("" if pct is None else f"{pct:.0f} %")
        lines.append(
            f"| backend CPU busy during {CONTENDERS[contender][0]} (1 core = 100 %) | "
            + " | ".join(busy)
            + " |"
        )
    lines += ["", "| navai / its raw stack (same run, medians) " + header, rule]
    for contender, raw in RAW_STACK.items():
        cells = []
        for concurrency in concurrencies:
            ratio = summary.get(f"{contender}@{concurrency}", {}).get("ratio_to_raw")
            cells.append("" if ratio is None else f"{ratio:.2f}x")
        if any(cells):
            lines.append(f"| {CONTENDERS[contender][0]} / {CONTENDERS[raw][0]} | " + " | ".join(cells) + " |")
    lines += ["", "| client CPU per call, µs (process CPU time / calls) " + header, rule]
    for contender in TABLE_ORDER:
        cells = []
        for concurrency in concurrencies:
            entry = summary.get(f"{contender}@{concurrency}")
            cpu = entry and entry.get("client_cpu_us_per_call")
            cells.append("" if not cpu else f"{cpu:,.0f}")
        if any(cells):
            lines.append(f"| {CONTENDERS[contender][0]} | " + " | ".join(cells) + " |")
    lines += ["", "| import (fresh interpreter, median) | wall ms | -X importtime ms |", "|---|---:|---:|"]
    for entry in imports.values():
        wall, importtime = entry["wall_ms"]["median"], entry["importtime_ms"]["median"]
        lines.append(f"| `{entry['statement']}` | {wall:.1f} | {importtime:.1f} |")
    lines += [
        "",
        "| goal | measured (median of rounds) | rounds, min-max | ratio of medians | |",
        "|---|---:|---:|---:|---|",
    ]
    for goal in goals:
        value = "n/a" if goal["value"] is None else _ratio_text(goal["value"], goal["threshold"])
        rounds = goal["per_round"]
        spread = f"{min(rounds):.2f}-{max(rounds):.2f}x" if rounds else ""
        of_medians = "" if goal["ratio_of_medians"] is None else f"{goal['ratio_of_medians']:.2f}x"
        lines.append(f"| {goal['goal']} | {value} | {spread} | {of_medians} | {goal['status']} |")
    return "\n".join(lines)


def draw_plot(
    summary: dict[str, dict[str, Any]], concurrencies: list[int], meta: dict[str, Any], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles: dict[str, dict[str, Any]] = {
        "ts": {"color": "black", "marker": "o", "linewidth": 2.2},
        "navai-aiohttp": {"color": "tab:blue", "marker": "s", "linewidth": 2.2},
        "httpx2-aiohttp": {"color": "tab:cyan", "marker": "v", "linestyle": "--"},
        "navai-async": {"color": "tab:green", "marker": "^", "linewidth": 1.8},
        "httpx2-async": {"color": "tab:olive", "marker": "x", "linestyle": "--"},
    }
    # sequential only: drawn a little left of 1 so they do not hide the async points
    points: dict[str, dict[str, Any]] = {
        "navai-sync": {"color": "tab:red", "marker": "*", "markersize": 14, "linestyle": "none"},
        "httpx2-sync": {"color": "tab:orange", "marker": "D", "markersize": 8, "linestyle": "none"},
    }
    fig, ax = plt.subplots(figsize=(9.0, 6.4), dpi=110)
    for contender, style in {**styles, **points}.items():
        shift = 0.85 if contender in points else 1.0
        xs, ys, low, high = [], [], [], []
        for concurrency in concurrencies:
            entry = summary.get(f"{contender}@{concurrency}")
            if entry is None:
                continue
            runs = entry["calls_per_s"]["runs"]
            median = entry["calls_per_s"]["median"]
            xs.append(concurrency * shift)
            ys.append(median)
            low.append(median - min(runs))
            high.append(max(runs) - median)
        if xs:
            ax.errorbar(xs, ys, yerr=[low, high], capsize=3, label=CONTENDERS[contender][0], **style)
    ax.set_xscale("log")
    ax.set_xticks(concurrencies)
    ax.set_xticklabels([str(c) for c in concurrencies])
    ax.minorticks_off()
    ax.set_xlim(concurrencies[0] * 0.7, concurrencies[-1] * 1.4)
    ax.set_xlabel("calls in flight (sync clients: sequential, just left of 1)")
    ax.set_ylabel("execute_function calls/s (median; bars: min to max over rounds)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    machine = meta["machine"]
    ax.set_title(
        f"navai (httpx2) vs raw httpx2 and the TypeScript client, loopback NAVAI backend\n"
        f"{meta['date']}, {machine['cpu']} ({machine['cores']} cores), Python {machine['python']}, "
        f"Node {machine['node']}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- main -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny counts, 1 round, concurrency 1 and 10")
    parser.add_argument("--rounds", type=int, default=None, help="recorded rounds (default 5; smoke 1)")
    parser.add_argument("--seconds", type=float, default=None, help="time cap of one figure (default 0.8)")
    parser.add_argument("--calls", type=int, default=None, help="call cap of one figure (default 20000)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=None, help="default 1 10 50 200")
    parser.add_argument("--import-runs", type=int, default=None, help="fresh interpreters per import (10)")
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR, help="where results.json and throughput.png go"
    )
    args = parser.parse_args(argv)
    smoke = args.smoke

    def pick(value: Any, full: Any, small: Any) -> Any:
        return value if value is not None else (small if smoke else full)

    concurrencies = sorted(set(pick(args.concurrency, [1, 10, 50, 200], [1, 10])) | {1})
    return Settings(
        rounds=max(1, pick(args.rounds, 5, 1)),
        concurrencies=concurrencies,
        max_calls=pick(args.calls, 20000, 50),
        seconds=pick(args.seconds, 0.8, 5.0),
        warmup_round=not smoke,  # smoke: proves it works, needs no warm-up
        warmup_round_seconds=0.3,
        warmup_seconds=0.1 if smoke else 0.4,
        import_runs=max(1, pick(args.import_runs, 10, 3)),
        out=args.out,
        smoke=smoke,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    reason = node_missing_reason()
    if reason is not None:
        print(f"bench: {reason}", file=sys.stderr)
        return 2
    node_packages.install_or_exit("bench")
    started = time.monotonic()
    figures = figures_for(settings.concurrencies)
    meta: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(
            ("navai", "httpx2", "httpcore2", "h11", "httpx-aiohttp", "aiohttp"),
            [
                (BENCH_DIR, "@navai/voice-frontend"),
                (BACKEND_DIR, "@navai/voice-backend"),
                (BACKEND_DIR, "express"),
            ],
        ),
        "workload": {
            "function": FUNCTION,
            "payload": json.loads(PAYLOAD),
            "endpoint": "POST /navai/functions/execute",
        },
        "contenders": {name: label for name, (label, _, _) in CONTENDERS.items()},
        "pool_limits": "every Python client: httpx2.Limits(max_connections=100, "
        "max_keepalive_connections=100) (navai's defaults, given to the raw clients too); "
        "the TypeScript client: Node's fetch defaults",
        "settings": {
            "rounds": settings.rounds,
            "concurrencies": settings.concurrencies,
            "max_calls_per_figure": settings.max_calls,
            "max_seconds_per_figure": settings.seconds,
            "warmup_calls_per_process": f"max(200, 2 x concurrency), at most {settings.warmup_seconds:g} s",
            "smoke": settings.smoke,
        },
    }
    load_before = load_average()
    if load_before is not None and load_before > 0.5 * (os.cpu_count() or 1):
        print(
            f"bench: the machine is busy before the run (1-minute load average {load_before:.2f} on "
            f"{os.cpu_count()} cores): the figures will move more from round to round",
            file=sys.stderr,
            flush=True,
        )
    print(f"bench: {len(figures)} figures x {settings.rounds} rounds, backend starting", flush=True)
    with Backend.start() as backend:
        samples = measure(settings, backend, figures)
        backend_log_errors = [
            line for line in backend.read_log().splitlines() if "[navai-test-backend]" in line
        ]
    print("bench: timing imports", flush=True)
    imports = import_costs(settings.import_runs)
    summary = summarize(figures, samples)
    goals = evaluate_goals(summary)
    meta["duration_s"] = round(time.monotonic() - started, 1)
    # What else ran: the figures and the backend account for about 1-1.5 of it.
    meta["load_average_1min"] = {"before": load_before, "after": load_average()}
    table = render_table(summary, settings.concurrencies, goals, imports, meta)

    settings.out.mkdir(parents=True, exist_ok=True)
    results = {**meta, "figures": summary, "imports": imports, "goals": goals, "table_markdown": table}
    if backend_log_errors:
        results["backend_errors"] = backend_log_errors[:20]
    (settings.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    draw_plot(summary, settings.concurrencies, meta, settings.out / "throughput.png")
    print()
    print(table)
    print()
    print(f"bench: wrote {settings.out / 'results.json'} and {settings.out / 'throughput.png'} "
          f"in {meta['duration_s']:.0f} s")  # fmt: skip
    if backend_log_errors:
        print(
            f"bench: the backend logged {len(backend_log_errors)} errors (see results.json)", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
