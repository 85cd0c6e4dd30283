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

from .._extras import needs_extra
from ._encode import dumps

with needs_extra("server", "navai.server"):
    from starlette.datastructures import Headers
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CORS_ENV", "NavaiCORSMiddleware", "cors_origins_from_env", "cors_summary", "parse_cors_origins"]

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


class NavaiCORSMiddleware:
    """Refuses origins the playground would refuse; hands every other request on.

    ``origins`` are the extra allowed origins (``*`` allows all). Requests without
    ``Origin``, or whose ``Origin`` names the host they were sent to (a same-origin
    ``POST`` carries one too), skip CORS altogether.
    """

    def __init__(self, app: ASGIApp, origins: Sequence[str] = ()) -> None:
        self.app = app
        self.origins = tuple(origins)
        allow_all = self._allow_all = "*" in self.origins
        self._decided: dict[bytes, tuple[bytes, bytes] | None] = {}
        self.cors = _PlaygroundCORS(
            app,
            allow_origins=["*"] if allow_all else self.origins,
            allow_origin_regex=None if allow_all else _LOCAL_ORIGIN,
            allow_methods=CORS_METHODS,
            allow_headers=["*"],
        )

    def is_allowed(self, origin: str) -> bool:
        """Whether ``origin`` may call this backend from a browser (Starlette's rule, remembered
        for the few origins a deployment sees; at most 256, so hostile ones cannot grow it)."""
        return self._allow_header(origin.encode("latin-1")) is not None

    def _allow_header(self, origin: bytes) -> tuple[bytes, bytes] | None:
        """The ``Access-Control-Allow-Origin`` header for ``origin``, None when refused."""
        try:
            return self._decided[origin]
        except KeyError:
            pass
        allowed = self.cors.is_allowed_origin(origin.decode("latin-1"))
        header = (_ALLOW_ALL if self._allow_all else (_ALLOW_ORIGIN, origin)) if allowed else None
        if len(self._decided) < 256:
            self._decided[origin] = header
        return header

    def summary(self) -> str:
        """One line for the start-up log: which origins a browser may call from."""
        return cors_summary(self.origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = host = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"host":
                host = value
        if origin is None or (host is not None and _same_origin(origin, host)):
            await self.app(scope, receive, send)
            return
        allow = self._allow_header(origin)
        if allow is None:
            await self._refuse(origin.decode("latin-1"))(scope, receive, send)
        elif scope["method"] == "OPTIONS" and _asks_preflight(scope):
            await self.cors(scope, receive, send)  # preflights: Starlette's answer
        else:
            await self.app(scope, receive, _with_cors_headers(send, allow))

    @staticmethod
    def _refuse(origin: str) -> Response:
        shown = origin if len(origin) <= 200 else f"{origin[:200]}..."
        return _json(
            403,
            f"CORS blocked for origin: {shown}. Allow it with {CORS_ENV} (comma-separated origins, "
            "or * for any) or navai serve --cors-origin.",
            {"Vary": "Origin"},
        )


_ALLOW_ORIGIN = b"access-control-allow-origin"
_ALLOW_ALL = (_ALLOW_ORIGIN, b"*")
_VARY = (b"vary", b"Origin")
_OURS = (b"access-control-allow-origin", b"vary")


def _asks_preflight(scope: Scope) -> bool:
    return any(name == b"access-control-request-method" for name, _ in scope["headers"])


def _with_cors_headers(send: Send, allow: tuple[bytes, bytes]) -> Send:
    """``send`` giving a simple response from an allowed origin the headers Starlette's
    ``CORSMiddleware`` gives it (``Access-Control-Allow-Origin``, ``Origin`` added to
    ``Vary``), written straight into the raw header list: its own wrapper builds a
    ``MutableHeaders`` per response, about 15 µs a call (7 % of a loaded server's CPU)."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = message.get("headers") or []
            for name, _ in raw:
                if name.lower() in _OURS:
                    vary = [value for name, value in raw if name.lower() == b"vary"]
                    kept = [(name, value) for name, value in raw if name.lower() not in _OURS]
                    message["headers"] = [*kept, allow, (b"vary", b", ".join([*vary, b"Origin"]))]
                    break
            else:
                message["headers"] = [*raw, allow, _VARY]  # in place, as Starlette's wrapper does
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
