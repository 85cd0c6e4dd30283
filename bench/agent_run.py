"""``make bench-agent``: how NavaiVoiceAgent holds up in a session, side by side in one run.

    python -m bench.agent_run            # the full run (about 1.5 minutes)
    python -m bench.agent_run --smoke    # one short round of everything (CI)

Three processes on 127.0.0.1: this one runs ``NavaiVoiceAgent`` (stock httpx2 client);
``bench/agent_standin.py`` plays the Realtime API and times what crosses its socket;
``navai serve`` (``tests.support.py_backend_harness.PyBackend``) is the NAVAI backend. For (c) a
backend with set delays (``bench/agent_backend.py``) and a stand-in that holds the
handshake replace them. Figures:

(a) audio under tool load: the stand-in sends an audio delta every 10 ms, each carrying
    its sending time (``time.monotonic_ns``, one clock for the machine); ``on_audio`` notes
    how late it arrived. Rounds alternate "idle" (no tool calls) and "20 slow tool calls"
    (10 local sync functions sleeping 0.5 s in worker threads and 10 backend calls of
    ``slow_echo`` taking 0.5 s on navai serve, sent just before the audio). Goal: p99
    lateness with the calls within 5 ms of the idle p99 (median of per-round differences).
(b) tool-call turnaround: from the stand-in sending ``response.function_call_arguments.done``
    to it receiving the ``function_call_output``, for a local function (``noop_local``,
    which reports its own running time) and a backend one (``echo`` on navai serve), 1 and
    20 calls at once. The overhead is the turnaround minus the function itself: for the
    local function its own running time, for the backend one the same ``execute_function``
    call made directly with the same client at the same concurrency, in the same rounds.
    The backend function runs twice: on the stock httpx2 client, and on
    ``navai.DefaultAioHttpClient`` (recommended for many calls in flight). The floor of the
    setup is a bare websockets client answering each call as soon as it reads it. Goal:
    overhead p99 under 2 ms.
(a) and (b) run with the start-up heap frozen (``gc.freeze()`` once the session is warm), as
    docs/agent.md advises a long audio session: without it each full collection stalled audio
    15-40 ms here.
(c) session start: ``await agent.start()`` (list functions while minting, connect once the
    secret is there, ``session.update``) against the TypeScript hooks' order (list, then
    mint, then connect, then ``session.update``) on a backend whose list takes 150 ms and
    mint 250 ms, and a Realtime server whose handshake takes 100 ms. Goal: start at most
    1.1x (the slower of list and mint + the connect), each measured alone in the same run.

Writes ``agent-results.json`` into ``--out`` (default: this folder) and prints Markdown
tables; exits 1 when a figure fails (an error, a missing answer), not when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import navai
from navai import AsyncNavaiBackendClient
from navai.agent import NavaiVoiceAgent
from tests.support.py_backend_harness import PyBackend

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

INTERVAL_MS = 10.0
SLOW_S = 0.5
LIST_DELAY_MS, MINT_DELAY_MS, CONNECT_DELAY_MS = 150.0, 250.0, 100.0
WAIT_S = 30.0


@dataclass
class Settings:
    rounds: int
    audio_deltas: int
    calls: int
    start_rounds: int
    out: Path
    smoke: bool


def noop_local(value: Any = None) -> dict[str, int]:
    """Returns how long it ran, in ns."""
    start = time.monotonic_ns()
    return {"fn_ns": time.monotonic_ns() - start}


def slow_local(value: Any = None) -> str:
    """Blocks its worker thread for half a second."""
    time.sleep(SLOW_S)
    return "slept"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50": _pct(values, 0.5), "p99": _pct(values, 0.99), "n": len(values)}


def _backend_cells(remote: list[float], direct: list[float]) -> dict[str, Any]:
    """A backend function's turnarounds beside the same calls made directly, and the overhead."""
    return {
        "backend_turnaround_ms": _summary(remote),
        "backend_direct_ms": _summary(direct),
        "backend_overhead_p99_ms": _pct(remote, 0.99) - _pct(direct, 0.99),
        "backend_overhead_p50_ms": _pct(remote, 0.5) - _pct(direct, 0.5),
    }


