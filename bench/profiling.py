"""Where navai's own time goes over the raw httpx2 stack: profiles against the real backend on loopback.

    python -m bench.profiling                  # `make bench-profile`
    python -m bench.profiling --calls 1000     # quicker
    python -m bench.profiling --tool cprofile  # without pyinstrument

Starts the test backend (``tests/support/backend_harness.py``) and, in this process, compares each
navai client with the raw stack it sends through, using the very contenders of
``bench/worker.py`` (same construction, same pool limit, same response check):

- ``profile-sync.txt``: ``NavaiBackendClient`` against a plain ``httpx2.Client``, sequential;
- ``profile-async.txt``: ``AsyncNavaiBackendClient`` (stock httpx2) against a plain
  ``httpx2.AsyncClient``, 50 calls in flight;
- ``profile-async-aiohttp.txt``: ``AsyncNavaiBackendClient`` on ``navai.DefaultAioHttpClient()``
  against a plain ``Httpx2AiohttpClient``, 50 calls in flight.

Each file starts with navai's overhead measured without a profiler (wall and CPU time per
call of navai and of the raw client, in alternating runs, medians), then, from one
pyinstrument (or cProfile) run of each: self time per call by layer side by side (navai
facade ``navai/``, generated layer ``navai_api/``, httpx2, httpcore2 + h11, aiohttp, asyncio,
json, socket syscalls, ...), navai's own functions (``navai/`` and ``navai_api/`` frames, with
the C functions they call directly) by self and total time per call, the top functions of the
navai run, and its call tree with library frames folded. Loopback only; bounded in calls.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import io
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import worker
from tests.support.backend_harness import Backend

BENCH_DIR = Path(__file__).resolve().parent

FUNCTION = "echo"
PAYLOAD = {"value": {"n": 1}}
ASYNC_CONCURRENCY = 50
WARMUP_CALLS = 200

# (category, substrings of a frame's file path), first match wins.
NAVAI = "navai facade (navai/)"
GENERATED = "generated layer (navai_api/)"
_PATH_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("benchmark loop (bench/)", ("/bench/",)),
    (GENERATED, ("/navai_api/",)),
    (NAVAI, ("/navai/",)),
    ("httpx-aiohttp transport", ("/httpx_aiohttp/",)),
    ("httpx2", ("/httpx2/",)),
    ("httpcore2 + h11", ("/httpcore2/", "/h11/")),
    ("anyio / sniffio", ("/anyio/", "/sniffio/")),
    ("aiohttp (+ yarl, multidict, propcache)", ("/aiohttp/", "/yarl/", "/multidict/", "/propcache/",
                                                "/aiosignal/", "/frozenlist/", "/aiohappyeyeballs/")),
    ("asyncio event loop", ("/asyncio/", "/selectors.py")),
    ("json", ("/json/",)),
    ("attrs", ("/attr/", "/attrs/")),
    ("contextlib", ("/contextlib.py",)),
    ("http.cookiejar / email / http.client", ("/http/", "/email/")),
    ("ssl / certifi", ("/ssl.py", "/certifi/")),
    ("logging", ("/logging/",)),
    ("socket (Python side)", ("/socket.py",)),
    ("urllib.parse / idna", ("/urllib/", "/idna/", "/encodings/")),
    ("typing / abc / enum / dataclasses", ("/typing.py", "/abc.py", "/enum.py", "/dataclasses.py")),
]  # fmt: skip
_SYSCALL_WORDS = ("socket", "select", "epoll", "recv", "send", "sock_", "poll")
SYSCALLS = "socket send/recv + select/epoll (C; includes waiting for the backend)"
OWN = (NAVAI, GENERATED)


def _category(file_path: str | None, identifier: str, parent: str) -> str:
    if file_path and not file_path.startswith("<"):
        for name, needles in _PATH_CATEGORIES:
            if any(needle in file_path for needle in needles):
                return name
        return "other Python"
    if any(word in identifier.lower() for word in _SYSCALL_WORDS):
        return SYSCALLS
    return parent  # a C function: its caller's layer (json's scanner -> json, ...)


# -- profiles -------------------------------------------------------------------------


@dataclass
class Profile:
    tool: str
    calls: int
    wall: float
    cpu: float | None
    categories: dict[str, float] = field(default_factory=lambda: collections.defaultdict(float))
    # "function  (file:line)  [category]" -> self seconds (incl. the C functions it calls directly)
    functions: dict[str, float] = field(default_factory=lambda: collections.defaultdict(float))
    own_self: dict[str, float] = field(default_factory=lambda: collections.defaultdict(float))
    own_total: dict[str, float] = field(default_factory=lambda: collections.defaultdict(float))
    tree: str = ""


def _walk(frame: Any, parent: Any, parent_category: str, py_owner: Any, on_stack: frozenset[str],
          out: Profile) -> None:  # fmt: skip
    owner = parent if frame.is_synthetic and parent is not None else frame  # "[self]" -> its function
    category = (
        parent_category if owner is parent else _category(frame.file_path, frame.identifier, parent_category)
    )
    is_python = bool(owner.file_path) and not owner.file_path.startswith("<")
    if is_python:
        py_owner = owner
    children = list(frame.children)
    self_time = frame.time - sum(child.time for child in children)
    key = f"{owner.function}  ({owner.file_path_short or '<C>'}:{owner.line_no or ''})"
    if self_time > 0:
        out.categories[category] += self_time
        out.functions[f"{key}  [{category}]"] += self_time
        # navai's own: its Python frames plus the C calls they make directly (not syscalls).
        if py_owner is not None and category != SYSCALLS:
            owner_category = _category(py_owner.file_path, py_owner.identifier, "")
            if owner_category in OWN:
                own_key = f"{py_owner.function}  ({py_owner.file_path_short}:{py_owner.line_no})"
                out.own_self[own_key] += self_time
    if owner is frame and is_python and category in OWN and key not in on_stack:
        own_key = f"{frame.function}  ({frame.file_path_short}:{frame.line_no})"
        out.own_total[own_key] += frame.time
        on_stack = on_stack | {key}
    for child in children:
        _walk(child, owner, category, py_owner, on_stack, out)


def profile_with_pyinstrument(run: Callable[[], None], calls: int, interval: float) -> Profile:
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer

    profiler = Profiler(interval=interval, async_mode="disabled")
    started = time.perf_counter()
    profiler.start()
    run()
    session = profiler.stop()
    wall = time.perf_counter() - started
    cpu = getattr(session, "cpu_time", None)
    result = Profile(tool=f"pyinstrument, every {interval * 1000:g} ms", calls=calls, wall=wall, cpu=cpu)
    root = session.root_frame()
    if root is not None:
        _walk(root, None, "other Python", None, frozenset(), result)
    # Library frames (site-packages, the stdlib) folded into one line each, navai/ and
    # navai_api/ always shown; frames under 0.3 % of the time left out.
    renderer = ConsoleRenderer(
        unicode=True,
        color=False,
        show_all=False,
        short_mode=False,
        processor_options={
            "show_regex": r".*/(navai|navai_api)/.*",
            "hide_regex": r".*/(site-packages|lib/python3\.\d+)/.*",
            "filter_threshold": 0.003,
        },
    )
    result.tree = _first_lines(renderer.render(session), 160)
    return result


def profile_with_cprofile(run: Callable[[], None], calls: int, interval: float) -> Profile:
    del interval  # cProfile is deterministic
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(run)
    wall = time.perf_counter() - started
    result = Profile(tool="cProfile", calls=calls, wall=wall, cpu=None)
    stats = pstats.Stats(profiler)
    for (file_path, line, name), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        # cProfile names C functions with file "~"; it does not say which layer called them.
        category = _category(
            "<built-in>" if file_path == "~" else file_path, name, "C built-ins (caller unknown)"
        )
        result.categories[category] += tottime
        result.functions[f"{name}  ({file_path}:{line})  [{category}]"] += tottime
        if category in OWN:
            result.own_self[f"{name}  ({file_path}:{line})"] += tottime
            result.own_total[f"{name}  ({file_path}:{line})"] += cumtime
    listing = io.StringIO()
    pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(r"navai")
    result.tree = _first_lines(listing.getvalue(), 160)
    return result


def _profiler(tool: str) -> Callable[[Callable[[], None], int, float], Profile]:
    if tool == "cprofile":
        return profile_with_cprofile
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return profile_with_cprofile
    return profile_with_pyinstrument


# -- workloads ------------------------------------------------------------------------


@dataclass
class Timing:
    wall_us: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)


@dataclass
class Comparison:
    title: str
    navai: str  # worker contender ids
    raw: str
    timings: dict[str, Timing]
    profiles: dict[str, Profile]
    overhead_calls: int
    overhead_runs: int


def _timed(run: Callable[[], None], calls: int, timing: Timing) -> None:
    cpu0, t0 = time.process_time(), time.perf_counter()
    run()
    timing.wall_us.append((time.perf_counter() - t0) / calls * 1e6)
    timing.cpu_us.append((time.process_time() - cpu0) / calls * 1e6)


def compare_sync(url: str, args: argparse.Namespace, title: str) -> Comparison:
    profile = _profiler(args.tool)
    contenders = ("navai-sync", "httpx2-sync")
    clients = {c: worker._sync_call(c, url, FUNCTION, PAYLOAD) for c in contenders}
    try:

        def batch(contender: str, calls: int) -> Callable[[], None]:
            call = clients[contender][0]

            def run() -> None:
                for _ in range(calls):
                    call()

            return run

        for contender in contenders:
            batch(contender, WARMUP_CALLS)()
        timings = {c: Timing() for c in contenders}
        for index in range(args.overhead_runs):
            for contender in contenders if index % 2 == 0 else contenders[::-1]:
                _timed(batch(contender, args.overhead_calls), args.overhead_calls, timings[contender])
        profiles = {c: profile(batch(c, args.calls), args.calls, args.interval) for c in contenders}
    finally:
        for _, close in clients.values():
            close()
    return Comparison(title, *contenders, timings, profiles, args.overhead_calls, args.overhead_runs)


def compare_async(url: str, args: argparse.Namespace, contenders: tuple[str, str], title: str) -> Comparison:
    profile = _profiler(args.tool)
    loop = asyncio.new_event_loop()
    clients: dict[str, tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]] = {}
    try:
        for contender in contenders:
            made = worker._async_call(contender, url, FUNCTION, PAYLOAD)
            clients[contender] = loop.run_until_complete(made)

        def batch(contender: str, calls: int) -> Callable[[], None]:
            call = clients[contender][0]

            def run() -> None:
                done = loop.run_until_complete(worker._drive(call, calls, ASYNC_CONCURRENCY, float("inf")))
                assert done == calls, (done, calls)

            return run

        for contender in contenders:
            batch(contender, max(WARMUP_CALLS, 2 * ASYNC_CONCURRENCY))()
        timings = {c: Timing() for c in contenders}
        for index in range(args.overhead_runs):
            for contender in contenders if index % 2 == 0 else contenders[::-1]:
                _timed(batch(contender, args.overhead_calls), args.overhead_calls, timings[contender])
        profiles = {c: profile(batch(c, args.calls), args.calls, args.interval) for c in contenders}
    finally:
        for _, close in clients.values():
            loop.run_until_complete(close())
        loop.close()
    return Comparison(title, *contenders, timings, profiles, args.overhead_calls, args.overhead_runs)


# -- report ---------------------------------------------------------------------------

LABELS = {
    "navai-sync": "navai sync (NavaiBackendClient)",
    "httpx2-sync": "raw httpx2.Client",
    "navai-async": "navai async (AsyncNavaiBackendClient, stock httpx2)",
    "httpx2-async": "raw httpx2.AsyncClient",
    "navai-aiohttp": "navai async on DefaultAioHttpClient",
    "httpx2-aiohttp": "raw Httpx2AiohttpClient",
}


def _first_lines(text: str, limit: int) -> str:
    lines = text.splitlines()
    return "\n".join(
        lines[:limit] + ([f"... ({len(lines) - limit} more lines)"] if len(lines) > limit else [])
    )


def _versions() -> str:
    from importlib.metadata import version

    found = []
    for dist in ("navai", "httpx2", "httpcore2", "h11", "httpx-aiohttp", "aiohttp", "pyinstrument"):
        with contextlib.suppress(Exception):
            found.append(f"{dist} {version(dist)}")
    return f"Python {platform.python_version()}; " + ", ".join(found)


def _took(profile: Profile) -> str:
    return f"{profile.wall:.2f} s wall" + ("" if profile.cpu is None else f", {profile.cpu:.2f} s CPU")


def report(comparison: Comparison) -> str:
    navai, raw = comparison.navai, comparison.raw
    width = max(len(LABELS[navai]), len(LABELS[raw]), 24)
    t_navai, t_raw = comparison.timings[navai], comparison.timings[raw]
    wall_n, wall_r = statistics.median(t_navai.wall_us), statistics.median(t_raw.wall_us)
    cpu_n, cpu_r = statistics.median(t_navai.cpu_us), statistics.median(t_raw.cpu_us)
    out = [
        comparison.title,
        _versions(),
        "",
        f"Per call without a profiler (median of {comparison.overhead_runs} alternating runs of "
        f"{comparison.overhead_calls} calls each):",
        f"  {'':<{width}}  {'wall µs/call':>12}  {'CPU µs/call':>12}  {'calls/s':>9}",
    ]
    for contender, wall, cpu in ((navai, wall_n, cpu_n), (raw, wall_r, cpu_r)):
        out.append(f"  {LABELS[contender]:<{width}}  {wall:12.1f}  {cpu:12.1f}  {1e6 / wall:9.0f}")
    out.append(
        f"  {'navai over raw':<{width}}  {wall_n - wall_r:+12.1f}  {cpu_n - cpu_r:+12.1f}  "
        f"{wall_r / wall_n:8.2f}x"
    )
    out.append(
        f"  (wall runs, µs/call: navai {', '.join(f'{v:.0f}' for v in t_navai.wall_us)}; "
        f"raw {', '.join(f'{v:.0f}' for v in t_raw.wall_us)})"
    )

    p_navai, p_raw = comparison.profiles[navai], comparison.profiles[raw]
    out += [
        "",
        f"Under the profiler ({p_navai.tool}; {p_navai.calls} calls each; navai {_took(p_navai)}, "
        f"raw {_took(p_raw)}):",
        "self time per call by layer, µs (sampled wall time; the profiler slows everything down):",
        f"  {'layer':<58}  {'navai':>8}  {'raw':>8}  {'diff':>8}",
    ]
    layers = sorted(
        set(p_navai.categories) | set(p_raw.categories),
        key=lambda name: -(p_navai.categories.get(name, 0.0) + p_raw.categories.get(name, 0.0)),
    )
    total_n = total_r = 0.0
    for layer in layers:
        a = p_navai.categories.get(layer, 0.0) / p_navai.calls * 1e6
        b = p_raw.categories.get(layer, 0.0) / p_raw.calls * 1e6
        total_n, total_r = total_n + a, total_r + b
        if a >= 0.05 or b >= 0.05:
            out.append(f"  {layer[:58]:<58}  {a:8.1f}  {b:8.1f}  {a - b:+8.1f}")
    out.append(f"  {'total':<58}  {total_n:8.1f}  {total_r:8.1f}  {total_n - total_r:+8.1f}")

    out += [
        "",
        "navai's own functions (navai/ and navai_api/ frames) in the navai run, µs per call:",
        "  self = the function's own Python time plus the C functions it calls directly (no syscalls);",
        "  total = everything under it (httpx2 included), counted once per call stack.",
        f"  {'self':>7}  {'total':>7}  function",
    ]
    names = sorted(
        set(p_navai.own_self) | set(p_navai.own_total), key=lambda name: -p_navai.own_self.get(name, 0.0)
    )
    for name in names[:30]:
        own = p_navai.own_self.get(name, 0.0) / p_navai.calls * 1e6
        total = p_navai.own_total.get(name, 0.0) / p_navai.calls * 1e6
        out.append(f"  {own:7.1f}  {total:7.1f}  {name}")
    own_sum = sum(p_navai.own_self.values()) / p_navai.calls * 1e6
    out.append(f"  {own_sum:7.1f}           (sum of self: navai's own code per call)")

    out += ["", "Top functions by self time (navai run), µs per call:"]
    for name, seconds in sorted(p_navai.functions.items(), key=lambda item: -item[1])[:30]:
        out.append(f"  {seconds / p_navai.calls * 1e6:7.1f}  {name}")
    out += ["", "Call tree (navai run; library frames folded, navai/ and navai_api/ shown):", p_navai.tree]
    return "\n".join(out) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=1500, help="calls per profile (default 1500)")
    parser.add_argument(
        "--interval", type=float, default=0.001, help="pyinstrument's sampling interval, s (0.001)"
    )
    parser.add_argument("--overhead-calls", type=int, default=300, help="calls per timed run (300)")
    parser.add_argument("--overhead-runs", type=int, default=9, help="timed runs of each client (9)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR)
    parser.add_argument("--tool", choices=("pyinstrument", "cprofile"), default="pyinstrument")
    args = parser.parse_args(list(argv) if argv is not None else None)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = f'execute_function("{FUNCTION}", {PAYLOAD})'
    texts = {}
    with Backend.start() as backend:
        texts["profile-sync.txt"] = report(
            compare_sync(
                backend.url, args, f"navai sync vs raw httpx2 sync: sequential {payload} ({backend.url})"
            )
        )
        texts["profile-async.txt"] = report(
            compare_async(
                backend.url,
                args,
                ("navai-async", "httpx2-async"),
                f"navai async (stock httpx2) vs raw httpx2.AsyncClient: {payload}, "
                f"{ASYNC_CONCURRENCY} in flight ({backend.url})",
            )
        )
        texts["profile-async-aiohttp.txt"] = report(
            compare_async(
                backend.url,
                args,
                ("navai-aiohttp", "httpx2-aiohttp"),
                f"navai async on DefaultAioHttpClient vs raw Httpx2AiohttpClient: {payload}, "
                f"{ASYNC_CONCURRENCY} in flight ({backend.url})",
            )
        )
    for name, text in texts.items():
        (args.out / name).write_text(text)
        print(text.split("\nnavai's own functions", 1)[0], "\n", sep="")
        print(f"wrote {args.out / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
