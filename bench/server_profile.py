"""Where ``navai serve``'s time goes per execute call, and what the big item is worth.

    python -m bench.server_profile                 # ~3.5 min: build/bench-server-profile/
    python -m bench.server_profile --quick         # ~40 s, fewer and shorter runs

Four parts, the same workload as ``make bench-server`` (``POST /navai/functions/execute``,
``{"function_name":"echo","payload":{"value":{"n":1}}}``, autocannon through
``bench/server_load.mjs``, every response checked):

1. **What-ifs, no profiler.** Servers in their own processes, each loaded in alternating
   rounds: navai serve calling ``echo`` (a sync function: navai's ``ThreadHop`` worker threads) and
   ``async_echo`` (the async twin: no thread), navai serve's app with the sync hop replaced
   (``bench/server_variant.py``: ``loop.run_in_executor`` on asyncio's default pool or on a
   40-thread pool, or inline on the loop), the bare Starlette route
   (``bench/server_bare.py``) and the Node backend.
   For each: calls/s, server CPU per call (all its threads, from /proc), p99.
2. **The thread hop alone.** In this process, on uvloop, 50 tasks call a trivial function
   through navai's ``ThreadHop``, ``anyio.to_thread.run_sync``, ``loop.run_in_executor``
   (default pool, 40 threads, 1 thread) or directly: wall and CPU time per call, no HTTP.
3. **cProfile under load.** navai serve's app (as ``navai serve`` builds it, on uvicorn via
   ``navai.server._serve.make_server``) and the bare route, each run in this process under
   autocannon at 50 connections with ``cProfile`` on the event loop thread, timed by that
   thread's CPU clock (idle waits excluded): CPU per request by layer (navai.server,
   Starlette, uvicorn, anyio, asyncio, the uvloop/httptools C side, ...), navai's extra
   over the bare route, and the top functions. cProfile's own cost inflates every figure
   (call-heavy code most), so read part 3 for shares and part 1 for absolute costs; the
   worker threads' side of the hop is not in part 3 (it is in parts 1 and 2).
4. **navai.server's own steps, timed alone.** In this process, one call at a time, no
   profiler: reading the body, matching the routes, encoding the answer twice, the sync hop,
   and the whole app over ASGI, each next to a plainer alternative, in µs per call.

Writes ``server-profile.txt`` (the report, also printed) and ``navai.pstats`` /
``bare.pstats`` into ``--out``. Loopback only; every run is bounded in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import cProfile
import functools
import json
import os
import platform
import pstats
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import server_backends as sb
from bench.machine import cpu_model

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

VALUE = {"n": 1}


def body_for(function: str) -> str:
    return json.dumps({"function_name": function, "payload": {"value": VALUE}}, separators=(",", ":"))


def load(
    url: str, connections: int, seconds: int, function: str = "echo", warmup: float = 1
) -> dict[str, Any]:
    command = [
        "node", str(BENCH_DIR / "server_load.mjs"),
        "--url", url,
        "--connections", str(connections),
        "--seconds", str(seconds),
        "--warmup-seconds", f"{warmup:g}",
        "--body", body_for(function),
        "--expect", json.dumps(VALUE),
    ]  # fmt: skip
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=sb.clean_env(),
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load on {url} ({function}) failed:\n{done.stdout[-500:]}\n{done.stderr[-1500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- part 1: what-ifs -----------------------------------------------------------------

ROWS: list[tuple[str, str, str]] = [  # (label, server, function)
    ("navai serve, echo (sync: ThreadHop worker threads; as shipped)", "navai", "echo"),
    ("navai serve, async_echo (async twin: no thread)", "navai", "async_echo"),
    ("what-if: sync via anyio.to_thread.run_sync (before ThreadHop)", "variant-anyio", "echo"),
    ("what-if: sync via loop.run_in_executor (default pool)", "variant-executor", "echo"),
    ("what-if: sync via loop.run_in_executor (40-thread pool)", "variant-executor-40", "echo"),
    ("what-if: sync called inline on the loop (upper bound)", "variant-inline", "echo"),
    ("bare Starlette route (ceiling)", "bare", "echo"),
    ("Node backend, echo (reference)", "node", "echo"),
]


def what_ifs(rounds: int, concurrencies: list[int], seconds: int) -> tuple[str, dict[str, Any]]:
    starters: dict[str, Callable[[], sb.Server]] = {
        "navai": sb.start_navai,
        "bare": sb.start_bare,
        "node": sb.start_node,
        **{
            f"variant-{v}": functools.partial(sb.start_variant, v)
            for v in ("anyio", "executor", "executor-40", "inline")
        },
    }
    servers: dict[str, sb.Server] = {}
    runs: dict[tuple[int, int], list[dict[str, float]]] = defaultdict(list)
    try:
        for name in dict.fromkeys(server for _, server, _ in ROWS):
            servers[name] = starters[name]()
            sb.check_echo(servers[name], json.loads(body_for("echo")), VALUE)
        for round_index in range(rounds):
            for concurrency in concurrencies:
                order = list(range(len(ROWS)))
                shift = round_index % len(order)
                order = order[shift:] + order[:shift]
                if round_index % 2:
                    order.reverse()
                for row in order:
                    _, name, function = ROWS[row]
                    server = servers[name]
                    cpu0 = sb.process_cpu_seconds(server.pid)
                    result = load(server.execute_url, concurrency, seconds, function)
                    cpu = sb.process_cpu_seconds(server.pid) - cpu0
                    calls = result["calls"] + result["warmup_calls"]
                    runs[(row, concurrency)].append(
                        {
                            "calls_per_s": result["calls_per_s"],
                            "cpu_us_per_call": cpu / calls * 1e6 if calls else 0.0,
                            "p99_ms": result["latency_ms"]["p99"],
                            "threads": float(sb.process_threads(server.pid) or 0),
                        }
                    )
            print(f"server_profile: what-if round {round_index + 1}/{rounds} done", flush=True)
    finally:
        for server in servers.values():
            server.stop()

    def med(row: int, c: int, key: str) -> float:
        return statistics.median(r[key] for r in runs[(row, c)])

    lines = []
    for c in concurrencies:
        base = med(0, c, "calls_per_s")
        node = med(len(ROWS) - 1, c, "calls_per_s")
        lines += [
            f"### {c} connections (autocannon), {rounds} rounds, medians",
            "",
            "| server | calls/s | vs as shipped | vs Node | server CPU µs/call | p99 ms | threads |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row, (label, _, _) in enumerate(ROWS):
            rate = med(row, c, "calls_per_s")
            lines.append(
                f"| {label} | {rate:,.0f} | {rate / base:.2f}x | {rate / node:.2f}x | "
                f"{med(row, c, 'cpu_us_per_call'):,.0f} | {med(row, c, 'p99_ms'):.1f} | "
                f"{med(row, c, 'threads'):.0f} |"
            )
        lines.append("")
    data = {
        f"{ROWS[row][1]}:{ROWS[row][2]}@{c}": {"label": ROWS[row][0], "runs": values}
        for (row, c), values in runs.items()
    }
    return "\n".join(lines), data


# -- part 2: the thread hop alone -------------------------------------------------------


def _echo(value: Any) -> Any:
    return value


async def _hop_runs(total: int, tasks: int) -> dict[str, tuple[float, float]]:
    import anyio.to_thread

    from navai.functions._hop import ThreadHop

    hop = ThreadHop(40)
    loop = asyncio.get_running_loop()
    one = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    forty = concurrent.futures.ThreadPoolExecutor(max_workers=40)
    ways: dict[str, Callable[[], Any]] = {
        "direct call (no thread)": lambda: _direct(),
        "navai's ThreadHop (what navai serve uses)": lambda: hop.run(lambda: _echo(VALUE)),
        "anyio.to_thread.run_sync": lambda: anyio.to_thread.run_sync(_echo, VALUE),
        "loop.run_in_executor(None, ...) (default pool)": lambda: loop.run_in_executor(None, _echo, VALUE),
        "loop.run_in_executor(40-thread pool, ...)": lambda: loop.run_in_executor(forty, _echo, VALUE),
        "loop.run_in_executor(1-thread pool, ...)": lambda: loop.run_in_executor(one, _echo, VALUE),
    }

    async def _direct() -> Any:
        return _echo(VALUE)

    results: dict[str, tuple[float, float]] = {}
    for name, call in ways.items():
        for measured in (False, True):  # the first pass starts the threads
            remaining = total

            async def worker(call: Callable[[], Any] = call) -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await call()

            cpu0, t0 = time.process_time(), time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(tasks)))
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            if measured:
                results[name] = (wall / total * 1e6, cpu / total * 1e6)
    one.shutdown()
    forty.shutdown()
    return results


def thread_hop(total: int, tasks: int) -> str:
    import uvloop

    results = uvloop.run(_hop_runs(total, tasks))
    lines = [
        f"{tasks} tasks on uvloop, {total:,} calls of a trivial function each way (no HTTP):",
        "",
        "| way | wall µs/call | CPU µs/call (all threads) |",
        "|---|---:|---:|",
    ]
    for name, (wall, cpu) in results.items():
        lines.append(f"| {name} | {wall:,.1f} | {cpu:,.1f} |")
    return "\n".join(lines) + "\n"


# -- part 3: cProfile under load --------------------------------------------------------

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("navai.server (navai/server/)", ("/navai/server/",)),
    ("starlette", ("/starlette/",)),
    ("uvicorn (Python side)", ("/uvicorn/",)),
    ("anyio + sniffio (Python side)", ("/anyio/", "/sniffio/")),
    ("asyncio (Python side)", ("/asyncio/",)),
    ("json", ("/json/",)),
    ("codecs / encodings", ("/codecs.py", "/encodings/")),
    ("threading / queue / weakref", ("/threading.py", "/queue.py", "/weakref.py", "/_weakrefset.py")),
    ("bench/server_bare.py", ("/bench/server_bare.py",)),
]
LOOP = "uvloop run_forever (C: polling, socket reads, callbacks)"


def layer_of(key: tuple[str, int, str]) -> str:
    filename, _, name = key
    if filename == "~":
        if "uvloop" in name:
            return "uvloop transport/loop methods (C)"
        if "httptools" in name:
            return "httptools parser (C)"
        if "_thread" in name or "lock" in name:
            return "thread locks (C)"
        if "json" in name:
            return "json"
        return "other builtins (C)"
    if filename.endswith("asyncio/runners.py") and name == "run":
        return LOOP
    for label, needles in LAYERS:
        if any(needle in filename for needle in needles):
            return label
    return "other Python"


def short(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})"


def _pick_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((sb.HOST, 0))
    return sock


def profile_app(app: Any, connections: int, seconds: int) -> tuple[pstats.Stats, dict[str, Any]]:
    """Run ``app`` on uvicorn as navai serve does, under load, with cProfile on the loop thread."""
    from navai.server._serve import make_server

    sock = _pick_port()
    port = sock.getsockname()[1]
    server = make_server(app, host=sb.HOST, port=port, log_level="warning")
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            while not server.started:
                if server.should_exit:
                    return
                time.sleep(0.02)
            outcome["result"] = load(f"http://{sb.HOST}:{port}{sb.EXECUTE_PATH}", connections, seconds)
        except BaseException as exc:  # reported by the caller
            outcome["error"] = exc
        finally:
            server.should_exit = True

    driver = threading.Thread(target=drive, name="load-driver", daemon=True)
    driver.start()
    profiler = cProfile.Profile(time.thread_time)  # CPU of the loop thread: idle waits excluded
    profiler.enable()
    try:
        server.run(sockets=[sock])
    finally:
        profiler.disable()
        sock.close()
    driver.join(timeout=30)
    if "error" in outcome:
        raise RuntimeError(f"load failed: {outcome['error']}")
    return pstats.Stats(profiler), outcome["result"]


def _warm_navai_app() -> Any:
    """navai serve's app, with its functions already discovered (one call, in process)."""
    import httpx2

    from navai.server import create_navai_app

    app = create_navai_app(env=sb.navai_env())

    async def one_call() -> None:
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app), base_url="http://bench") as client:
            response = await client.post(sb.EXECUTE_PATH, content=body_for("echo"),
                                         headers={"content-type": "application/json"})  # fmt: skip
            assert response.json()["result"] == VALUE, response.text

    asyncio.run(one_call())
    return app