def _call(call_id: str, name: str, payload: Any) -> list[str]:
    return [call_id, "execute_app_function", json.dumps({"function_name": name, "payload": payload})]


class Standin:
    """``bench/agent_standin.py`` in its own process."""

    def __init__(self, connect_delay_ms: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.agent_standin",
                "--connect-delay-ms",
                str(connect_delay_ms),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("ws://"):
            self.stop()
            raise RuntimeError("the Realtime stand-in did not start")

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class DelayedBackend:
    """``bench/agent_backend.py`` in its own process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.agent_backend",
                "--list-delay-ms",
                str(LIST_DELAY_MS),
                "--mint-delay-ms",
                str(MINT_DELAY_MS),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NAVAI_"))},
        )
        assert self.process.stderr is not None
        for line in self.process.stderr:
            found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
                return
        raise RuntimeError("the delayed backend did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Probe:
    """The agent's side of the measurements: audio lateness and the stand-in's reports."""

    def __init__(self) -> None:
        self.lateness_ms: list[float] = []
        self.expected = 0
        self.audio_done = asyncio.Event()
        self.reports: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.answered: set[str] = set()
        self.waiting: set[str] = set()
        self.all_answered = asyncio.Event()

    def on_audio(self, chunk: bytes) -> None:
        (sent,) = struct.unpack("<q", chunk[:8])
        self.lateness_ms.append((time.monotonic_ns() - sent) / 1e6)
        if len(self.lateness_ms) >= self.expected:
            self.audio_done.set()

    def on_tool_call(self, result: Any) -> None:
        self.answered.add(result.call_id)
        if self.waiting <= self.answered:
            self.all_answered.set()

    def expect(self, call_ids: set[str]) -> None:
        self.waiting = call_ids
        self.all_answered.clear()

    def on_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "bench.report":
            self.reports.put_nowait(event)


async def _collect(agent: NavaiVoiceAgent, probe: Probe, call_ids: set[str]) -> dict[str, Any]:
    """The stand-in's timings once the agent has answered every call in ``call_ids``.

    The agent tells (``on_tool_call``, just before it sends an answer) when all are
    answered; only then is the stand-in asked, so asking costs the session nothing while
    the calls run.
    """
    await asyncio.wait_for(probe.all_answered.wait(), WAIT_S)
    turnaround: dict[str, int] = {}
    outputs: dict[str, str] = {}
    deadline = time.monotonic() + WAIT_S
    while not call_ids <= turnaround.keys():
        if time.monotonic() > deadline:
            raise RuntimeError(f"calls never answered: {sorted(call_ids - turnaround.keys())[:5]}")
        await asyncio.sleep(0.005)
        await agent.send_event({"type": "bench.report"})
        report = await asyncio.wait_for(probe.reports.get(), WAIT_S)
        turnaround.update(report["turnaround_ns"])
        outputs.update(report["outputs"])
    return {"turnaround_ns": turnaround, "outputs": outputs}


async def audio_round(
    agent: NavaiVoiceAgent, probe: Probe, count: int, calls: list[list[str]]
) -> list[float]:
    probe.lateness_ms, probe.expected = [], count
    probe.audio_done.clear()
    await agent.send_event(
        {"type": "bench.audio", "count": count, "interval_ms": INTERVAL_MS, "calls": calls}
    )
    await asyncio.wait_for(probe.audio_done.wait(), WAIT_S + count * INTERVAL_MS / 1000)
    if calls:
        answered = await _collect(agent, probe, {c[0] for c in calls})
        for call_id, output in answered["outputs"].items():
            if '"ok":true' not in output:
                raise RuntimeError(f"slow call {call_id} failed: {output[:300]}")
    return probe.lateness_ms


async def turnaround_batch(
    agent: NavaiVoiceAgent, probe: Probe, prefix: str, name: str, payload: Any, size: int
) -> list[float]:
    """Overheads in ms of one batch of ``size`` calls (turnaround minus the function's own time)."""
    calls = [_call(f"{prefix}_{i}", name, payload) for i in range(size)]
    probe.expect({c[0] for c in calls})
    await agent.send_event({"type": "bench.calls", "calls": calls})
    answered = await _collect(agent, probe, {c[0] for c in calls})
    overheads = []
    for call_id, ns in answered["turnaround_ns"].items():
        output = answered["outputs"][call_id]
        if '"ok":true' not in output:
            raise RuntimeError(f"call {call_id} failed: {output[:300]}")
        own = re.search(r'"fn_ns":(\d+)', output)
        overheads.append((ns - (int(own.group(1)) if own else 0)) / 1e6)
    return overheads


async def direct_batch(client: AsyncNavaiBackendClient, size: int) -> list[float]:
    """Each call's time from the batch's start: the calls all arrive at once, as tool calls do."""
    start = time.monotonic_ns()

    async def one() -> float:
        await client.execute_function("echo", {"value": 1})
        return (time.monotonic_ns() - start) / 1e6

    return list(await asyncio.gather(*(one() for _ in range(size))))


async def run_session(settings: Settings, backend_url: str, standin: Standin) -> dict[str, Any]:
    probe = Probe()
    async with AsyncNavaiBackendClient(backend_url) as client:
        agent = NavaiVoiceAgent(
            client,
            functions=[noop_local, slow_local],
            mode="audio",
            realtime_url=standin.url,
            env={},
            on_audio=probe.on_audio,
            on_event=probe.on_event,
            on_tool_call=probe.on_tool_call,
        )
        async with agent:
            # warm-up: threads, connections, caches
            await audio_round(
                agent, probe, 20, [_call("warm_l", "noop_local", {}), _call("warm_b", "echo", {})]
            )
            await direct_batch(client, 20)
            # What docs/agent.md advises a long audio session: freeze the start-up heap, or each
            # full collection walks it (about 112,000 objects: 15-40 ms with audio stalled).
            gc.freeze()

            audio: dict[str, list[dict[str, float]]] = {"idle": [], "loaded": []}
            for index in range(settings.rounds):
                order = ["idle", "loaded"] if index % 2 == 0 else ["loaded", "idle"]
                for kind in order:
                    calls = []
                    if kind == "loaded":
                        calls = [_call(f"slow{index}_l{i}", "slow_local", {}) for i in range(10)]
                        calls += [
                            _call(f"slow{index}_b{i}", "slow_echo", {"value": {"ms": SLOW_S * 1000}})
                            for i in range(10)
                        ]
                    lateness = await audio_round(agent, probe, settings.audio_deltas, calls)
                    audio[kind].append(
                        {"p50": _pct(lateness, 0.5), "p99": _pct(lateness, 0.99), "max": max(lateness)}
                    )

            cells: dict[str, dict[str, list[float]]] = {}
            for size in (1, 20):
                for kind in ("local", "backend", "direct"):
                    cells[f"{kind}@{size}"] = {"values": []}
            for index in range(settings.rounds):
                for size in (1, 20):
                    batches = max(1, settings.calls // size)
                    for batch in range(batches):
                        tag = f"r{index}s{size}b{batch}"
                        local = await turnaround_batch(agent, probe, f"{tag}l", "noop_local", {}, size)
                        remote = await turnaround_batch(agent, probe, f"{tag}b", "echo", {"value": 1}, size)
                        direct = await direct_batch(client, size)
                        cells[f"local@{size}"]["values"] += local
                        cells[f"backend@{size}"]["values"] += remote
                        cells[f"direct@{size}"]["values"] += direct
    turnaround = {}
    for size in (1, 20):
        local = cells[f"local@{size}"]["values"]
        remote = cells[f"backend@{size}"]["values"]
        direct = cells[f"direct@{size}"]["values"]
        turnaround[str(size)] = {"local_overhead_ms": _summary(local), **_backend_cells(remote, direct)}
    return {"audio": audio, "turnaround": turnaround}


async def run_aiohttp_backend(settings: Settings, backend_url: str, standin: Standin) -> dict[str, Any]:
    """(b) for the backend function again, the agent and the direct calls on
    ``navai.DefaultAioHttpClient`` (httpx2 on aiohttp), which the client docs recommend for
    many calls in flight: with httpx2's own pool, 20 calls at once keep the event loop busy
    for about 0.6 ms each, and everything else the loop does waits behind them."""
    probe = Probe()
    http = navai.DefaultAioHttpClient()
    try:
        async with AsyncNavaiBackendClient(backend_url, http_client=http) as client:
            agent = NavaiVoiceAgent(
                client,
                functions=[noop_local],
                mode="audio",
                realtime_url=standin.url,
                env={},
                on_event=probe.on_event,
                on_tool_call=probe.on_tool_call,
            )
            async with agent:
                await turnaround_batch(agent, probe, "warm", "echo", {"value": 1}, 20)
                await direct_batch(client, 20)
                values: dict[str, dict[str, list[float]]] = {"1": {}, "20": {}}
                for size in (1, 20):
                    values[str(size)] = {"remote": [], "direct": []}
                for index in range(settings.rounds):
                    for size in (1, 20):
                        for batch in range(max(1, settings.calls // size)):
                            tag = f"a{index}s{size}b{batch}"
                            values[str(size)]["remote"] += await turnaround_batch(
                                agent, probe, tag, "echo", {"value": 1}, size
                            )
                            values[str(size)]["direct"] += await direct_batch(client, size)
    finally:
        await http.aclose()
    return {key: _backend_cells(cell["remote"], cell["direct"]) for key, cell in values.items()}


async def run_floor(settings: Settings, standin: Standin) -> dict[str, Any]:
    """The floor of (b) on this machine: a bare websockets client against the same stand-in
    that answers each call as soon as it reads it (no runtime, no thread, one
    ``function_call_output`` frame per call and one ``response.create`` per batch)."""
    from websockets.asyncio.client import connect

    values: dict[str, list[float]] = {"1": [], "20": []}
    async with connect(standin.url, max_size=None) as websocket:
        await websocket.recv()  # session.created

        async def batch(prefix: str, size: int) -> list[float]:
            calls = [_call(f"{prefix}_{i}", "noop_local", {}) for i in range(size)]
            await websocket.send(json.dumps({"type": "bench.calls", "calls": calls}))
            answered = 0
            while answered < size:
                event = json.loads(await websocket.recv(decode=False))
                if event.get("type") == "response.function_call_arguments.done":
                    answered += 1
                    output = json.dumps({"ok": True, "result": noop_local(json.loads(event["arguments"]))})
                    item = {"type": "function_call_output", "call_id": event["call_id"], "output": output}
                    await websocket.send(json.dumps({"type": "conversation.item.create", "item": item}))
            await websocket.send(json.dumps({"type": "response.create"}))
            await asyncio.sleep(0.005)
            await websocket.send(json.dumps({"type": "bench.report"}))
            while (report := json.loads(await websocket.recv()))["type"] != "bench.report":
                pass
            return [ns / 1e6 for ns in report["turnaround_ns"].values()]

        await batch("warm", 20)
        for index in range(settings.rounds):
            for size in (1, 20):
                for number in range(max(1, settings.calls // size)):
                    values[str(size)] += await batch(f"f{index}s{size}b{number}", size)
    return {size: _summary(v) for size, v in values.items()}


async def _timed(step: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await step()
    return (time.perf_counter() - start) * 1000


async def run_start(settings: Settings, backend: DelayedBackend, standin: Standin) -> dict[str, Any]:
    from openai import AsyncOpenAI

    times: dict[str, list[float]] = {"agent": [], "sequential": [], "list": [], "mint": [], "connect": []}
    async with AsyncNavaiBackendClient(backend.url) as client:
        secret = (await client.create_client_secret()).value

        async def connect(key: str) -> None:
            sdk = AsyncOpenAI(api_key=key, websocket_base_url=standin.url, max_retries=0)
            connection = await sdk.realtime.connect(model="gpt-realtime").enter()
            await connection.send({"type": "session.update", "session": {"type": "realtime"}})
            await connection.close()

        async def agent_start() -> None:
            agent = NavaiVoiceAgent(client, mode="text", realtime_url=standin.url, env={})
            await agent.start()
            await agent.close()

        async def sequential() -> None:
            await client.list_functions()
            key = (await client.create_client_secret()).value
            await connect(key)

        for index in range(settings.start_rounds + 1):
            steps: dict[str, Callable[[], Awaitable[Any]]] = {
                "agent": agent_start,
                "sequential": sequential,
                "list": client.list_functions,
                "mint": client.create_client_secret,
                "connect": lambda: connect(secret),
            }
            names = list(steps)
            turn = index % len(names)
            for name in names[turn:] + names[:turn]:
                elapsed = await _timed(steps[name])
                if index:  # round 0 warms up
                    times[name].append(elapsed)
    medians = {name: statistics.median(values) for name, values in times.items()}
    bound = max(medians["list"], medians["mint"]) + medians["connect"]
    return {"runs_ms": times, "median_ms": medians, "bound_ms": bound}


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    audio = results["session"]["audio"]
    diffs = [loaded["p99"] - idle["p99"] for idle, loaded in zip(audio["idle"], audio["loaded"], strict=True)]
    goals = [
        {
            "goal": "(a) audio p99 lateness with 20 slow tool calls within 5 ms of idle",
            "value": statistics.median(diffs),
            "unit": "ms",
            "rounds": diffs,
            "pass": statistics.median(diffs) <= 5.0,
        }
    ]
    for size, cell in results["session"]["turnaround"].items():
        local = cell["local_overhead_ms"]["p99"]
        goals.append(
            {
                "goal": f"(b) local tool-call overhead p99 < 2 ms, {size} at once",
                "value": local,
                "unit": "ms",
                "pass": local < 2.0,
            }
        )
        for client, cells in (
            ("httpx2's pool", results["session"]["turnaround"]),
            ("DefaultAioHttpClient", results["session"]["turnaround_aiohttp"]),
        ):
            remote = cells[size]["backend_overhead_p99_ms"]
            goals.append(
                {
                    "goal": f"(b) backend tool-call overhead p99 < 2 ms, {size} at once, {client}",
                    "value": remote,
                    "unit": "ms",
                    "pass": remote < 2.0,
                }
            )
    start = results["start"]
    ratio = start["median_ms"]["agent"] / start["bound_ms"]
    goals.append(
        {
            "goal": "(c) start <= 1.1x (slower of list and mint + connect)",
            "value": ratio,
            "unit": "x",
            "pass": ratio <= 1.1,
        }
    )
    return goals


def render(results: dict[str, Any], goals: list[dict[str, Any]]) -> str:
    audio = results["session"]["audio"]
    lines = [
        f"| (a) audio delta lateness, ms (delta every {INTERVAL_MS:g} ms) | p50 | p99 | max |",
        "|---|---:|---:|---:|",
    ]
    for kind, label in (("idle", "no tool calls"), ("loaded", "20 slow tool calls running")):
        p50 = statistics.median(r["p50"] for r in audio[kind])
        p99 = statistics.median(r["p99"] for r in audio[kind])
        top = max(r["max"] for r in audio[kind])
        lines.append(f"| {label} | {p50:.2f} | {p99:.2f} | {top:.2f} |")
    lines += [
        "",
        "| (b) tool-call turnaround, ms | 1 at once: p50 / p99 | 20 at once: p50 / p99 |",
        "|---|---:|---:|",
    ]
    cells = results["session"]["turnaround"]

    def pair(key: str, size: str) -> str:
        return f"{cells[size][key]['p50']:.2f} / {cells[size][key]['p99']:.2f}"

    lines.append(f"| local function: turnaround minus its own time | {pair('local_overhead_ms', '1')} | "
                 f"{pair('local_overhead_ms', '20')} |")  # fmt: skip
    floor = results["session"]["floor"]
    lines.append(
        f"| floor: a bare websockets client answering as it reads (no runtime, no thread) | "
        f"{floor['1']['p50']:.2f} / {floor['1']['p99']:.2f} | "
        f"{floor['20']['p50']:.2f} / {floor['20']['p99']:.2f} |"
    )
    lines.append(f"| backend function (navai serve): turnaround | {pair('backend_turnaround_ms', '1')} | "
                 f"{pair('backend_turnaround_ms', '20')} |")  # fmt: skip
    lines.append(f"| the same call made directly (`execute_function`) | {pair('backend_direct_ms', '1')} | "
                 f"{pair('backend_direct_ms', '20')} |")  # fmt: skip
    lines.append(
        f"| backend overhead (turnaround - direct) | {cells['1']['backend_overhead_p50_ms']:.2f} / "
        f"{cells['1']['backend_overhead_p99_ms']:.2f} | {cells['20']['backend_overhead_p50_ms']:.2f} / "
        f"{cells['20']['backend_overhead_p99_ms']:.2f} |"
    )
    cells = results["session"]["turnaround_aiohttp"]
    lines.append(f"| backend function, `DefaultAioHttpClient`: turnaround | "
                 f"{pair('backend_turnaround_ms', '1')} | "
                 f"{pair('backend_turnaround_ms', '20')} |")  # fmt: skip
    lines.append(f"| the same call made directly, `DefaultAioHttpClient` | "
                 f"{pair('backend_direct_ms', '1')} | {pair('backend_direct_ms', '20')} |")  # fmt: skip
    lines.append(
        f"| backend overhead, `DefaultAioHttpClient` | {cells['1']['backend_overhead_p50_ms']:.2f} / "
        f"{cells['1']['backend_overhead_p99_ms']:.2f} | {cells['20']['backend_overhead_p50_ms']:.2f} / "
        f"{cells['20']['backend_overhead_p99_ms']:.2f} |"
    )
    start = results["start"]["median_ms"]
    lines += [
        "",
        f"| (c) session start, ms (list {LIST_DELAY_MS:g}, mint {MINT_DELAY_MS:g}, "
        f"handshake {CONNECT_DELAY_MS:g}), medians | ms | ratio to the bound |",
        "|---|---:|---:|",
    ]
    bound = results["start"]["bound_ms"]
    for key, label in (
        ("agent", "`NavaiVoiceAgent.start()` (list while minting, then connect)"),
        ("sequential", "the TypeScript hooks' order (list, mint, connect)"),
        ("list", "list alone"),
        ("mint", "mint alone"),
        ("connect", "connect + session.update alone"),
    ):
        lines.append(f"| {label} | {start[key]:.1f} | {start[key] / bound:.2f}x |")
    lines.append(f"| bound: slower of list and mint + connect | {bound:.1f} | 1.00x |")
    lines += ["", "| goal | measured | |", "|---|---:|---|"]
    for goal in goals:
        value = f"{goal['value']:.2f} {goal['unit']}" if goal["unit"] == "ms" else f"{goal['value']:.2f}x"
        lines.append(f"| {goal['goal']} | {value} | {'PASS' if goal['pass'] else 'FAIL'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="NavaiVoiceAgent under load, on loopback stand-ins.")
    parser.add_argument("--smoke", action="store_true", help="one short round of everything")
    parser.add_argument("--out", type=Path, default=BENCH_DIR)
    args = parser.parse_args()
    settings = (
        Settings(rounds=1, audio_deltas=40, calls=20, start_rounds=1, out=args.out, smoke=True)
        if args.smoke
        else Settings(rounds=5, audio_deltas=300, calls=100, start_rounds=7, out=args.out, smoke=False)
    )
    started = time.monotonic()
    backend = PyBackend.start(env_overrides={"NAVAI_CORS_ORIGIN": None})
    standin = Standin()
    try:
        session = asyncio.run(run_session(settings, backend.url, standin))
        session["turnaround_aiohttp"] = asyncio.run(run_aiohttp_backend(settings, backend.url, standin))
        session["floor"] = asyncio.run(run_floor(settings, standin))
    finally:
        standin.stop()
        backend.stop()
    delayed = DelayedBackend()
    slow_standin = Standin(CONNECT_DELAY_MS)
    try:
        start = asyncio.run(run_start(settings, delayed, slow_standin))
    finally:
        slow_standin.stop()
        delayed.stop()
    results: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}",
            "cores": os.cpu_count(),
        },
        "settings": {
            "rounds": settings.rounds,
            "audio_deltas": settings.audio_deltas,
            "calls_per_cell_per_round": settings.calls,
            "start_rounds": settings.start_rounds,
            "smoke": settings.smoke,
        },
        "session": session,
        "start": start,
    }
    goals = evaluate(results)
    results["goals"] = goals
    results["table_markdown"] = render(results, goals)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "agent-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(results["table_markdown"])
    print(f"\nbench-agent: wrote {args.out / 'agent-results.json'} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
