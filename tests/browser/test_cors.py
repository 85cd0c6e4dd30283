"""A web app on the published @navai/voice-frontend 0.1.7 backend client, in headless
Chromium, on a page from another loopback origin, against `navai serve` and against a
playground-like Express server (NAVAI's playground CORS rules), which shows that the
expectations are what NAVAI users already get.

Per backend kind: one process per CORS configuration and one browser launch for all of
its visits. A visit opens ``page.html`` under some origin; the page calls ``listFunctions``,
``executeFunction`` (``add``) and ``createClientSecret`` on one backend. Allowed origins
get real results (the backend's function list, the sum, a secret minted by the loopback
OpenAI stand-in); refused origins get what a browser makes of a CORS refusal. The
refusal and the preflights are also checked outside the browser with plain HTTP.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NoReturn

import pytest

from tests.support import skips
from tests.support.py_backend_harness import OpenAIStandIn, PyBackend, UpstreamRequest

from . import harness

NAVAI_SERVE: Final = "navai-serve"
PLAYGROUND: Final = "playground"
KINDS: Final = (NAVAI_SERVE, PLAYGROUND)
APP: Final = "app.navai.test"
EVIL: Final = "evil.navai.test"
FAILED_TO_FETCH: Final = "Failed to fetch"
_OPENER: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Visit:
    """One tab: ``page_host``'s page calls the ``config`` backend (reached as ``api_host``)."""

    id: str
    config: str
    page_host: str
    allowed: bool
    api_host: str = "127.0.0.1"
    kinds: tuple[str, ...] = KINDS


VISITS: Final = (
    # No configuration: loopback pages are allowed, non-local ones refused.
    Visit("default-localhost", "default", "localhost", True, api_host="localhost"),
    Visit("default-127", "default", "127.0.0.1", True),
    Visit("default-app", "default", APP, False),
    Visit("default-evil", "default", EVIL, False),
    # NAVAI_CORS_ORIGIN lists the app's origin: it is allowed, loopback still is, others are not.
    Visit("listed-env-app", "listed-env", APP, True),
    Visit("listed-env-localhost", "listed-env", "localhost", True),
    Visit("listed-env-evil", "listed-env", EVIL, False),
    # The same list given as navai serve's --cors-origin options.
    Visit("listed-cli-app", "listed-cli", APP, True, kinds=(NAVAI_SERVE,)),
    Visit("listed-cli-evil", "listed-cli", EVIL, False, kinds=(NAVAI_SERVE,)),
    # NAVAI_CORS_ORIGIN=*: the origin refused above is allowed.
    Visit("star-evil", "star", EVIL, True),
)
VISIT_BY_ID: Final = {visit.id: visit for visit in VISITS}


def _missing(reason: str) -> NoReturn:
    skips.missing(reason, "the browser suite's tools")


def fingerprint(secret: str) -> str:
    """FNV-1a (32 bit, hex) of a client secret, as ``page.html`` computes it.

    The page and the stand-in can then agree on which secret reached the browser
    without the secret itself reaching the test's output.
    """
    value = 0x811C9DC5
    for byte in secret.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


class MintingStandIn(OpenAIStandIn):
    """The OpenAI stand-in, keeping each request it minted a secret for with that secret's `fingerprint`."""

    def __init__(self) -> None:
        self.minted: list[tuple[UpstreamRequest, str]] = []
        super().__init__()

    def answer(self, request: UpstreamRequest) -> tuple[int, bytes]:
        status, payload = super().answer(request)
        if status == 200:
            self.minted.append((request, fingerprint(json.loads(payload)["value"])))
        return status, payload


@dataclass(frozen=True)
class Answer:
    """A plain HTTP answer (header names lower-case)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def tokens(self, name: str) -> list[str]:
        """A comma-separated header's items, stripped and lower-cased."""
        return [item.strip().lower() for item in self.headers.get(name, "").split(",") if item.strip()]