def by_layer(stats: pstats.Stats) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for key, (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        totals[layer_of(key)] += tottime
    return dict(totals)


def profiles(connections: int, seconds: int, out: Path) -> tuple[str, dict[str, Any]]:
    from bench.server_bare import app as bare_app

    runs: dict[str, tuple[pstats.Stats, int, float]] = {}
    for name, make in (("navai", _warm_navai_app), ("bare", lambda: bare_app)):
        stats, result = profile_app(make(), connections, seconds)
        requests = result["calls"] + result["warmup_calls"]
        stats.dump_stats(str(out / f"{name}.pstats"))
        runs[name] = (stats, requests, result["calls_per_s"])
        print(f"server_profile: profiled {name}: {requests} requests", flush=True)

    layers = {name: by_layer(stats) for name, (stats, _, _) in runs.items()}
    per_request = {
        name: {layer: value / runs[name][1] * 1e6 for layer, value in layers[name].items()} for name in runs
    }
    total = {name: sum(values.values()) for name, values in per_request.items()}
    order = sorted(
        set(per_request["navai"]) | set(per_request["bare"]), key=lambda k: -per_request["navai"].get(k, 0)
    )
    lines = [
        f"cProfile on the event loop thread (its CPU clock), autocannon at {connections} connections for "
        f"{seconds} s plus 1 s warm-up; navai: {runs['navai'][1]:,} requests "
        f"({runs['navai'][2]:,.0f}/s while profiled), bare: {runs['bare'][1]:,} requests "
        f"({runs['bare'][2]:,.0f}/s while profiled). µs are profiled CPU per request (inflated by cProfile).",
        "",
        "| layer (self time) | navai serve µs/req | share | bare route µs/req | navai extra µs/req |",
        "|---|---:|---:|---:|---:|",
    ]
    for layer in order:
        a, b = per_request["navai"].get(layer, 0.0), per_request["bare"].get(layer, 0.0)
        lines.append(f"| {layer} | {a:,.1f} | {a / total['navai']:.0%} | {b:,.1f} | {a - b:+,.1f} |")
    lines.append(
        f"| **total (loop thread)** | **{total['navai']:,.1f}** | 100% | **{total['bare']:,.1f}** | "
        f"**{total['navai'] - total['bare']:+,.1f}** |"
    )

    navai_stats, navai_requests, _ = runs["navai"]
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = navai_stats.stats  # type: ignore[attr-defined]

    def table(title: str, keys: list[tuple[str, int, str]], metric: int) -> list[str]:
        rows = [
            "",
            title,
            "",
            "| function | calls/req | self µs/req | cumulative µs/req | layer |",
            "|---|---:|---:|---:|---|",
        ]
        for key in keys:
            _, ncalls, tottime, cumtime, _ = raw[key]
            rows.append(
                f"| `{short(key)}` | {ncalls / navai_requests:.1f} | {tottime / navai_requests * 1e6:,.1f} | "
                f"{cumtime / navai_requests * 1e6:,.1f} | {layer_of(key)} |"
            )
        return rows

    by_self = sorted(raw, key=lambda k: -raw[k][2])[:30]
    lines += table("navai serve, top 30 functions by self time:", by_self, 2)
    ours = [k for k in raw if "/navai/server/" in k[0] or "to_thread" in k[0] or "anyio/_backends" in k[0]]
    by_cum = sorted(ours, key=lambda k: -raw[k][3])[:25]
    lines += table(
        "navai serve, navai.server and anyio functions by cumulative time (coroutines: one call per resume):",
        by_cum,
        3,
    )
    data = {
        "per_request_us_by_layer": per_request,
        "requests": {name: value[1] for name, value in runs.items()},
        "calls_per_s_while_profiled": {name: value[2] for name, value in runs.items()},
    }
    return "\n".join(lines) + "\n", data


# -- part 4: navai.server's own steps, timed alone ----------------------------------------

_STEP_BODY = body_for("echo").encode()


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": sb.EXECUTE_PATH,
        "raw_path": sb.EXECUTE_PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:3000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_STEP_BODY)).encode()),
            (b"connection", b"keep-alive"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 3000),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": _STEP_BODY, "more_body": False}


