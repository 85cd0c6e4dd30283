"""No secret in cassettes/, and the scrubber that keeps it so works on every kind of secret."""

from __future__ import annotations

import re

import vcr.request
from recording import CASSETTES, SECRET_PLACEHOLDER, scrub_request, scrub_response

KEY = re.compile(r"sk-[A-Za-z0-9_-]{6,}")
MINTED = re.compile(r"ek_[A-Za-z0-9_]+")
AUTH_HEADER = re.compile(r"(?im)^\s*-?\s*(authorization|cookie|set-cookie|x-wp-nonce):")


def test_no_secret_in_any_cassette() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert not KEY.search(text), path.name
        assert set(MINTED.findall(text)) <= {SECRET_PLACEHOLDER}, path.name
        assert not AUTH_HEADER.search(text), path.name
        assert '"apiKey":"REDACTED"' in text or "apiKey" not in text, path.name


def test_scrubber_removes_each_kind_of_secret() -> None:
    request = vcr.request.Request(
        "POST",
        "http://backend.test/byok/navai/realtime/client-secret",
        b'{"apiKey":"sk-proj-abcdef123456","model":"m"}',
        {
            "Authorization": "Bearer tok-1",
            "Cookie": "s=1",
            "X-WP-Nonce": "n",
            "X-Api-Key": "k",
            "Accept": "x",
        },
    )
    scrubbed = scrub_request(request)
    assert scrubbed.body == b'{"apiKey":"REDACTED","model":"m"}'
    assert set(scrubbed.headers) == {"Accept"}

    body = b'{"value":"ek_68a1b2c3d4e5f6a7","expires_at":1,"error":"key sk-live-zyxwvu987654 rejected"}'
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": ["a=b"], "Content-Length": [str(len(body))], "Date": ["today"]},
        "body": {"string": body},
    }
    out = scrub_response(response)
    text = out["body"]["string"].decode()
    assert SECRET_PLACEHOLDER in text
    assert "68a1b2c3d4e5f6a7" not in text
    assert "zyxwvu987654" not in text
    assert not KEY.search(text)
    assert set(out["headers"]) == {"Content-Length"}
    assert out["headers"]["Content-Length"] == [str(len(out["body"]["string"]))]