def request(
    method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None
) -> Answer:
    """One request with urllib (no proxy); HTTP error statuses are answers, not exceptions."""
    outgoing = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(outgoing, timeout=10) as response:
            return Answer(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@dataclass
class Suite:
    """One backend kind: its processes per configuration and what the browser saw."""

    kind: str
    page: harness.PageServer
    upstream: MintingStandIn
    key: str
    """The OpenAI key of every backend here (the stand-in accepts it)."""
    backends: dict[str, Any] = field(default_factory=dict)
    """configuration name -> running server (``.port``, ``.url``, ``.pid``)."""
    tags: dict[str, str] = field(default_factory=dict)
    operands: dict[str, tuple[int, int]] = field(default_factory=dict)
    results: dict[str, harness.VisitResult] = field(default_factory=dict)
    functions: dict[str, Any] = field(default_factory=dict)
    """``GET /navai/functions`` of the default backend, asked without an Origin."""

    def api(self, config: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.backends[config].port}"

    def minted_for(self, visit_id: str) -> list[tuple[UpstreamRequest, str]]:
        """The secrets the stand-in minted for requests carrying this visit's tag."""
        tag = self.tags[visit_id].encode()
        return [(item, mark) for item, mark in self.upstream.minted if tag in item.body]


def _configurations(kind: str, listed: str) -> dict[str, tuple[dict[str, str], list[str]]]:
    """configuration name -> (environment, extra ``navai serve`` arguments)."""
    configs: dict[str, tuple[dict[str, str], list[str]]] = {
        "default": ({}, []),
        "listed-env": ({"NAVAI_CORS_ORIGIN": listed}, []),
        # Entries are trimmed and empty ones dropped (checked over plain HTTP only).
        "listed-spaced": ({"NAVAI_CORS_ORIGIN": f" http://other.navai.test:9 , ,{listed} ,"}, []),
        "star": ({"NAVAI_CORS_ORIGIN": "*"}, []),
    }
    if kind == NAVAI_SERVE:
        # Repeated, and comma-separated within one option.
        other = "http://other.navai.test:9"
        configs["listed-cli"] = ({}, ["--cors-origin", other, "--cors-origin", f"{other}1,{listed}"])
    return configs


@pytest.fixture(scope="module")
def page() -> Iterator[harness.PageServer]:
    """npm packages installed, the frontend bundled, and the page served on 127.0.0.1."""
    reason = harness.missing_reason()
    if reason is not None:
        _missing(reason)
    harness.ensure_installed()
    server = harness.PageServer(harness.build_bundle())
    yield server
    server.stop()


class Suites:
    """Each backend kind's `Suite`, built on first use and kept for the module.

    Tests are parametrized with plain ``(kind, ...)`` values and ask here, so each kind
    starts its backends and its browser once (pytest would set an indirectly
    parametrized fixture up again for every test). A kind whose setup failed fails
    every later test of it at once, with the same error.
    """

    def __init__(self, page: harness.PageServer) -> None:
        self._page = page
        self._built: dict[str, Suite | BaseException] = {}
        self._running: list[Suite] = []

    def get(self, kind: str) -> Suite:
        if kind not in self._built:
            try:
                self._built[kind] = self._build(kind)
            except Exception as exc:
                self._built[kind] = exc
        built = self._built[kind]
        if isinstance(built, BaseException):
            raise RuntimeError(f"the {kind} suite could not be set up: {built}") from built
        return built

    def _build(self, kind: str) -> Suite:
        page = self._page
        key = "sk-test-" + secrets.token_hex(20)
        suite = Suite(kind, page, MintingStandIn(), key)
        self._running.append(suite)
        for config, (env, serve_args) in _configurations(kind, page.origin(APP)).items():
            if kind == NAVAI_SERVE:
                suite.backends[config] = PyBackend.start(
                    env_overrides=env, serve_args=serve_args, upstream=suite.upstream, openai_key=key
                )
            else:
                suite.backends[config] = harness.PlaygroundServer.start(suite.upstream, key, env)
        suite.functions = request_json("GET", suite.api("default") + "/navai/functions")
        urls = {}
        for visit in VISITS:
            if kind not in visit.kinds:
                continue
            suite.tags[visit.id] = f"navai-browser-suite {kind} {visit.id} {secrets.token_hex(6)}"
            a, b = secrets.randbelow(10_000), secrets.randbelow(10_000)
            suite.operands[visit.id] = (a, b)
            query = urllib.parse.urlencode(
                {"api": suite.api(visit.config, visit.api_host), "a": a, "b": b, "tag": suite.tags[visit.id]}
            )
            urls[visit.id] = f"{page.origin(visit.page_host)}/?{query}"
        suite.results = harness.run_browser(urls)
        return suite

    def stop(self) -> None:
        for suite in self._running:
            for backend in suite.backends.values():
                backend.stop()
            suite.upstream.stop()


@pytest.fixture(scope="module")
def suites(page: harness.PageServer) -> Iterator[Suites]:
    """Every backend kind's processes and browser run, stopped by pid when the module ends."""
    built = Suites(page)
    yield built
    built.stop()


def request_json(method: str, url: str) -> Any:
    answer = request(method, url)
    assert answer.status == 200, f"{method} {url}: {answer.status} {answer.body[:300]!r}"
    return answer.json()


def _visit_params(allowed: bool) -> list[Any]:
    return [
        pytest.param(kind, visit.id, id=f"{kind}-{visit.id}")
        for kind in KINDS
        for visit in VISITS
        if visit.allowed is allowed and kind in visit.kinds
    ]


def _result(suite: Suite, visit_id: str) -> tuple[Visit, dict[str, Any], harness.VisitResult]:
    visit = VISIT_BY_ID[visit_id]
    result = suite.results[visit_id]
    assert result.error is None, f"the page did not finish: {result.error}\n{result.console_text}"
    assert result.outcome is not None
    assert result.outcome["origin"] == suite.page.origin(visit.page_host)
    return visit, result.outcome, result


@pytest.mark.parametrize(("kind", "visit_id"), _visit_params(allowed=True))
def test_an_allowed_origin_gets_every_call_end_to_end(suites: Suites, kind: str, visit_id: str) -> None:
    suite = suites.get(kind)
    _visit, outcome, result = _result(suite, visit_id)
    expected_names = [item["name"] for item in suite.functions["items"]]
    assert "add" in expected_names
    assert outcome["listFunctions"] == {
        "ok": True,
        "names": expected_names,
        "warnings": suite.functions.get("warnings", []),
    }
    a, b = suite.operands[visit_id]
    assert outcome["executeFunction"] == {"ok": True, "result": a + b}

    minted = outcome["createClientSecret"]
    assert minted["ok"] is True, minted
    assert (minted["valuePrefix"], minted["valueLength"]) == ("ek_", 35)  # the stand-in's ek_ + 32
    assert isinstance(minted["expiresAt"], int)
    assert minted["expiresAt"] > time.time()
    assert minted["speech"] == {"provider": "openai"}
    minted_here = suite.minted_for(visit_id)
    assert len(minted_here) == 1, "exactly one client secret minted at the stand-in for this visit"
    upstream_call, minted_fingerprint = minted_here[0]
    assert minted["fingerprint"] == minted_fingerprint, "the page got another secret than the one minted"
    server_key = upstream_call.headers.get("authorization") == f"Bearer {suite.key}"
    assert server_key, "the client-secret call upstream did not carry the backend's key"

    errors = [item for item in result.console if item["type"] in ("error", "pageerror")]
    assert errors == [], result.console_text
    assert result.failed_requests == []


@pytest.mark.parametrize(("kind", "visit_id"), _visit_params(allowed=False))
def test_a_refused_origin_gets_nothing_in_the_browser(suites: Suites, kind: str, visit_id: str) -> None:
    suite = suites.get(kind)
    visit, outcome, result = _result(suite, visit_id)
    # listFunctions swallows the network error into a warning; the other two throw it.
    assert outcome["listFunctions"] == {
        "ok": True,
        "names": [],
        "warnings": [f"[navai] Failed to load backend functions: {FAILED_TO_FETCH}"],
    }
    assert outcome["executeFunction"] == {"ok": False, "error": FAILED_TO_FETCH}
    assert outcome["createClientSecret"] == {"ok": False, "error": FAILED_TO_FETCH}
    tag = suite.tags[visit_id].encode()
    reached = [item for item in suite.upstream.requests if tag in item.body]
    assert reached == [], "a refused origin's client-secret call reached OpenAI"

    api = suite.api(visit.config, visit.api_host)
    blocked = [item["text"] for item in result.console if "blocked by CORS policy" in item["text"]]
    for path in ("/navai/functions", "/navai/functions/execute", "/navai/realtime/client-secret"):
        assert any(f"{api}{path}'" in text for text in blocked), (path, result.console_text)
    assert {item["url"].split("?")[0] for item in result.failed_requests} >= {
        f"{api}/navai/functions",
        f"{api}/navai/functions/execute",
        f"{api}/navai/realtime/client-secret",
    }


def _assert_refusal(suite: Suite, answer: Answer, origin: str) -> None:
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers.get("content-type", "").startswith("application/json")
    body = answer.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("error"), str)
    if suite.kind == NAVAI_SERVE:
        assert answer.status == 403
        assert origin in body["error"]
        assert "NAVAI_CORS_ORIGIN" in body["error"]
    else:  # as NAVAI's playground server answers
        assert answer.status == 500
        assert body == {"error": f"CORS blocked for origin: {origin}"}