async def _send(_message: dict[str, Any]) -> None:
    return None


async def _steps(app: Any, calls: int) -> list[tuple[str, float]]:
    from starlette.requests import Request
    from starlette.routing import Match

    import navai.server._app as navai_app
    from bench.server_bare import app as bare_app
    from navai.server._encode import dumps

    state = app.state.navai
    registry = await state.functions.get()
    sync_echo, async_echo = registry.get("echo"), registry.get("async_echo")
    assert sync_echo is not None
    assert async_echo is not None
    answer = {"ok": True, "function_name": "echo", "source": sync_echo.source, "result": VALUE}
    routes = list(app.router.routes)

    async def body_navai() -> None:
        await state.body(Request(_scope(), _receive))

    async def body_plain() -> None:
        json.loads(await Request(_scope(), _receive).body())

    async def match_routes() -> None:
        scope = _scope()
        for route in routes:
            if route.matches(scope)[0] is Match.FULL:
                break

    async def encode_twice() -> None:
        dumps(answer)  # _run's check
        navai_app.json_response(200, answer)

    async def encode_once() -> None:
        navai_app.json_response(200, answer)

    async def run_sync() -> None:
        await sync_echo.run({"value": VALUE}, None)

    async def run_async() -> None:
        await async_echo.run({"value": VALUE}, None)

    async def whole(target: Any, function: str) -> None:
        body = body_for(function).encode()

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await target(_scope(), receive, _send)

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("`_NavaiState.body`: its four headers + `read_json_body` (as shipped)", body_navai),
        ("`await request.body()` + `json.loads` (for comparison)", body_plain),
        ("route matching: every `_Route.matches` up to execute (5th of 5)", match_routes),
        ("`dumps` + `json_response` (2 encodes, as before)", encode_twice),
        ("`json_response` alone (1 encode, as shipped)", encode_once),
        ("`NavaiFunction.run` of sync `echo` (ThreadHop)", run_sync),
        ("`NavaiFunction.run` of `async_echo` (no thread)", run_async),
        ("whole navai app, execute `echo` (ASGI, no HTTP server)", lambda: whole(app, "echo")),
        ("whole navai app, execute `async_echo`", lambda: whole(app, "async_echo")),
        ("whole bare app (`bench/server_bare.py`)", lambda: whole(bare_app, "echo")),
    ]
    results = []
    for name, step in steps:
        for _ in range(min(500, calls)):
            await step()
        t0 = time.perf_counter()
        for _ in range(calls):
            await step()
        results.append((name, (time.perf_counter() - t0) / calls * 1e6))
    return results


