"""Sync functions run in worker threads: results, errors and context come back to the right loop."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from navai.functions._hop import ThreadHop

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def test_results_errors_and_context_come_back_and_the_loop_never_blocks() -> None:
    hop = ThreadHop(4)
    main = threading.get_ident()

    def work(n: int) -> tuple[int, str, bool]:
        time.sleep(0.01)
        return n * 2, REQUEST_ID.get(), threading.get_ident() != main

    def fail() -> None:
        raise ValueError("boom")

    def stop() -> None:
        raise StopIteration("odd")

    async def one(n: int) -> tuple[int, str, bool]:
        REQUEST_ID.set(f"r{n}")
        return await hop.run(lambda: work(n))

    async def main_loop() -> None:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        clock = asyncio.ensure_future(ticker())
        results = await asyncio.gather(*(one(n) for n in range(40)))
        clock.cancel()
        assert results == [(n * 2, f"r{n}", True) for n in range(40)]
        assert ticks > 20, "the event loop kept running while the functions slept in threads"
        with pytest.raises(ValueError, match="boom"):
            await hop.run(fail)
        with pytest.raises(RuntimeError, match="StopIteration"):
            await hop.run(stop)

    asyncio.run(main_loop())
    asyncio.run(main_loop())  # a second event loop is served by the same workers


def test_a_cancelled_caller_does_not_break_the_workers() -> None:
    hop = ThreadHop(1)

    async def main_loop() -> None:
        slow = asyncio.ensure_future(hop.run(lambda: time.sleep(0.05)))
        await asyncio.sleep(0.01)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await hop.run(lambda: "next") == "next"

    asyncio.run(main_loop())


def test_idle_workers_are_not_counted_twice_for_a_burst() -> None:
    """Ten blocking calls at once after an earlier call left one idle worker still run side by side."""
    hop = ThreadHop(10)

    async def main_loop() -> float:
        await hop.run(lambda: None)  # one worker now waits for jobs
        started = time.perf_counter()
        await asyncio.gather(*(hop.run(lambda: time.sleep(0.2)) for _ in range(10)))
        return time.perf_counter() - started

    assert asyncio.run(main_loop()) < 1.0
