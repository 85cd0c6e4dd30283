"""Where navai spends a call: profiles against the real backend on loopback.

    python bench/profile.py                 # navai's default clients (`make bench-profile`)
    python bench/profile.py --path httpx    # navai given an httpx client (its httpx path)

Starts the test backend (``tests/backend_harness.py``), warms up, then profiles, in this
process, (1) ``NavaiBackendClient.execute_function`` called sequentially and (2)
``AsyncNavaiBackendClient.execute_function`` with 50 calls in flight, with pyinstrument
(cProfile when pyinstrument is not installed). Writes ``profile-sync.txt`` and
``profile-async.txt`` (``profile-sync-httpx.txt`` ... with ``--path httpx``) next to this
file: the share of time per layer (navai's fast path and facade, httpx/httpcore/h11, json,
asyncio, socket syscalls, ...), the top functions by self time, and the call tree.
Loopback only; bounded in calls.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# This file is named like the stdlib's `profile`, which cProfile imports: keep bench/ off the path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT / "tests"))

from backend_harness import Backend  # noqa: E402

FUNCTION = "echo"
PAYLOAD = {"value": {"n": 1}}
ASYNC_CONCURRENCY = 50

# (category, substrings of a frame's file path), first match wins.
_PATH_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("benchmark loop (bench/)", ("/bench/",)),
    ("navai fast path (_fast, _fast_async, _http11)", ("/navai/_fast", "/navai/_http11")),
    ("navai facade", ("/navai/",)),
    ("httpx", ("/httpx/",)),
    ("httpcore + h11", ("/httpcore/", "/h11/")),
    ("anyio / sniffio", ("/anyio/", "/sniffio/")),
    ("aiohttp (+ yarl, multidict)", ("/aiohttp/", "/yarl/", "/multidict/", "/propcache/", "/aiosignal/")),
    ("asyncio event loop", ("/asyncio/", "/selectors.py")),
    ("json", ("/json/",)),
    ("http.client + email header parsing", ("/http/client.py", "/email/")),
    ("attrs", ("/attr/", "/attrs/")),
    ("logging", ("/logging/",)),
    ("socket/ssl (Python side)", ("/socket.py", "/ssl.py")),
    ("urllib.parse", ("/urllib/",)),
    ("typing / abc / enum", ("/typing.py", "/abc.py", "/enum.py")),
]
_SYSCALL_WORDS = ("socket", "select", "epoll", "recv", "send", "sock_", "poll")
SYSCALLS = "socket send/recv + select/epoll (C; includes waiting for the backend)"


def _category(file_path: str | None, identifier: str, parent: str) -> str:
    if file_path and not file_path.startswith("<"):
        for name, needles in _PATH_CATEGORIES:
            if any(needle in file_path for needle in needles):
                return name
        return "other Python"
    if any(word in identifier.lower() for word in _SYSCALL_WORDS):
        return SYSCALLS
    return parent  # a C function: its caller's layer (json's scanner -> json, ...)


# -- pyinstrument ---------------------------------------------------------------------


def _walk(
    frame: Any, parent: Any, parent_category: str, out: dict[str, float], funcs: dict[str, float]
) -> None:
    owner = parent if frame.is_synthetic and parent is not None else frame  # "[self]" -> its function
    category = (
        parent_category if owner is parent else _category(frame.file_path, frame.identifier, parent_category)
    )
    children = list(frame.children)
    self_time = frame.time - sum(child.time for child in children)
    if self_time > 0:
        out[category] += self_time
        where = owner.file_path_short or "<C>"
        funcs[f"{owner.function}  ({where}:{owner.line_no or ''})  [{category}]"] += self_time
    for child in children:
        _walk(child, owner, category, out, funcs)


def profile_with_pyinstrument(run: Callable[[], None], title: str) -> str:
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer

    profiler = Profiler(interval=0.0002, async_mode="disabled")
    started = time.perf_counter()
    profiler.start()
    run()
    session = profiler.stop()
    wall = time.perf_counter() - started
    root = session.root_frame()
    categories: dict[str, float] = collections.defaultdict(float)
    functions: dict[str, float] = collections.defaultdict(float)
    if root is not None:
        _walk(root, None, "other Python", categories, functions)
    tree = ConsoleRenderer(unicode=True, color=False, show_all=False, short_mode=False).render(session)
    cpu = getattr(session, "cpu_time", None)
    tool = "pyinstrument" + (f"; process CPU time {cpu:.2f} s" if cpu else "")
    return _report(title, tool, wall, categories, functions, _first_lines(tree, 140))


# -- cProfile (fallback) --------------------------------------------------------------


def profile_with_cprofile(run: Callable[[], None], title: str) -> str:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(run)
    wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    categories: dict[str, float] = collections.defaultdict(float)
    functions: dict[str, float] = collections.defaultdict(float)
    for (file_path, line, name), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        # cProfile names C functions with file "~"; it does not say which layer called them.
        category = _category(
            "<built-in>" if file_path == "~" else file_path, name, "C built-ins (caller unknown)"
        )
        categories[category] += tottime
        functions[f"{name}  ({file_path}:{line})  [{category}]"] += tottime
    listing = io.StringIO()
    pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(40)
    return _report(title, "cProfile", wall, categories, functions, listing.getvalue())


# -- report ---------------------------------------------------------------------------


def _first_lines(text: str, limit: int) -> str:
    lines = text.splitlines()
    return "\n".join(
        lines[:limit] + ([f"... ({len(lines) - limit} more lines)"] if len(lines) > limit else [])
    )


def _report(
    title: str,
    tool: str,
    wall: float,
    categories: dict[str, float],
    functions: dict[str, float],
    tree: str,
) -> str:
    total = sum(categories.values()) or 1.0
    out = [title, f"profiler: {tool}; {wall:.2f} s wall under the profiler", "", "Time by layer (self time):"]
    for name, seconds in sorted(categories.items(), key=lambda item: -item[1]):
        out.append(f"  {100 * seconds / total:5.1f} %  {name}")
    out += ["", "Top functions by self time:"]
    for name, seconds in sorted(functions.items(), key=lambda item: -item[1])[:30]:
        out.append(f"  {100 * seconds / total:5.1f} %  {name}")
    out += ["", "Call tree:", tree]
    return "\n".join(out) + "\n"


# -- workloads ------------------------------------------------------------------------


def sync_workload(url: str, calls: int, path: str) -> tuple[Callable[[], None], Callable[[], None]]:
    import navai

    http_client = None
    if path == "httpx":
        import httpx

        http_client = httpx.Client()
    client = navai.NavaiBackendClient(url, http_client=http_client)
    for _ in range(200):
        client.execute_function(FUNCTION, PAYLOAD)

    def run() -> None:
        for _ in range(calls):
            client.execute_function(FUNCTION, PAYLOAD)

    def close() -> None:
        client.close()
        if http_client is not None:
            http_client.close()

    return run, close


def async_workload(url: str, calls: int, path: str) -> Callable[[], None]:
    import navai

    async def drive(client: Any, total: int) -> None:
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await client.execute_function(FUNCTION, PAYLOAD)

        await asyncio.gather(*(worker() for _ in range(ASYNC_CONCURRENCY)))

    state: dict[str, Any] = {}

    async def setup() -> None:
        http_client = None
        if path == "httpx":
            import httpx

            http_client = httpx.AsyncClient()
        state["http"] = http_client
        state["client"] = navai.AsyncNavaiBackendClient(url, http_client=http_client)
        await drive(state["client"], 200)

    async def teardown() -> None:
        await state["client"].aclose()
        if state["http"] is not None:
            await state["http"].aclose()

    loop = asyncio.new_event_loop()
    loop.run_until_complete(setup())

    def run() -> None:
        try:
            loop.run_until_complete(drive(state["client"], calls))
        finally:
            loop.run_until_complete(teardown())
            loop.close()

    return run


def _profiler(tool: str) -> Callable[[Callable[[], None], str], str]:
    if tool == "cprofile":
        return profile_with_cprofile
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return profile_with_cprofile
    return profile_with_pyinstrument


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=3000, help="calls per profile (default 3000)")
    parser.add_argument("--path", choices=("default", "httpx"), default="default")
    parser.add_argument("--out", type=Path, default=BENCH_DIR)
    parser.add_argument("--tool", choices=("pyinstrument", "cprofile"), default="pyinstrument")
    args = parser.parse_args(list(argv) if argv is not None else None)
    suffix = "" if args.path == "default" else "-httpx"
    profile = _profiler(args.tool)
    args.out.mkdir(parents=True, exist_ok=True)
    with Backend.start() as backend:
        what = "navai's default client" if args.path == "default" else "navai with an httpx client"
        run, close = sync_workload(backend.url, args.calls, args.path)
        try:
            sync_text = profile(
                run, f"{what}: {args.calls} sequential execute_function calls ({backend.url})"
            )
        finally:
            close()
        run_async = async_workload(backend.url, args.calls, args.path)
        async_text = profile(
            run_async,
            f"{what} (async): {args.calls} execute_function calls, "
            f"{ASYNC_CONCURRENCY} in flight ({backend.url})",
        )
    for name, text in ((f"profile-sync{suffix}.txt", sync_text), (f"profile-async{suffix}.txt", async_text)):
        (args.out / name).write_text(text)
        head = text.split("\nTop functions", 1)[0]
        print(head, "\n", sep="")
        print(f"wrote {args.out / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
