"""No secret in cassettes/, and the scrubber that keeps it so works on every kind of secret.

The scanner (`recording.find_secrets`) looks for OpenAI-style keys (``sk-...``), minted
client secrets (``ek_...``) other than the placeholder, credential headers and an
``apiKey`` that is not ``REDACTED``. The scrubber is proven end to end: a synthetic
interaction carrying each kind of secret is recorded through the real vcrpy configuration
(sync and async httpx2 clients), and what lands on disk must be clean and still replay.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2
import pytest
import vcr.request
import yaml

from tests.support.recording import (
    API_KEY_PLACEHOLDER,
    CASSETTES,
    KINDS,
    REDACTED,
    REPLAY_URL,
    SECRET_PLACEHOLDER,
    find_secrets,
    make_vcr,
    scrub_request,
    scrub_response,
)

# Synthetic secrets, one of each kind the scrubber must remove.
API_KEY = "sk-proj-Abc123_def-456GHIjkl"  # an apiKey field in a request body
STRAY_KEY = "sk-live-zyxwvu987654"  # a key inside some other text, in a request or response body
MINTED = "ek_68a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5"  # a minted client secret in a response
BEARER = "Bearer tok-secret-bearer-1"
COOKIE = "session=cookie-secret-2"
NONCE = "nonce-secret-3"
HEADER_KEY = "hdr-key-secret-4"
HEADER_TOKEN = "hdr-token-secret-5"
QUERY_TOKEN = "query-token-secret-6"
SET_COOKIE = "sid=set-cookie-secret-7; HttpOnly"
RESPONSE_KEY = "resp-key-secret-8"
ALL_SECRETS = [
    API_KEY,
    STRAY_KEY,
    MINTED,
    BEARER,
    COOKIE,
    NONCE,
    HEADER_KEY,
    HEADER_TOKEN,
    QUERY_TOKEN,
    "set-cookie-secret-7",
    RESPONSE_KEY,
]
SENSITIVE_HEADER_WORDS = ("auth", "cookie", "nonce", "key", "token", "secret")


def _headers(interaction: dict[str, object], side: str) -> list[str]:
    part = interaction[side]
    assert isinstance(part, dict)
    return [str(name) for name in part.get("headers", {})]


def _check_clean(text: str) -> None:
    assert find_secrets(text) == []
    data = yaml.safe_load(text)
    assert data["interactions"], "a cassette without interactions"
    for interaction in data["interactions"]:
        for side in ("request", "response"):
            for name in _headers(interaction, side):
                assert not any(word in name.lower() for word in SENSITIVE_HEADER_WORDS), name
        assert interaction["request"]["uri"].startswith(REPLAY_URL + "/")
        body = interaction["request"]["body"]
        if body:
            data_sent = json.loads(body)
            if isinstance(data_sent, dict) and "apiKey" in data_sent:
                assert data_sent["apiKey"] == REDACTED


def test_no_secret_in_any_cassette() -> None:
    files = sorted(path for path in CASSETTES.rglob("*") if path.is_file())
    assert files
    for path in files:
        text = path.read_text("utf-8")
        try:
            _check_clean(text)
        except AssertionError as exc:
            raise AssertionError(f"{path.name}: {exc}") from exc


def test_the_byok_cassettes_did_send_an_api_key_and_it_is_redacted() -> None:
    """The scan above would pass vacuously if no cassette held an apiKey at all."""
    for path in sorted(CASSETTES.glob("*-secret-byok-valid-key.yaml")) + sorted(
        CASSETTES.glob("*-secret-upstream-failure.yaml")
    ):
        (interaction,) = yaml.safe_load(path.read_text("utf-8"))["interactions"]
        assert json.loads(interaction["request"]["body"])["apiKey"] == REDACTED, path.name
    minted = sorted(CASSETTES.glob("*-secret-default.yaml"))
    assert minted
    for path in minted:
        assert f'"value":"{SECRET_PLACEHOLDER}"' in path.read_text("utf-8"), path.name


@pytest.mark.parametrize(
    "text",
    [
        f'body: \'{{"note":"{STRAY_KEY}"}}\'',
        f'string: \'{{"value":"{MINTED}"}}\'',
        "    headers:\n      Authorization:\n      - Bearer x\n",
        "    headers:\n      authorization:\n      - Bearer x\n",
        "      Cookie:\n      - a=b\n",
        "      Set-Cookie:\n      - a=b\n",
        "      X-WP-Nonce:\n      - n\n",
        "      x-api-key:\n      - k\n",
        "      X-Auth-Token:\n      - t\n",
        'body: \'{"apiKey":"plain-text-key"}\'',
    ],
)
def test_the_scanner_sees_each_kind_of_secret(text: str) -> None:
    assert find_secrets(text), text


def test_the_scanner_accepts_the_placeholders() -> None:
    text = f'{{"value":"{SECRET_PLACEHOLDER}","apiKey":"{REDACTED}","error":"{API_KEY_PLACEHOLDER}0000"}}'
    assert find_secrets(text) == []


def _synthetic_backend(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(
        200,
        headers=[
            ("Set-Cookie", SET_COOKIE),
            ("X-Api-Key", RESPONSE_KEY),
            ("Date", "Tue, 24 Nov 2026 20:00:00 GMT"),
            ("Keep-Alive", "timeout=5"),
        ],
        json={"value": MINTED, "expires_at": 1, "error": f"key {STRAY_KEY} rejected"},
    )


SECRET_HEADERS = {
    "Authorization": BEARER,
    "Cookie": COOKIE,
    "X-WP-Nonce": NONCE,
    "X-Api-Key": HEADER_KEY,
    "X-Auth-Token": HEADER_TOKEN,
}


def _send(kind: str, base_url: str, api_key: str) -> httpx2.Response:
    url = f"{base_url}/byok/navai/realtime/client-secret"
    body = {"apiKey": api_key, "model": "gpt-realtime", "instructions": f"never say {STRAY_KEY}"}
    params = {"token": QUERY_TOKEN, "mode": "x"}
    transport = httpx2.MockTransport(_synthetic_backend)
    if kind == "sync":
        with httpx2.Client(transport=transport) as client:
            return client.post(url, json=body, headers=SECRET_HEADERS, params=params)

    async def main() -> httpx2.Response:
        async with httpx2.AsyncClient(transport=transport) as client:
            return await client.post(url, json=body, headers=SECRET_HEADERS, params=params)

    return asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_the_recorder_scrubs_each_kind_of_secret_before_writing(kind: str, tmp_path: Path) -> None:
    with make_vcr("all", tmp_path).use_cassette("synthetic.yaml") as cassette:
        live = _send(kind, "http://127.0.0.1:45678", API_KEY)
        assert len(cassette.data) == 1
    assert live.json()["value"] == MINTED  # the caller saw the real answer; only the file is scrubbed

    text = (tmp_path / "synthetic.yaml").read_text("utf-8")
    for secret in ALL_SECRETS:
        assert secret not in text, secret
    _check_clean(text)
    (interaction,) = yaml.safe_load(text)["interactions"]
    request, response = interaction["request"], interaction["response"]
    assert json.loads(request["body"]) == {
        "apiKey": REDACTED,
        "model": "gpt-realtime",
        "instructions": f"never say {API_KEY_PLACEHOLDER}",
    }
    assert request["headers"]["content-length"] == [str(len(request["body"].encode()))]
    assert request["uri"] == f"{REPLAY_URL}/byok/navai/realtime/client-secret?token={REDACTED}&mode=x"
    assert json.loads(response["body"]["string"]) == {
        "value": SECRET_PLACEHOLDER,
        "expires_at": 1,
        "error": f"key {API_KEY_PLACEHOLDER} rejected",
    }
    assert set(response["headers"]) == {"content-length", "content-type"}
    assert response["headers"]["content-length"] == [str(len(response["body"]["string"].encode()))]

    # The scrubbed cassette still replays, from another port and with any other key.
    with make_vcr("none", tmp_path).use_cassette("synthetic.yaml") as cassette:
        replayed = _send(kind, "http://127.0.0.1:1", "sk-another-key-for-replay")
        assert cassette.play_count == 1
    assert replayed.json()["value"] == SECRET_PLACEHOLDER


def test_scrub_request_and_response_directly() -> None:
    request = vcr.request.Request(
        "POST",
        "http://127.0.0.1:5555/byok/navai/realtime/client-secret",
        json.dumps({"apiKey": API_KEY, "nested": {"api_key": API_KEY, "ok": [STRAY_KEY]}}).encode(),
        {**SECRET_HEADERS, "Accept": "application/json", "Host": "127.0.0.1:5555"},
    )
    scrubbed = scrub_request(request)
    assert json.loads(scrubbed.body) == {
        "apiKey": REDACTED,
        "nested": {"api_key": REDACTED, "ok": [API_KEY_PLACEHOLDER]},
    }
    assert set(scrubbed.headers) == {"Accept"}
    assert scrubbed.uri == f"{REPLAY_URL}/byok/navai/realtime/client-secret"

    body = json.dumps({"value": MINTED, "error": f"key {STRAY_KEY} rejected"}).encode()
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": [SET_COOKIE], "Content-Length": [str(len(body))], "ETag": ['W/"1"']},
        "body": {"string": body},
    }
    out = scrub_response(response)
    assert json.loads(out["body"]["string"]) == {
        "value": SECRET_PLACEHOLDER,
        "error": f"key {API_KEY_PLACEHOLDER} rejected",
    }
    assert out["headers"] == {"Content-Length": [str(len(out["body"]["string"]))]}
