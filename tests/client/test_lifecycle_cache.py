"""Secret refresh before expiry and the cached function catalog, sync and async."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import navai
from tests.support.drivers import Driver, Recorder


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def minting_backend(ttl: float | None, clock: Clock, fail_first: int = 0) -> Recorder:
    """Mints ``ek_1``, ``ek_2``, ... expiring ``ttl`` seconds after the clock's now (or never saying)."""
    count = {"n": 0, "fail": fail_first}

    def respond(request: httpx2.Request) -> httpx2.Response:
        if count["fail"]:
            count["fail"] -= 1
            return httpx2.Response(500, json={"error": "mint failed"})
        count["n"] += 1
        body: dict[str, Any] = {"value": f"ek_{count['n']}"}
        if ttl is not None:
            body["expires_at"] = int(clock.now + ttl)
        return httpx2.Response(200, json=body)

    return Recorder(respond)


def get(driver: Driver, provider: Any) -> navai.ClientSecret:
    if driver.is_async:
        return driver._runner.run(provider.get())  # type: ignore[union-attr]
    return provider.get()  # type: ignore[no-any-return]


def test_secret_is_reused_until_the_margin_then_refreshed(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = minting_backend(ttl=600, clock=clock)
    client = make_driver(backend)
    provider = client.client.secret_provider(refresh_margin=30, voice="marin")
    provider._clock = clock

    first = get(client, provider)
    assert first.value == "ek_1"
    clock.now += 569
    assert get(client, provider).value == "ek_1"
    clock.now += 2  # 29 s left: inside the margin
    assert get(client, provider).value == "ek_2"
    assert len(backend.requests) == 2
    assert provider.mint_count == 2
    assert [r.content for r in backend.requests] == [b'{"voice":"marin"}'] * 2


def test_secret_without_expiry_is_reused_for_max_age(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = minting_backend(ttl=None, clock=clock)
    client = make_driver(backend)
    provider = client.client.secret_provider(max_age=45)
    provider._clock = clock
    assert get(client, provider).value == "ek_1"
    clock.now += 44
    assert get(client, provider).value == "ek_1"
    clock.now += 1
    assert get(client, provider).value == "ek_2"


def test_a_short_lived_secret_is_used_for_half_its_life(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = minting_backend(ttl=20, clock=clock)
    client = make_driver(backend)
    provider = client.client.secret_provider(refresh_margin=30)
    provider._clock = clock
    assert get(client, provider).value == "ek_1"
    assert get(client, provider).value == "ek_1", (
        "a 20 s secret with a 30 s margin must not be re-minted at once"
    )
    clock.now += 11
    assert get(client, provider).value == "ek_2"


def test_errors_propagate_and_are_not_cached(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = minting_backend(ttl=600, clock=clock, fail_first=1)
    client = make_driver(backend)
    provider = client.client.secret_provider()
    provider._clock = clock
    with pytest.raises(navai.NavaiHTTPError, match="mint failed"):
        get(client, provider)
    assert provider.current is None
    assert get(client, provider).value == "ek_1"
    assert len(backend.requests) == 2


def test_invalidate_forces_a_new_secret(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    client = make_driver(minting_backend(ttl=600, clock=clock))
    provider = client.client.secret_provider()
    provider._clock = clock
    assert get(client, provider).value == "ek_1"
    provider.invalidate()
    assert get(client, provider).value == "ek_2"


def test_provider_repr_masks_the_secret(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    client = make_driver(minting_backend(ttl=600, clock=clock))
    provider = client.client.secret_provider(api_key="sk-test-abcdefghijkl")
    provider._clock = clock
    get(client, provider)
    assert "ek_1" not in repr(provider)
    assert "abcdefghijkl" not in repr(provider)
    assert "ek_***" in repr(provider)


@pytest.mark.parametrize(("option", "value"), [("refresh_margin", -1), ("max_age", 0), ("max_age", "60")])
def test_provider_options_are_checked(make_driver: Callable[..., Driver], option: str, value: object) -> None:
    client = make_driver(minting_backend(ttl=600, clock=Clock()))
    with pytest.raises(navai.NavaiInvalidRequestError, match=option):
        client.client.secret_provider(**{option: value})


def test_sync_provider_is_single_flight_across_threads() -> None:
    clock = Clock()
    gate = threading.Event()
    backend = minting_backend(ttl=600, clock=clock)

    def slow(request: httpx2.Request) -> httpx2.Response:
        gate.wait(5)
        return backend(request)

    with navai.NavaiBackendClient(
        env={}, http_client=httpx2.Client(transport=httpx2.MockTransport(slow))
    ) as client:
        provider = client.secret_provider()
        provider._clock = clock
        results: list[str] = []
        threads = [threading.Thread(target=lambda: results.append(provider.get().value)) for _ in range(100)]
        for thread in threads:
            thread.start()
        gate.set()
        for thread in threads:
            thread.join()
    assert results == ["ek_1"] * 100
    assert len(backend.requests) == 1


def test_async_provider_is_single_flight_near_expiry() -> None:
    clock = Clock()
    backend = minting_backend(ttl=600, clock=clock)

    async def slow(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(0.05)
        return backend(request)

    async def main() -> list[str]:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(slow))
        async with navai.AsyncNavaiBackendClient(env={}, http_client=http) as client:
            provider = client.secret_provider(refresh_margin=30)
            provider._clock = clock
            assert (await provider.get()).value == "ek_1"
            clock.now += 575  # near expiry: 25 s left
            secrets = await asyncio.gather(*(provider.get() for _ in range(100)))
        await http.aclose()
        return [s.value for s in secrets]

    assert asyncio.run(main()) == ["ek_2"] * 100
    assert len(backend.requests) == 2


# -- function catalog ---------------------------------------------------------------


def listing_backend(*answers: httpx2.Response | Exception) -> Recorder:
    queue = list(answers)

    def respond(request: httpx2.Request) -> httpx2.Response:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return httpx2.Response(answer.status_code, content=answer.content)

    return Recorder(respond)


def ok_listing(*names: str, warnings: tuple[str, ...] = ()) -> httpx2.Response:
    return httpx2.Response(200, json={"items": [{"name": n} for n in names], "warnings": list(warnings)})


def catalog_get(driver: Driver, catalog: Any, method: str = "get") -> navai.BackendFunctionsResult:
    result = getattr(catalog, method)()
    if driver.is_async:
        return driver._runner.run(result)  # type: ignore[union-attr, no-any-return]
    return result  # type: ignore[no-any-return]


def test_catalog_caches_for_its_ttl(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = listing_backend(ok_listing("a", warnings=("w",)), ok_listing("a", "b"))
    client = make_driver(backend)
    catalog = client.client.function_catalog(ttl=60)
    catalog._clock = clock
    assert catalog_get(client, catalog) == navai.BackendFunctionsResult([navai.BackendFunction("a")], ["w"])
    clock.now += 59
    assert catalog_get(client, catalog).names() == ["a"]
    assert len(backend.requests) == 1
    clock.now += 1
    assert catalog_get(client, catalog).names() == ["a", "b"]
    assert catalog.load_count == 2


def test_catalog_refresh_and_invalidate(make_driver: Callable[..., Driver]) -> None:
    backend = listing_backend(ok_listing("a"), ok_listing("b"), ok_listing("c"))
    client = make_driver(backend)
    catalog = client.client.function_catalog(ttl=3600)
    assert catalog_get(client, catalog).names() == ["a"]
    assert catalog_get(client, catalog, "refresh").names() == ["b"]
    assert catalog_get(client, catalog).names() == ["b"]
    catalog.invalidate()
    assert catalog_get(client, catalog).names() == ["c"]


def test_a_failed_load_is_not_cached(make_driver: Callable[..., Driver]) -> None:
    clock = Clock()
    backend = listing_backend(
        httpx2.Response(500, content=b"down"),
        ok_listing("a"),
        httpx2.Response(500, content=b"x"),
        ok_listing("b"),
    )
    client = make_driver(backend, max_retries=0)
    catalog = client.client.function_catalog(ttl=60)
    catalog._clock = clock
    assert catalog_get(client, catalog).warnings == ["[navai] Failed to load backend functions (500)."]
    assert catalog_get(client, catalog).names() == ["a"], (
        "the failure was not cached: the next get loads again"
    )
    clock.now += 60
    stale = catalog_get(client, catalog)
    assert stale.names() == ["a"], "a failed reload keeps the last good catalog"
    assert stale.warnings == ["[navai] Failed to load backend functions (500)."]
    assert catalog_get(client, catalog).names() == ["b"], "and the stale catalog is reloaded on the next get"
    assert len(backend.requests) == 4


def test_catalog_repr(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(listing_backend(ok_listing("a", "b")))
    catalog = client.client.function_catalog(ttl=10)
    catalog_get(client, catalog)
    assert repr(catalog).endswith("(ttl=10.0, cached_functions=2)")


def test_async_catalog_is_single_flight() -> None:
    backend = listing_backend(ok_listing("a"))

    async def slow(request: httpx2.Request) -> httpx2.Response:
        await asyncio.sleep(0.05)
        return backend(request)

    async def main() -> list[list[str]]:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(slow))
        catalog = navai.AsyncNavaiBackendClient(env={}, http_client=http).function_catalog()
        results = await asyncio.gather(*(catalog.get() for _ in range(50)))
        await http.aclose()
        return [r.names() for r in results]

    assert asyncio.run(main()) == [["a"]] * 50
    assert len(backend.requests) == 1
