"""Run sync functions in worker threads, waking the event loop once per batch of results.

``loop.run_in_executor`` costs a future pair, callbacks and one loop wake-up (a write to
the loop's self-pipe) per call: about 40 µs of CPU, which every execute of a sync NAVAI
function pays. Here the workers take jobs from one queue and hand results back through a
per-loop list that one scheduled callback drains, so under load many results share a
wake-up: about 10 µs a call.

A Python thread cannot be stopped. When the caller of a running job gives up (its time
bound passed, its client left), the job keeps its thread until it returns: the thread is
*stuck*, no longer counted against ``workers``, so a fresh one takes its place, up to
``workers + max_stuck`` threads in all. Once every one of those is stuck, `ThreadHop.run`
refuses new jobs with `PoolSaturated` instead of queueing them behind threads that may
never come back.
A job whose caller gave up before a thread took it is dropped, never run.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

__all__ = ["PoolSaturated", "ThreadHop"]

_Result = tuple["asyncio.Future[Any]", Any, BaseException | None]
_QUEUED, _RUNNING, _DROPPED, _ABANDONED, _DONE = range(5)


class PoolSaturated(Exception):
    """Every thread a new job could get is stuck in a job whose caller gave up (HTTP 503)."""

    status = 503


class _Job:
    __slots__ = ("call", "context", "future", "loop", "state")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], call: Callable[[], Any]
    ) -> None:
        self.loop = loop
        self.future = future
        self.context = contextvars.copy_context()
        self.call = call
        self.state = _QUEUED


class ThreadHop:
    """At most ``workers`` busy threads (plus up to ``max_stuck`` stuck ones), started as needed.

    Shared by every event loop. ``max_stuck`` defaults to ``workers``.
    """

    def __init__(self, workers: int = 40, max_stuck: int | None = None) -> None:
        self._max = workers
        self._max_stuck = workers if max_stuck is None else max_stuck
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._idle = 0  # workers waiting for a job
        self._pending = 0  # jobs put and not taken yet
        self._stuck = 0  # threads running a job whose caller gave up
        self._results: dict[asyncio.AbstractEventLoop, list[_Result]] = {}

    @property
    def stuck(self) -> int:
        """Threads still running a job whose caller gave up."""
        return self._stuck

    async def run(self, call: Callable[[], Any]) -> Any:
        """``call()`` in a worker thread, with a copy of the caller's context; its result or error.

        Cancelling the awaiting task drops a job not started yet; a started one runs on in
        its (then stuck) thread. Raises `PoolSaturated` when every thread the pool may have is stuck.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        job = _Job(loop, future, call)
        with self._lock:
            if self._stuck >= self._max + self._max_stuck:
                raise PoolSaturated(
                    f"All {self._stuck} worker threads are held by function calls that did not "
                    "finish in time; try again later."
                )
            self._pending += 1
            start = (
                self._idle < self._pending
                and self._started - self._stuck < self._max
                and self._started < self._max + self._max_stuck
            )
            if start:
                self._started += 1
        self._jobs.put(job)
        if start:
            threading.Thread(target=self._work, name="navai-fn", daemon=True).start()
        try:
            return await future
        except asyncio.CancelledError:
            with self._lock:
                if job.state == _QUEUED:
                    job.state = _DROPPED
                elif job.state == _RUNNING:
                    job.state = _ABANDONED
                    self._stuck += 1
            raise

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            if not self._run_one(self._jobs.get()):
                return

    def _run_one(self, job: _Job) -> bool:
        """Run ``job`` and hand its outcome over; False when this thread must end.

        A method of its own so that nothing of the job (its payload, result or error)
        stays referenced by an idle thread's frame until its next job.
        """
        with self._lock:
            self._idle -= 1
            self._pending -= 1
            if job.state == _DROPPED:
                return True
            job.state = _RUNNING
        loop, future = job.loop, job.future
        try:
            result: _Result = (future, job.context.run(job.call), None)
        except BaseException as exc:  # handed to the awaiting coroutine, which raises it
            result = (future, None, exc)
        with self._lock:
            if job.state == _ABANDONED:
                self._stuck -= 1
                if self._started - self._stuck > self._max:
                    self._started -= 1  # a replacement took this thread's place
                    return False
                return True
            job.state = _DONE
            pending = self._results.setdefault(loop, [])
            pending.append(result)
            wake = len(pending) == 1
        if wake:
            try:
                loop.call_soon_threadsafe(self._deliver, loop)
            except RuntimeError:  # the loop closed while the function ran: nobody waits
                with self._lock:
                    self._results.pop(loop, None)
        return True

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            results = self._results.pop(loop, [])
        for future, value, error in results:
            if future.cancelled():
                continue
            if error is None:
                future.set_result(value)
            elif isinstance(
                error, StopIteration
            ):  # a future cannot hold one; a coroutine would convert it too
                future.set_exception(RuntimeError(f"function raised StopIteration: {error}"))
            else:
                future.set_exception(error)