def _config_params(cases: list[tuple[str, str]]) -> list[Any]:
    """``(kind, config, host)`` for every kind that has ``config`` (the playground has no command line)."""
    return [
        pytest.param(kind, config, host, id=f"{kind}-{config}-{host}")
        for kind in KINDS
        for config, host in cases
        if config != "listed-cli" or kind == NAVAI_SERVE
    ]


REFUSAL_CASES: Final = [
    ("default", APP),
    ("default", EVIL),
    ("listed-env", EVIL),
    ("listed-spaced", EVIL),
    ("listed-cli", EVIL),
]


@pytest.mark.parametrize(("kind", "config", "host"), _config_params(REFUSAL_CASES))
def test_a_refused_origin_over_plain_http(suites: Suites, kind: str, config: str, host: str) -> None:
    suite = suites.get(kind)
    api = suite.api(config)
    origin = suite.page.origin(host)
    listing = request("GET", f"{api}/navai/functions", {"Origin": origin})
    _assert_refusal(suite, listing, origin)

    mark = suite.upstream.mark()
    body = json.dumps({"function_name": "add", "payload": {"args": [1, 2]}}).encode()
    json_headers = {"Origin": origin, "Content-Type": "application/json"}
    _assert_refusal(suite, request("POST", f"{api}/navai/functions/execute", json_headers, body), origin)
    _assert_refusal(
        suite, request("POST", f"{api}/navai/realtime/client-secret", json_headers, b"{}"), origin
    )
    assert suite.upstream.since(mark) == [], "a refused origin's POST reached OpenAI"
    preflight = request(
        "OPTIONS",
        f"{api}/navai/functions/execute",
        {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    _assert_refusal(suite, preflight, origin)

    # Without an Origin (curl, a server-side client) the same backend serves the call.
    assert request_json("GET", f"{api}/navai/functions") == suite.functions


PREFLIGHT_CASES: Final = [
    ("default", "localhost"),
    ("default", "127.0.0.1"),
    ("listed-env", APP),
    ("listed-spaced", APP),
    ("listed-cli", APP),
    ("star", EVIL),
]


@pytest.mark.parametrize(("kind", "config", "host"), _config_params(PREFLIGHT_CASES))
def test_a_preflight_from_an_allowed_origin(suites: Suites, kind: str, config: str, host: str) -> None:
    suite = suites.get(kind)
    origin = suite.page.origin(host)
    star = config == "star"
    for path in ("/navai/functions/execute", "/navai/realtime/client-secret"):
        answer = request(
            "OPTIONS",
            suite.api(config) + path,
            {
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert answer.status in (200, 204), (path, answer.status, answer.body[:300])
        allowed_origin = answer.headers.get("access-control-allow-origin")
        assert allowed_origin == origin or (star and allowed_origin == "*"), (path, allowed_origin)
        assert {"get", "post"} <= set(answer.tokens("access-control-allow-methods")), (path, answer.headers)
        assert "content-type" in answer.tokens("access-control-allow-headers"), (path, answer.headers)
        # Under "*" too: the playground echoes the origin, navai serve still varies on it.
        assert "origin" in answer.tokens("vary"), (path, answer.headers)

    simple = request("GET", suite.api(config) + "/navai/functions", {"Origin": origin})
    assert simple.status == 200
    assert simple.json() == suite.functions
    allowed_origin = simple.headers.get("access-control-allow-origin")
    assert allowed_origin == origin or (star and allowed_origin == "*")
    assert "origin" in simple.tokens("vary")


def test_a_missing_chromium_skips_outside_ci_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(harness, "node_missing_reason", lambda: None)
    reason = harness.missing_reason()
    assert reason is not None
    assert str(tmp_path / "chromium") in reason
    assert "apt-get install" in reason
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        _missing(reason)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI requires"):
        _missing(reason)