def own_steps(calls: int) -> str:
    import uvloop

    results = uvloop.run(_steps(_warm_navai_app(), calls))
    lines = [
        f"One call at a time on uvloop, {calls:,} calls each, wall time (no contention; the sync hop's "
        "wall time includes waking its worker thread):",
        "",
        "| step | µs/call |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:,.1f} |" for name, value in results]
    return "\n".join(lines) + "\n"


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 what-if round at 50 only, shorter runs")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-server-profile")
    parser.add_argument("--skip", nargs="*", default=[], choices=["what-if", "hop", "cprofile", "steps"])
    args = parser.parse_args(argv)
    quick = args.quick
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    header = (
        f"# Where navai serve's time goes: POST /navai/functions/execute (echo)\n\n"
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {cpu_model()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average before: "
        f"{os.getloadavg()[0]:.2f}\n"
    )
    sections = [header]
    data: dict[str, Any] = {}
    if "what-if" not in args.skip:
        text, data["what_if"] = what_ifs(1 if quick else 3, [50], 2)
        if not quick:
            text_200, data["what_if_200"] = what_ifs(2, [200], 2)
            text += "\n" + text_200
        sections.append("## 1. What-ifs, no profiler (servers in their own processes)\n\n" + text)
    if "hop" not in args.skip:
        sections.append("## 2. The thread hop alone\n\n" + thread_hop(5000 if quick else 20000, 50))
    if "cprofile" not in args.skip:
        text, data["cprofile"] = profiles(50, 3 if quick else 5, args.out)
        sections.append("## 3. cProfile under load\n\n" + text)
    if "steps" not in args.skip:
        sections.append(
            "## 4. navai.server's own steps, timed alone\n\n" + own_steps(2000 if quick else 10000)
        )
    report = "\n".join(sections)
    (args.out / "server-profile.txt").write_text(report)
    (args.out / "server-profile.json").write_text(json.dumps(data, indent=2) + "\n")
    print(report)
    print(f"server_profile: wrote {args.out}/server-profile.txt in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
