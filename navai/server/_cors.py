"""CORS as NAVAI's playground server applies it, on Starlette's ``CORSMiddleware``.

The rules: a request without ``Origin`` (or from the server's own origin) is served as
it is; ``http(s)://localhost`` and ``http(s)://127.0.0.1`` on any port are allowed with
no configuration; ``NAVAI_CORS_ORIGIN`` (``--cors-origin``) lists more origins, and
``*`` among them allows every origin. Allowed origins get Starlette's answers: the
origin echoed, ``Vary: Origin``, preflights with the allowed methods and the requested
headers echoed. Any other origin is refused before the app runs: ``403`` with a JSON
error naming the origin and the variable that allows it (the playground answers 500
there; 403 is what a refused origin is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from .._extras import needs_extra
from ._encode import dumps

with needs_extra("server", "navai.server"):
    from starlette.datastructures import Headers
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CORS_ENV",
    "CORSPolicy",
    "NavaiCORSMiddleware",
    "add_cors_headers",
    "cors_origins_from_env",
    "cors_summary",
    "parse_cors_origins",
]

CORS_ENV = "NAVAI_CORS_ORIGIN"
CORS_METHODS = ("GET", "HEAD", "POST")
_LOCAL_ORIGIN = r"(?i:https?://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?)"
_JSON = "application/json; charset=utf-8"


def parse_cors_origins(values: str | Iterable[str]) -> list[str]:
    """Comma-separated origins (one string, or several), trimmed, empty ones dropped."""
    texts = [values] if isinstance(values, str) else list(values)
    return [origin.strip() for text in texts for origin in text.split(",") if origin.strip()]


def cors_origins_from_env(env: Mapping[str, str]) -> list[str]:
    """The origins ``NAVAI_CORS_ORIGIN`` lists (none when unset)."""
    return parse_cors_origins(env.get(CORS_ENV, ""))


def _json(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps({"error": message}), status_code=status, media_type=_JSON, headers=headers)


class _PlaygroundCORS(CORSMiddleware):
    """Starlette's middleware, with a refused preflight explained in JSON, not plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        method = request_headers["access-control-request-method"]
        if method in self.allow_methods:
            reason = bytes(response.body).decode()  # e.g. "Disallowed CORS private-network"
        else:
            reason = f"method {method} is not allowed (allowed: {', '.join(self.allow_methods)})"
        kept = {k: v for k, v in response.headers.items() if k.startswith(("access-control-", "vary"))}
        return _json(400, f"CORS preflight refused: {reason}.", kept)


_Decision = tuple[bytes, bytes] | Literal["same-origin", "refused"]


class CORSPolicy:
    """The rules for one app: which origins may call it, and what each request gets.

    ``origins`` are the extra allowed origins (``*`` allows all). Requests without
    ``Origin``, or whose ``Origin`` names the host they were sent to (a same-origin
    ``POST`` carries one too), skip CORS altogether. Origin decisions and preflight
    answers are Starlette's ``CORSMiddleware``'s; navai's own routes ask `decide` and
    write the headers into their responses, which spares every call a middleware layer
    and a wrapped ``send`` (about 2 µs, a third of what CORS cost a call).
    """

    def __init__(self, origins: Sequence[str] = ()) -> None:
        self.origins = tuple(origins)
        allow_all = self._allow_all = "*" in self.origins
        self._decided: dict[tuple[bytes, bytes | None], _Decision] = {}
        self.starlette = _PlaygroundCORS(
            _no_app,
            allow_origins=["*"] if allow_all else self.origins,
            allow_origin_regex=None if allow_all else _LOCAL_ORIGIN,
            allow_methods=CORS_METHODS,
            allow_headers=["*"],
        )

    def is_allowed(self, origin: str) -> bool:
        """Whether ``origin`` may call this backend from a browser (Starlette's rule)."""
        return self.starlette.is_allowed_origin(origin)

    def _decision(self, origin: bytes, host: bytes | None) -> _Decision:
        """For a request from ``origin`` to ``host``: ``"same-origin"`` (no CORS),
        ``"refused"``, or the ``Access-Control-Allow-Origin`` header. Remembered for the few
        pairs a deployment sees (at most 256, so hostile ones cannot grow it)."""
        key = (origin, host)
        decision = self._decided.get(key)
        if decision is None:
            if host is not None and _same_origin(origin, host):
                decision = "same-origin"
            elif self.starlette.is_allowed_origin(origin.decode("latin-1")):
                decision = _ALLOW_ALL if self._allow_all else (_ALLOW_ORIGIN, origin)
            else:
                decision = "refused"
            if len(self._decided) < 256:
                self._decided[key] = decision
        return decision

    def summary(self) -> str:
        """One line for the start-up log: which origins a browser may call from."""
        return cors_summary(self.origins)

    def decide(self, scope: Scope) -> Response | tuple[bytes, bytes] | None:
        """What the HTTP request ``scope`` gets: None, no CORS (no ``Origin``, or the server's
        own); a `Response` to send instead of the app's (a refused origin, a preflight); or
        the ``Access-Control-Allow-Origin`` header to add to the app's response."""
        origin = host = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"host":
                host = value
        if origin is None:
            return None
        allow = self._decision(origin, host)
        if allow == "same-origin":
            return None
        if allow == "refused":
            return self._refuse(origin.decode("latin-1"))
        if scope["method"] == "OPTIONS" and _asks_preflight(scope):
            return self.starlette.preflight_response(Headers(scope=scope))
        return allow

    @staticmethod
    def _refuse(origin: str) -> Response:
        shown = origin if len(origin) <= 200 else f"{origin[:200]}..."
        return _json(
            403,
            f"CORS blocked for origin: {shown}. Allow it with {CORS_ENV} (comma-separated origins, "
            "or * for any) or navai serve --cors-origin.",
            {"Vary": "Origin"},
        )


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("CORSPolicy answers preflights itself; it wraps no app")


