"""How the fast paths follow redirects (navai._core.follow_redirect): as httpx2 follows them.

The real-socket cases (a 303 after a POST, a 300 that is an answer) are in test_fast_path.py.
"""

from __future__ import annotations

import httpx2
import pytest

import navai
from navai._core import MAX_REDIRECTS, Call, Options, Outcome, follow_redirect

TOKEN = "Bearer tok-7c1d"


def options() -> Options:
    headers = httpx2.Headers({"Authorization": TOKEN, "Content-Type": "application/json", "Host": "api.test"})
    return Options(headers, httpx2.Timeout(5.0), 0, None)


def redirected(status: int, location: str, method: str = "POST", url: str = "http://api.test/run") -> Outcome:
    return Outcome(Call(method, url, b"{}" if method == "POST" else None), status, b"", location=location)


@pytest.mark.parametrize(
    ("status", "method", "next_method", "keeps_body"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "GET", "GET", False),
        (303, "HEAD", "HEAD", False),
        (307, "POST", "POST", True),
        (308, "POST", "POST", True),
        (301, "GET", "GET", False),
    ],
)
def test_methods_and_bodies_follow_httpx(
    status: int, method: str, next_method: str, keeps_body: bool
) -> None:
    follow = follow_redirect(redirected(status, "/next", method), options(), 0)
    assert follow is not None
    call, _ = follow
    assert (call.method, call.url) == (next_method, "http://api.test/next")
    assert (call.content is not None) is keeps_body
    request = httpx2.Request(method, "http://api.test/run", content=b"{}" if method == "POST" else None)
    expected = httpx2.Client()._build_redirect_request(
        request, httpx2.Response(status, headers={"Location": "/next"})
    )
    assert (expected.method, str(expected.url)) == (call.method, call.url)


@pytest.mark.parametrize("status", [300, 304, 305, 200, 404])
def test_other_statuses_are_not_followed(status: int) -> None:
    assert follow_redirect(redirected(status, "/next"), options(), 0) is None
    assert follow_redirect(Outcome(Call("GET", "http://api.test/"), 302, b""), options(), 0) is None


def test_the_same_origin_keeps_every_header() -> None:
    follow = follow_redirect(redirected(307, "http://api.test:80/other?x=1"), options(), 0)
    assert follow is not None
    call, kept = follow
    assert call.url == "http://api.test/other?x=1"
    assert kept.headers["Authorization"] == TOKEN


@pytest.mark.parametrize(
    ("location", "keeps_authorization"),
    [
        ("http://elsewhere.test/run", False),
        ("http://api.test:8080/run", False),
        ("https://api.test/run", True),  # the same host moving to https, as httpx2 allows
        ("https://api.test:8443/run", False),
    ],
)
def test_leaving_the_origin_drops_authorization_and_the_callers_host(
    location: str, keeps_authorization: bool
) -> None:
    follow = follow_redirect(redirected(307, location), options(), 0)
    assert follow is not None
    call, moved = follow
    assert call.url == location
    assert ("Authorization" in moved.headers) is keeps_authorization
    assert "Host" not in moved.headers
    assert ("Authorization" in moved.wire_headers) is keeps_authorization


def test_too_many_redirects_and_other_schemes_are_connection_errors() -> None:
    with pytest.raises(navai.NavaiConnectionError, match="Exceeded maximum allowed redirects"):
        follow_redirect(redirected(307, "/again"), options(), MAX_REDIRECTS)
    with pytest.raises(navai.NavaiConnectionError, match="unsupported URL"):
        follow_redirect(redirected(307, "ftp://api.test/file"), options(), 0)
