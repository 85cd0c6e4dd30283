"""``navai serve`` against the Node backend under the same load generator, on loopback.

    python -m bench.server_run            # the full run (`make bench-server`): about 4 minutes
    python -m bench.server_run --smoke    # 1 short round (`make bench-server-smoke`, < 40 s)

Starts four servers, each one process on a free 127.0.0.1 port (``bench/server_backends.py``):

- ``navai serve`` (``python -m navai serve``) over the Python twins of the test functions
  (``tests/server/backend_py``), with the uvicorn settings ``navai serve`` chooses itself
  (uvloop, httptools, access log off, CORS on; no flag needed);
- the same with ``--no-cors``, to price CORS;
- the Node test backend (``tests/backend``: @navai/voice-backend 0.1.3 on Express 5);
- a bare Starlette route on uvicorn with the same settings (``bench/server_bare.py``): the
  ceiling a Python server on this stack can reach, for reference.

The workload is the one of ``make bench``: ``POST /navai/functions/execute`` with
``{"function_name":"echo","payload":{"value":{"n":1}}}`` (``echo`` is a sync function: navai
serve runs it in its thread pool, Node inline). Every response is checked (200, ``ok: true``,
the echoed value).

Figures:

- ``autocannon`` (``bench/server_load.mjs``, autocannon pinned in ``bench/package.json``, run
  by Node): calls/s and exact latency percentiles at 1, 50 and 200 connections, each with
  one call in flight, against each of the four servers, every call with the ``Origin`` of a
  page on ``http://localhost:5173`` (navai serve answers it with CORS headers); per figure
  1 s of untimed warm-up then ``--seconds`` timed;
- the TypeScript client (``bench/ts_client.mjs``) and navai async (``bench/worker.py``'s
  ``navai-async``: ``AsyncNavaiBackendClient``, stock httpx2) at 50 in flight against navai
  serve and the Node backend; ``--clients`` adds ``navai-aiohttp`` (``DefaultAioHttpClient``).

Each figure runs in its own load-generator process. A short warm-up round comes first (not
recorded); then each of ``--rounds`` rounds runs every figure once, grouped by load and
concurrency, the servers of a group one right after the other, in an order rotated every
round (and the groups reversed every other round), so a drift of the machine is shared.
Values are medians over rounds; a goal is decided on the median of its per-round ratios
(both figures of the same round), the ratio of the medians shown next to it:

- navai serve >= 1.5x the Node backend's calls/s at 50 in flight;
- navai serve's p99 latency at 200 in flight <= the Node backend's (ratio <= 1.0);
- CORS costs at most 5 %: navai serve >= 0.95x navai serve --no-cors at 50 in flight.

Also recorded: each server's CPU time per call (from /proc, over warm-up and timed calls)
and how busy it was, and the load generator's own CPU share, so a figure that measures the
load generator shows as such. Writes ``server-results.json`` and ``server-throughput.png``
into ``--out`` (default: this folder) and prints Markdown tables with PASS/FAIL. Exit 1 when
a figure fails (an error, a non-2xx or a wrong body), not when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import node_packages
from bench import server_backends as sb
from bench.machine import load_average, machine_info
from bench.node_packages import BENCH_DIR
from tests.support.backend_harness import BACKEND_DIR, node_missing_reason

ROOT = BENCH_DIR.parent

FUNCTION = "echo"
PAYLOAD = {"value": {"n": 1}}
BODY = json.dumps({"function_name": FUNCTION, "payload": PAYLOAD}, separators=(",", ":"))
EXPECTED = PAYLOAD["value"]
RUN_TIMEOUT_S = 90  # one figure's load-generator process, start to finish

SERVERS = ["navai", "navai-nocors", "node", "bare"]
# Every autocannon call carries the Origin of a page on another local origin, as the browser
# of a web app sends it: navai serve answers it through its CORS middleware (on by default).
ORIGIN = "http://localhost:5173"
CLIENT_SERVERS = ["navai", "node"]
TOOLS = {
    "autocannon": "autocannon (HTTP load generator)",
    "ts": "TypeScript client (@navai/voice-frontend, Node fetch)",
    "navai-async": "navai async (AsyncNavaiBackendClient, stock httpx2)",
    "navai-aiohttp": "navai async on DefaultAioHttpClient",
}
CLIENT_CONCURRENCY = 50


@dataclass(frozen=True)
class Figure:
    tool: str
    server: str
    concurrency: int

    @property
    def key(self) -> str:
        return f"{self.tool}:{self.server}@{self.concurrency}"


@dataclass
class Sample:
    calls: int
    seconds: float
    server_cpu_seconds: float
    server_calls: int
    loadgen_cpu_seconds: float
    latency_ms: dict[str, float] | None = None

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Settings:
    rounds: int
    concurrencies: list[int]
    seconds: int
    warmup_seconds: float
    client_seconds: float
    client_warmup_seconds: float
    clients: list[str]
    warmup_round: bool
    out: Path
    smoke: bool
    extra: dict[str, Any] = field(default_factory=dict)


# -- figures --------------------------------------------------------------------------


def figure_groups(settings: Settings) -> list[list[Figure]]:
    """Groups of figures whose servers are compared: one group per load and concurrency."""
    groups = [[Figure("autocannon", s, c) for s in SERVERS] for c in settings.concurrencies]
    for tool in settings.clients:
        groups.append([Figure(tool, s, CLIENT_CONCURRENCY) for s in CLIENT_SERVERS])
    return groups


def round_order(groups: list[list[Figure]], round_index: int) -> list[Figure]:
    """Groups rotated (reversed every other round), the servers in each group rotated."""
    shift = round_index % len(groups)
    ordered = groups[shift:] + groups[:shift]
    if round_index % 2:
        ordered = ordered[::-1]
    figures: list[Figure] = []
    for group in ordered:
        turn = round_index % len(group)
        figures += group[turn:] + group[:turn]
    return figures


def command_for(figure: Figure, server: sb.Server, settings: Settings, *, warmup_round: bool) -> list[str]:
    node = shutil.which("node")
    assert node is not None
    if figure.tool == "autocannon":
        seconds = 1 if warmup_round else settings.seconds
        return [
            node, str(BENCH_DIR / "server_load.mjs"),
            "--url", server.execute_url,
            "--connections", str(figure.concurrency),
            "--seconds", str(seconds),
            "--warmup-seconds", f"{0 if warmup_round else settings.warmup_seconds:g}",
            "--body", BODY,
            "--expect", json.dumps(EXPECTED),
            "--origin", ORIGIN,
        ]  # fmt: skip
    client_seconds = 0.5 if warmup_round else settings.client_seconds
    common = [
        "--url", server.url,
        "--calls", "1000000",
        "--concurrency", str(figure.concurrency),
        "--warmup", str(max(200, 2 * figure.concurrency)),
        "--warmup-seconds", f"{settings.client_warmup_seconds:g}",
        "--max-seconds", f"{client_seconds:g}",
        "--function", FUNCTION,
        "--payload", json.dumps(PAYLOAD, separators=(",", ":")),
    ]  # fmt: skip
    if figure.tool == "ts":
        return [node, str(BENCH_DIR / "ts_client.mjs"), *common]
    return [sys.executable, "-m", "bench.worker", figure.tool, *common]


def run_figure(
    figure: Figure, server: sb.Server, settings: Settings, *, warmup_round: bool = False
) -> Sample:
    command = command_for(figure, server, settings, warmup_round=warmup_round)
    cpu_before = sb.process_cpu_seconds(server.pid)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
        env=sb.clean_env(),
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )
    cpu_after = sb.process_cpu_seconds(server.pid)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(
            f"{figure.key} failed ({done.returncode}):\n"
            f"{done.stdout.strip()[-1000:]}\n{done.stderr.strip()[-2000:]}"
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    calls = int(result["calls"])
    warmup_calls = int(result.get("warmup_calls", 0))
    extra_calls = 0 if figure.tool == "autocannon" else 1  # the clients' first, checked call
    return Sample(
        calls=calls,
        seconds=float(result["seconds"]),
        server_cpu_seconds=cpu_after - cpu_before,
        server_calls=calls + warmup_calls + extra_calls,
        loadgen_cpu_seconds=float(result.get("cpu_seconds", 0.0)),
        latency_ms=result.get("latency_ms"),
    )


def measure(
    settings: Settings, servers: dict[str, sb.Server], groups: list[list[Figure]]
) -> dict[str, list[Sample]]:
    figures = [f for group in groups for f in group]
    if settings.warmup_round:
        started = time.monotonic()
        seen: set[tuple[str, str]] = set()
        for figure in figures:  # one figure per load generator and server, not recorded
            if figure.concurrency >= 50 and (figure.tool, figure.server) not in seen:
                seen.add((figure.tool, figure.server))
                run_figure(figure, servers[figure.server], settings, warmup_round=True)
        print(f"bench-server: warm-up round done in {time.monotonic() - started:.0f} s", flush=True)
    samples: dict[str, list[Sample]] = {f.key: [] for f in figures}
    for round_index in range(settings.rounds):
        started = time.monotonic()
        for figure in round_order(groups, round_index):
            samples[figure.key].append(run_figure(figure, servers[figure.server], settings))
        line = ", ".join(f"{f.key} {samples[f.key][-1].rate:.0f}" for f in figures)
        print(
            f"bench-server: round {round_index + 1}/{settings.rounds} "
            f"({time.monotonic() - started:.0f} s): {line}",
            flush=True,
        )
    return samples


# -- summary --------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def summarize(groups: list[list[Figure]], samples: dict[str, list[Sample]]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for figure in (f for group in groups for f in group):
        runs = samples[figure.key]
        rates = [round(s.rate, 1) for s in runs]
        server_cpu = [s.server_cpu_seconds / s.server_calls * 1e6 for s in runs if s.server_calls]
        loadgen = [s.loadgen_cpu_seconds / s.seconds * 100 for s in runs if s.seconds]
        entry: dict[str, Any] = {
            "tool": figure.tool,
            "server": figure.server,
            "concurrency": figure.concurrency,
            "calls_per_s": {"median": _median(rates), "runs": rates},
            "calls": [s.calls for s in runs],
            "seconds": [round(s.seconds, 3) for s in runs],
            # CPU time of the server process over the figure's warm-up and timed calls
            "server_cpu_us_per_call": {
                "median": _median(server_cpu),
                "runs": [round(v, 1) for v in server_cpu],
            },
            "loadgen_cpu_pct": {"median": _median(loadgen), "runs": [round(v, 1) for v in loadgen]},
        }
        median_rate, median_cpu = entry["calls_per_s"]["median"], entry["server_cpu_us_per_call"]["median"]
        entry["server_busy_pct"] = (
            round(median_rate * median_cpu / 1e4, 1) if median_rate and median_cpu else None
        )  # 1 core = 100 %
        if runs and runs[0].latency_ms is not None:
            entry["latency_ms"] = {
                name: {
                    "median": _median([s.latency_ms[name] for s in runs if s.latency_ms]),
                    "runs": [round(s.latency_ms[name], 3) for s in runs if s.latency_ms],
                }
                for name in ("p50", "p90", "p99", "p999", "max", "mean")
            }
        summary[figure.key] = entry
    return summary


# (goal, numerator, denominator, metric, threshold, direction): numerator / denominator
# compared with the threshold, per round; ">=" for calls/s, "<=" for latency.
GOALS: list[tuple[str, str, str, str, float, str]] = [
    ("navai serve >= 1.5x the Node backend's calls/s, 50 in flight",
     "autocannon:navai@50", "autocannon:node@50", "calls_per_s", 1.5, ">="),
    ("navai serve p99 latency <= the Node backend's, 200 in flight",
     "autocannon:navai@200", "autocannon:node@200", "p99", 1.0, "<="),
    ("CORS costs <= 5 %: navai serve >= 0.95x navai serve --no-cors, 50 in flight",
     "autocannon:navai@50", "autocannon:navai-nocors@50", "calls_per_s", 0.95, ">="),
]  # fmt: skip


def _runs(entry: dict[str, Any], metric: str) -> list[float]:
    if metric == "calls_per_s":
        runs: list[float] = entry["calls_per_s"]["runs"]
        return runs
    return list(entry.get("latency_ms", {}).get(metric, {}).get("runs", []))


def evaluate_goals(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for name, numerator, denominator, metric, threshold, direction in GOALS:
        a, b = summary.get(numerator), summary.get(denominator)
        per_round: list[float] = []
        of_medians = None
        medians: list[float | None] = [None, None]
        if a is not None and b is not None:
            runs_a, runs_b = _runs(a, metric), _runs(b, metric)
            per_round = [round(x / y, 3) for x, y in zip(runs_a, runs_b, strict=True) if y]
            medians = [_median(runs_a), _median(runs_b)]
            if medians[0] is not None and medians[1]:
                of_medians = round(medians[0] / medians[1], 3)
        value = _median(per_round)
        if value is None:
            status = "N/A"
        else:
            ok = value >= threshold if direction == ">=" else value <= threshold
            status = "PASS" if ok else "FAIL"
        result.append(
            {
                "goal": name,
                "numerator": numerator,
                "denominator": denominator,
                "metric": metric,
                "threshold": threshold,
                "direction": direction,
                "numerator_median": medians[0],
                "denominator_median": medians[1],
                "value": value,
                "value_is": "median of the per-round ratios numerator / denominator",
                "ratio_of_medians": of_medians,
                "per_round": per_round,
                "status": status,
            }
        )
    return result


def _where(concurrency: int) -> str:
    return "1 in flight" if concurrency == 1 else f"{concurrency} in flight"


def render_tables(
    summary: dict[str, dict[str, Any]], settings: Settings, goals: list[dict[str, Any]], meta: dict[str, Any]
) -> str:
    machine, versions = meta["machine"], meta["machine"]["versions"]
    cs = settings.concurrencies
    header = "| " + " | ".join(_where(c) for c in cs) + " |"
    rule = "|---|" + "---:|" * len(cs)

    def get(server: str, c: int, tool: str = "autocannon") -> dict[str, Any] | None:
        return summary.get(f"{tool}:{server}@{c}")

    lines = [
        f"Measured {meta['date']} on {machine['cpu']}, {machine['cores']} cores, {machine['os']}; "
        f"Python {machine['python']}, Node {machine['node']}; navai serve on uvicorn "
        f"{versions.get('uvicorn')} (uvloop {versions.get('uvloop')}, httptools "
        f"{versions.get('httptools')}), Starlette {versions.get('starlette')}; @navai/voice-backend "
        f"{versions.get('@navai/voice-backend')} on Express {versions.get('express')}; autocannon "
        f"{versions.get('autocannon')}; {settings.rounds} rounds, medians. "
        f"Load: `POST /navai/functions/execute` `{BODY}` on loopback, one process per server.",
        "",
        "| autocannon calls/s (ratio to the Node backend) " + header,
        rule,
    ]
    for server in SERVERS:
        cells = []
        for c in cs:
            entry, node = get(server, c), get("node", c)
            if entry is None:
                cells.append("")
                continue
            rate = entry["calls_per_s"]["median"]
            ratio = rate / node["calls_per_s"]["median"] if node and server != "node" else None
            cells.append(f"{rate:,.0f}" + (f" ({ratio:.2f}x)" if ratio else ""))
        lines.append(f"| {sb.LABELS[server]} | " + " | ".join(cells) + " |")
    cells = []
    for c in cs:
        navai, bare = get("navai", c), get("bare", c)
        cells.append(
            f"{navai['calls_per_s']['median'] / bare['calls_per_s']['median']:.0%}" if navai and bare else ""
        )
    lines.append("| navai serve's share of the bare-route ceiling | " + " | ".join(cells) + " |")

    lines += ["", "| autocannon latency, ms: p50 / p99 " + header, rule]
    for server in SERVERS:
        cells = []
        for c in cs:
            lat = (get(server, c) or {}).get("latency_ms")
            cells.append(f"{lat['p50']['median']:.2f} / {lat['p99']['median']:.2f}" if lat else "")
        lines.append(f"| {sb.LABELS[server]} | " + " | ".join(cells) + " |")

    lines += ["", "| server CPU per call, µs (busy: 1 core = 100 %) " + header, rule]
    for server in SERVERS:
        cells = []
        for c in cs:
            entry = get(server, c)
            cpu = entry and entry["server_cpu_us_per_call"]["median"]
            cells.append(f"{cpu:,.0f} ({entry['server_busy_pct']:.0f} %)" if entry and cpu else "")
        lines.append(f"| {sb.LABELS[server]} | " + " | ".join(cells) + " |")
    cells = []
    for c in cs:
        entries = [e for s in SERVERS if (e := get(s, c))]
        shares = [e["loadgen_cpu_pct"]["median"] for e in entries if e["loadgen_cpu_pct"]["median"]]
        cells.append(f"{min(shares):.0f}-{max(shares):.0f} %" if shares else "")
    lines.append("| autocannon's own CPU (1 core = 100 %) | " + " | ".join(cells) + " |")

    if settings.clients:
        lines += [
            "",
            f"| client calls/s, {CLIENT_CONCURRENCY} in flight | navai serve | Node backend | navai / Node |"
            " server CPU µs per call (navai / Node) |",
            "|---|---:|---:|---:|---:|",
        ]
        for tool in settings.clients:
            navai = get("navai", CLIENT_CONCURRENCY, tool)
            node = get("node", CLIENT_CONCURRENCY, tool)
            if not navai or not node:
                continue
            a, b = navai["calls_per_s"]["median"], node["calls_per_s"]["median"]
            ca, cb = navai["server_cpu_us_per_call"]["median"], node["server_cpu_us_per_call"]["median"]
            lines.append(
                f"| {TOOLS[tool]} | {a:,.0f} | {b:,.0f} | {a / b:.2f}x | {ca or 0:,.0f} / {cb or 0:,.0f} |"
            )

    lines += [
        "",
        "| goal | navai serve | compared with | measured (median of rounds) | rounds, min-max "
        "| ratio of medians | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for goal in goals:
        fmt = "{:,.0f}/s" if goal["metric"] == "calls_per_s" else "{:.1f} ms"
        a = "" if goal["numerator_median"] is None else fmt.format(goal["numerator_median"])
        b = "" if goal["denominator_median"] is None else fmt.format(goal["denominator_median"])
        value = "n/a" if goal["value"] is None else f"{goal['value']:.2f}x"
        rounds = goal["per_round"]
        spread = f"{min(rounds):.2f}-{max(rounds):.2f}x" if rounds else ""
        of_medians = "" if goal["ratio_of_medians"] is None else f"{goal['ratio_of_medians']:.2f}x"
        lines.append(f"| {goal['goal']} | {a} | {b} | {value} | {spread} | {of_medians} | {goal['status']} |")
    return "\n".join(lines)


def draw_plot(
    summary: dict[str, dict[str, Any]], settings: Settings, meta: dict[str, Any], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles: dict[str, dict[str, Any]] = {
        "navai": {"color": "tab:blue", "marker": "s", "linewidth": 2.2},
        "navai-nocors": {"color": "tab:cyan", "marker": "x", "linestyle": ":"},
        "node": {"color": "black", "marker": "o", "linewidth": 2.2},
        "bare": {"color": "tab:gray", "marker": "^", "linestyle": "--"},
    }
    cs = settings.concurrencies
    fig, (ax_rate, ax_p99, ax_clients) = plt.subplots(
        1, 3, figsize=(15, 5.6), dpi=100, gridspec_kw={"width_ratios": [1.2, 1.2, 1]}
    )
    for server, style in styles.items():
        xs, ys, low, high, p99, p99_low, p99_high = [], [], [], [], [], [], []
        for c in cs:
            entry = summary.get(f"autocannon:{server}@{c}")
            if entry is None:
                continue
            runs, median = entry["calls_per_s"]["runs"], entry["calls_per_s"]["median"]
            xs.append(c)
            ys.append(median)
            low.append(median - min(runs))
            high.append(max(runs) - median)
            lat = entry["latency_ms"]["p99"]
            p99.append(lat["median"])
            p99_low.append(lat["median"] - min(lat["runs"]))
            p99_high.append(max(lat["runs"]) - lat["median"])
        if xs:
            ax_rate.errorbar(xs, ys, yerr=[low, high], capsize=3, label=sb.LABELS[server], **style)
            ax_p99.errorbar(xs, p99, yerr=[p99_low, p99_high], capsize=3, label=sb.LABELS[server], **style)
    for ax in (ax_rate, ax_p99):
        ax.set_xscale("log")
        ax.set_xticks(cs)
        ax.set_xticklabels([str(c) for c in cs])
        ax.minorticks_off()
        ax.set_xlim(cs[0] * 0.7, cs[-1] * 1.4)
        ax.set_xlabel("connections, one call in flight each (autocannon)")
        ax.grid(True, alpha=0.3)
    ax_rate.set_ylim(bottom=0)
    ax_rate.set_ylabel("execute calls/s (median; bars: min to max over rounds)")
    ax_rate.set_title("throughput", fontsize=10)
    ax_p99.set_yscale("log")
    ax_p99.set_ylabel("p99 latency, ms (log scale)")
    ax_p99.set_title("p99 latency", fontsize=10)
    ax_rate.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=1, frameon=False)

    tools = [t for t in settings.clients if summary.get(f"{t}:navai@{CLIENT_CONCURRENCY}")]
    width = 0.38
    for offset, server in ((-width / 2, "navai"), (width / 2, "node")):
        values = [summary[f"{t}:{server}@{CLIENT_CONCURRENCY}"]["calls_per_s"]["median"] for t in tools]
        ax_clients.bar(
            [i + offset for i in range(len(tools))],
            values,
            width,
            label=sb.LABELS[server],
            color=styles[server]["color"],
        )
    ax_clients.set_xticks(range(len(tools)))
    ax_clients.set_xticklabels([TOOLS[t].split(" (")[0] for t in tools], fontsize=8)
    ax_clients.set_ylabel(f"execute calls/s, {CLIENT_CONCURRENCY} in flight (median)")
    ax_clients.set_title("real clients against each server", fontsize=10)
    ax_clients.grid(True, axis="y", alpha=0.3)
    ax_clients.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=1, frameon=False)
    machine = meta["machine"]
    fig.suptitle(
        f"navai serve vs the Node NAVAI backend, POST /navai/functions/execute (echo) on loopback\n"
        f"{meta['date']}, {machine['cpu']} ({machine['cores']} cores), Python {machine['python']}, "
        f"Node {machine['node']}, {settings.rounds} rounds",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- main -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="1 short round, no warm-up round (< 40 s)")
    parser.add_argument("--rounds", type=int, default=None, help="recorded rounds (default 5; smoke 1)")
    parser.add_argument(
        "--seconds",
        type=int,
        default=None,
        help="timed seconds of one autocannon figure (default 2; smoke 1)",
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=None, help="default 1 50 200")
    parser.add_argument(
        "--clients",
        nargs="*",
        default=None,
        choices=["ts", "navai-async", "navai-aiohttp"],
        help="client figures at 50 in flight (default: ts navai-async)",
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where the results and the plot go")
    args = parser.parse_args(argv)
    smoke = args.smoke

    def pick(value: Any, full: Any, small: Any) -> Any:
        return value if value is not None else (small if smoke else full)

    return Settings(
        rounds=max(1, pick(args.rounds, 5, 1)),
        concurrencies=sorted(set(pick(args.concurrency, [1, 50, 200], [1, 50, 200]))),
        seconds=max(1, pick(args.seconds, 2, 1)),
        warmup_seconds=pick(None, 1, 0),  # smoke: proves it works, no warm-up
        client_seconds=pick(None, 1.2, 0.5),
        client_warmup_seconds=pick(None, 0.4, 0.2),
        clients=list(pick(args.clients, ["ts", "navai-async"], ["ts", "navai-async"])),
        warmup_round=not smoke,
        out=args.out,
        smoke=smoke,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    reason = node_missing_reason()
    if reason is not None:
        print(f"bench-server: {reason}", file=sys.stderr)
        return 2
    node_packages.install_or_exit("bench-server")
    started = time.monotonic()
    groups = figure_groups(settings)
    meta: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(
            ("navai", "starlette", "uvicorn", "uvloop", "httptools", "anyio", "httpx2", "aiohttp"),
            [
                (BENCH_DIR, "autocannon"),
                (BENCH_DIR, "@navai/voice-frontend"),
                (BACKEND_DIR, "@navai/voice-backend"),
                (BACKEND_DIR, "express"),
            ],
        ),
        "workload": {
            "endpoint": "POST /navai/functions/execute",
            "body": json.loads(BODY),
            "function": f"{FUNCTION} (sync: navai serve runs it in its worker thread pool, Node inline)",
        },
        "servers": {name: sb.LABELS[name] for name in SERVERS},
        "server_settings": {
            "navai": "python -m navai serve --host 127.0.0.1 --port 0 (navai/server/_serve.py: "
            "uvloop, httptools, lifespan off, access_log False, one process); functions: "
            "tests/server/backend_py",
            "node": "node --import ./openai-stub.mjs server.mjs in tests/backend (one process, "
            "express.json() + registerNavaiExpressRoutes)",
            "bare": "bench/server_bare.py: one Starlette route (body, json.loads, JSONResponse) on "
            "uvicorn with navai serve's settings",
        },
        "load": {
            "autocannon": "bench/server_load.mjs: N connections, pipelining 1, every response checked, "
            f"exact latencies; {settings.warmup_seconds:g} s untimed warm-up per figure",
            "clients": {t: TOOLS[t] for t in settings.clients},
        },
        "settings": {
            "rounds": settings.rounds,
            "concurrencies": settings.concurrencies,
            "autocannon_seconds": settings.seconds,
            "autocannon_warmup_seconds": settings.warmup_seconds,
            "client_seconds": settings.client_seconds,
            "client_concurrency": CLIENT_CONCURRENCY,
            "smoke": settings.smoke,
        },
    }
    load_before = load_average()
    if load_before is not None and load_before > 0.5 * (os.cpu_count() or 1):
        print(
            f"bench-server: the machine is busy before the run (1-minute load average {load_before:.2f} on "
            f"{os.cpu_count()} cores): the figures will move more from round to round",
            file=sys.stderr,
            flush=True,
        )
    figures_count = sum(len(g) for g in groups)
    print(f"bench-server: {figures_count} figures x {settings.rounds} rounds, servers starting", flush=True)
    servers: dict[str, sb.Server] = {}
    try:
        for name in SERVERS:
            servers[name] = sb.STARTERS[name]()
            answer = sb.check_echo(servers[name], json.loads(BODY), EXPECTED, ORIGIN)
            server = servers[name]
            print(f"bench-server: {name} ready at {server.url} (pid {server.pid}): {answer}", flush=True)
        meta["server_threads_at_start"] = {n: sb.process_threads(s.pid) for n, s in servers.items()}
        samples = measure(settings, servers, groups)
        meta["server_threads_at_end"] = {n: sb.process_threads(s.pid) for n, s in servers.items()}
        logs = {name: server.read_log() for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    server_errors = {
        name: [line for line in log.splitlines() if any(m in line for m in ("[navai", "Traceback", "ERROR"))]
        for name, log in logs.items()
    }
    server_errors = {name: lines[:20] for name, lines in server_errors.items() if lines}
    summary = summarize(groups, samples)
    goals = evaluate_goals(summary)
    meta["duration_s"] = round(time.monotonic() - started, 1)
    meta["load_average_1min"] = {"before": load_before, "after": load_average()}
    table = render_tables(summary, settings, goals, meta)

    settings.out.mkdir(parents=True, exist_ok=True)
    results = {**meta, "figures": summary, "goals": goals, "table_markdown": table}
    if server_errors:
        results["server_errors"] = server_errors
    results_path = settings.out / "server-results.json"
    plot_path = settings.out / "server-throughput.png"
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    draw_plot(summary, settings, meta, plot_path)
    print()
    print(table)
    print()
    print(f"bench-server: wrote {results_path} and {plot_path} in {meta['duration_s']:.0f} s")
    if server_errors:
        print(f"bench-server: servers logged errors: {server_errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
