"""Built-in best practices: client secrets refreshed before they expire, a cached function catalog.

Each comes as a sync and an async class over one shared, I/O-free state object, so
the rules (when a secret is still good, when a listing may be cached) are written once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import attrs

from ._exceptions import NavaiInvalidRequestError
from ._models import BackendFunctionsResult, ClientSecret, CreateRealtimeClientSecretInput

if TYPE_CHECKING:
    import asyncio

Clock = Callable[[], float]


def _positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        raise NavaiInvalidRequestError(
            f"{name} must be a {'non-negative' if allow_zero else 'positive'} number."
        )
    return float(value)


@attrs.define
class _SecretSlot:
    """The current secret and when it was minted; decides whether it is still good to hand out."""

    refresh_margin: float
    max_age: float
    secret: ClientSecret | None = None
    minted_at: float = 0.0

    def usable(self, now: float) -> ClientSecret | None:
        secret = self.secret
        if secret is None:
            return None
        if secret.expires_at is None:
            return secret if now - self.minted_at < self.max_age else None
        # A secret minted with a lifetime shorter than twice the margin is still used for half its life.
        margin = min(self.refresh_margin, max(secret.expires_at - self.minted_at, 0.0) / 2)
        return secret if secret.expires_at - now > margin else None


class _SecretProviderBase:
    def __init__(
        self,
        input: CreateRealtimeClientSecretInput,
        *,
        refresh_margin: float,
        max_age: float,
        clock: Clock,
    ) -> None:
        self._input = input
        self._slot = _SecretSlot(
            _positive("refresh_margin", refresh_margin, allow_zero=True), _positive("max_age", max_age)
        )
        self._clock = clock
        self.mint_count = 0
        """How many secrets this provider has minted."""

    def _store(self, secret: ClientSecret, minted_at: float) -> ClientSecret:
        self._slot.secret, self._slot.minted_at = secret, minted_at
        self.mint_count += 1
        return secret

    @property
    def current(self) -> ClientSecret | None:
        """The secret ``get()`` would return without minting, or None."""
        return self._slot.usable(self._clock())

    def invalidate(self) -> None:
        """Forget the current secret (say, after the Realtime API rejected it)."""
        self._slot.secret = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(refresh_margin={self._slot.refresh_margin}, "
            f"max_age={self._slot.max_age}, current={self._slot.secret!r})"
        )


class SecretProvider(_SecretProviderBase):
    """Hands out a client secret valid for at least ``refresh_margin`` seconds, minting only when needed.

    Thread-safe and single-flight: concurrent callers near expiry share one request.
    A secret without ``expires_at`` is reused for ``max_age`` seconds. Errors propagate
    and are not cached: the next ``get()`` tries again.
    """

    def __init__(
        self,
        mint: Callable[[CreateRealtimeClientSecretInput], ClientSecret],
        input: CreateRealtimeClientSecretInput,
        *,
        refresh_margin: float = 30.0,
        max_age: float = 60.0,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(input, refresh_margin=refresh_margin, max_age=max_age, clock=clock)
        self._mint = mint
        self._lock = threading.Lock()

    def get(self) -> ClientSecret:
        secret = self._slot.usable(self._clock())
        if secret is not None:
            return secret
        with self._lock:
            secret = self._slot.usable(self._clock())
            if secret is not None:
                return secret
            minted_at = self._clock()
            return self._store(self._mint(self._input), minted_at)


class AsyncSecretProvider(_SecretProviderBase):
    """The asyncio twin of `SecretProvider`: ``await provider.get()``."""

    def __init__(
        self,
        mint: Callable[[CreateRealtimeClientSecretInput], Awaitable[ClientSecret]],
        input: CreateRealtimeClientSecretInput,
        *,
        refresh_margin: float = 30.0,
        max_age: float = 60.0,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(input, refresh_margin=refresh_margin, max_age=max_age, clock=clock)
        self._mint = mint
        import asyncio

        self._lock: asyncio.Lock = asyncio.Lock()

    async def get(self) -> ClientSecret:
        secret = self._slot.usable(self._clock())
        if secret is not None:
            return secret
        async with self._lock:
            secret = self._slot.usable(self._clock())
            if secret is not None:
                return secret
            minted_at = self._clock()
            return self._store(await self._mint(self._input), minted_at)


@attrs.define
class _CatalogSlot:
    """The last good listing and when it was loaded; failures never replace it."""

    ttl: float
    result: BackendFunctionsResult | None = None
    loaded_at: float = 0.0

    def fresh(self, now: float) -> BackendFunctionsResult | None:
        return self.result if self.result is not None and now - self.loaded_at < self.ttl else None

    def store(self, listing: BackendFunctionsResult, now: float) -> BackendFunctionsResult:
        if not listing.failed:
            self.result, self.loaded_at = listing, now
            return listing
        if self.result is None:
            return listing
        # Serve the last good catalog, say why it is stale, and try again on the next call.
        return BackendFunctionsResult(self.result.functions, [*self.result.warnings, *listing.warnings])


class _CatalogBase:
    def __init__(self, *, ttl: float, clock: Clock) -> None:
        self._slot = _CatalogSlot(_positive("ttl", ttl, allow_zero=True))
        self._clock = clock
        self.load_count = 0
        """How many times this catalog has asked the backend."""

    def invalidate(self) -> None:
        """Drop the cached listing; the next ``get()`` loads again."""
        self._slot.result = None

    def __repr__(self) -> str:
        cached = None if self._slot.result is None else len(self._slot.result.functions)
        return f"{type(self).__name__}(ttl={self._slot.ttl}, cached_functions={cached})"


class FunctionCatalog(_CatalogBase):
    """``list_functions`` cached for ``ttl`` seconds, single-flight.

    A failed load is never cached: with a previous good listing, that listing is
    returned with the failure appended to its warnings; without one, the failure is.
    """

    def __init__(
        self, load: Callable[[], BackendFunctionsResult], *, ttl: float = 300.0, clock: Clock = time.monotonic
    ) -> None:
        super().__init__(ttl=ttl, clock=clock)
        self._load = load
        self._lock = threading.Lock()

    def get(self) -> BackendFunctionsResult:
        result = self._slot.fresh(self._clock())
        if result is not None:
            return result
        with self._lock:
            result = self._slot.fresh(self._clock())
            return result if result is not None else self._refresh()

    def refresh(self) -> BackendFunctionsResult:
        """Load now, whatever the cache holds."""
        with self._lock:
            return self._refresh()

    def _refresh(self) -> BackendFunctionsResult:
        self.load_count += 1
        return self._slot.store(self._load(), self._clock())


class AsyncFunctionCatalog(_CatalogBase):
    """The asyncio twin of `FunctionCatalog`."""

    def __init__(
        self,
        load: Callable[[], Awaitable[BackendFunctionsResult]],
        *,
        ttl: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__(ttl=ttl, clock=clock)
        self._load = load
        import asyncio

        self._lock: asyncio.Lock = asyncio.Lock()

    async def get(self) -> BackendFunctionsResult:
        result = self._slot.fresh(self._clock())
        if result is not None:
            return result
        async with self._lock:
            result = self._slot.fresh(self._clock())
            return result if result is not None else await self._refresh()

    async def refresh(self) -> BackendFunctionsResult:
        """Load now, whatever the cache holds."""
        async with self._lock:
            return await self._refresh()

    async def _refresh(self) -> BackendFunctionsResult:
        self.load_count += 1
        return self._slot.store(await self._load(), self._clock())