class NavaiCORSMiddleware:
    """`CORSPolicy` as ASGI middleware, for any app: refuses origins the playground would
    refuse, answers preflights, and adds the headers to every other answer to an allowed
    origin. (``create_navai_app`` applies the policy in its own routes instead.)"""

    def __init__(self, app: ASGIApp, origins: Sequence[str] = ()) -> None:
        self.app = app
        self.policy = CORSPolicy(origins)
        self.origins = self.policy.origins

    def is_allowed(self, origin: str) -> bool:
        """Whether ``origin`` may call the app from a browser."""
        return self.policy.is_allowed(origin)

    def summary(self) -> str:
        """One line for the start-up log: which origins a browser may call from."""
        return self.policy.summary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        decision = self.policy.decide(scope) if scope["type"] == "http" else None
        if decision is None:
            await self.app(scope, receive, send)
        elif isinstance(decision, Response):
            await decision(scope, receive, send)
        else:
            await self.app(scope, receive, _with_cors_headers(send, decision))


_ALLOW_ORIGIN = b"access-control-allow-origin"
_ALLOW_ALL = (_ALLOW_ORIGIN, b"*")
_VARY = (b"vary", b"Origin")
_OURS = (b"access-control-allow-origin", b"vary")


def _asks_preflight(scope: Scope) -> bool:
    return any(name == b"access-control-request-method" for name, _ in scope["headers"])


def add_cors_headers(raw: list[tuple[bytes, bytes]], allow: tuple[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    """``raw`` (a response's header list) with the headers Starlette's ``CORSMiddleware``
    gives a simple response from an allowed origin: ``Access-Control-Allow-Origin``, and
    ``Origin`` added to ``Vary``. Extended in place when it has neither (the usual case)."""
    for name, _ in raw:
        if name.lower() in _OURS:
            vary = [value for name, value in raw if name.lower() == b"vary"]
            kept = [(name, value) for name, value in raw if name.lower() not in _OURS]
            return [*kept, allow, (b"vary", b", ".join([*vary, b"Origin"]))]
    raw += (allow, _VARY)
    return raw


def _with_cors_headers(send: Send, allow: tuple[bytes, bytes]) -> Send:
    """``send`` with `add_cors_headers` applied to the response start, straight on the raw
    header list (Starlette's own wrapper builds a ``MutableHeaders`` per response, about
    15 µs a call)."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = add_cors_headers(list(message.get("headers") or []), allow)
        await send(message)

    return send_with_cors


def cors_summary(origins: Sequence[str] | None) -> str:
    """Which origins a browser may call from (``None``: CORS is off)."""
    if origins is None:
        return "CORS: off (browsers on other origins cannot read answers)"
    if "*" in origins:
        return "CORS: every origin allowed"
    extra = "".join(f", {origin}" for origin in origins)
    return f"CORS: localhost and 127.0.0.1 origins allowed{extra}"


def _same_origin(origin: bytes, host: bytes) -> bool:
    _, sep, rest = origin.partition(b"://")
    return bool(sep) and rest.lower() == host.lower()
