"""Secrets never show in reprs, logs or errors; keys over plain http to remote hosts are flagged."""

from __future__ import annotations

import logging
import traceback
import warnings
from collections.abc import Callable

import httpx2
import pytest

import navai
from tests.support import backend_harness
from tests.support.drivers import Driver, Recorder, json_response

TOKEN = "tok-4f9c2d7e1b"
SECRET_OUT = "ek_5d8e2f9a1c3b"


def everything_visible(*objects: object) -> str:
    """What a user could see of these objects: str, repr, and for errors their attributes and traceback."""
    parts: list[str] = []
    for obj in objects:
        parts += [str(obj), repr(obj)]
        if isinstance(obj, BaseException):
            parts += [repr(vars(obj)), "".join(traceback.format_exception(obj))]
    return "\n".join(parts)


@pytest.mark.live
@pytest.mark.parametrize("kind_", ["sync", "async"])
def test_no_secret_reaches_logs_reprs_or_errors(
    live_backend: backend_harness.Backend, caplog: pytest.LogCaptureFixture, kind_: str
) -> None:
    """Against the real backend, with DEBUG logging on for every logger (navai, httpx2, httpcore)."""
    api_key = live_backend.openai_key
    wrong_key = "sk-test-wrongwrongwrong0000"
    caplog.set_level(logging.DEBUG)
    options = {
        "env": {},
        "headers": {"X-WP-Nonce": "nonce-77aa99"},
        "auth": lambda request: (request.headers.__setitem__("Authorization", f"Bearer {TOKEN}"), request)[1],
        "client_secret_path": "/byok/navai/realtime/client-secret",
    }
    seen: list[object] = []
    if kind_ == "sync":
        with navai.NavaiBackendClient(live_backend.url, **options) as client:
            secret = client.create_client_secret(api_key=api_key, model="gpt-realtime")
            provider = client.secret_provider(api_key=api_key)
            provider.get()
            seen += [client, secret, provider, navai.CreateRealtimeClientSecretInput(api_key=api_key)]
            with pytest.raises(navai.NavaiHTTPError) as info:
                client.create_client_secret(api_key=wrong_key)
            seen.append(info.value)
    else:
        import asyncio

        async def main() -> None:
            async with navai.AsyncNavaiBackendClient(live_backend.url, **options) as client:
                secret = await client.create_client_secret(api_key=api_key, model="gpt-realtime")
                provider = client.secret_provider(api_key=api_key)
                await provider.get()
                seen.extend([client, secret, provider])
                with pytest.raises(navai.NavaiHTTPError) as info:
                    await client.create_client_secret(api_key=wrong_key)
                seen.append(info.value)

        asyncio.run(main())

    minted = [obj.value for obj in seen if isinstance(obj, navai.ClientSecret)]
    assert minted
    assert all(value.startswith("ek_") for value in minted)
    visible = everything_visible(*seen) + "\n" + caplog.text
    assert "POST" in caplog.text, "DEBUG logging captured the requests"
    for secret_text in [api_key, wrong_key, TOKEN, "nonce-77aa99", *minted]:
        assert secret_text not in visible


def test_error_from_a_backend_does_not_carry_request_secrets(make_driver: Callable[..., Driver]) -> None:
    backend = json_response(500, {"error": "upstream failed"})
    client = make_driver(backend, headers={"Authorization": f"Bearer {TOKEN}"})
    api_key = "sk-test-" + "abcdef123456"
    with pytest.raises(navai.NavaiHTTPError) as info:
        client.create_client_secret(api_key=api_key)
    text = everything_visible(info.value)
    assert TOKEN not in text
    assert api_key not in text
    assert "upstream failed" in text


def test_client_secret_masks_its_value(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(json_response(200, {"value": SECRET_OUT, "expires_at": 9}))
    secret = client.create_client_secret()
    assert secret.value == SECRET_OUT
    assert SECRET_OUT not in everything_visible(secret, [secret], {"s": secret})


def test_the_generated_models_leave_secrets_out_of_their_reprs() -> None:
    """navai_api ships in the wheel: its models for the secret-bearing bodies mask those fields."""
    from navai_api.models import ClientSecretResponse, CreateClientSecretRequest

    request = CreateClientSecretRequest(model="gpt-realtime", api_key=TOKEN)
    response = ClientSecretResponse.from_dict({"value": SECRET_OUT, "expires_at": 9})
    assert request.to_dict()["apiKey"] == TOKEN
    assert response.value == SECRET_OUT
    shown = everything_visible(request, response, [request, response])
    assert "gpt-realtime" in shown
    assert "expires_at=9" in shown
    assert TOKEN not in shown
    assert SECRET_OUT not in shown


@pytest.mark.parametrize(
    ("base_url", "warns"),
    [
        ("http://navai.example.com", True),
        ("http://10.0.0.7:3000", True),
        ("https://navai.example.com", False),
        ("http://localhost:3000", False),
        ("http://127.0.0.1:3000", False),
        ("http://127.8.9.10", False),
        ("http://[::1]:3000", False),
        ("http://app.localhost", False),
    ],
)
def test_api_key_over_plain_http_warns(
    make_driver: Callable[..., Driver], base_url: str, warns: bool, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_driver(json_response(200, {"value": "ek_x"}), api_base_url=base_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.create_client_secret(api_key="sk-test-123456789")
        client.create_client_secret(model="no key, no warning")
    flagged = [w for w in caught if issubclass(w.category, navai.NavaiInsecureTransportWarning)]
    assert len(flagged) == (1 if warns else 0)
    assert ("plain http" in caplog.text) is warns
    for warning in flagged:
        assert "123456789" not in str(warning.message)
        if not client.is_async:  # an awaited call has the event loop, not this file, as its caller
            assert warning.filename == __file__, "the warning points at the caller's line"


def test_logging_goes_through_the_navai_logger(
    make_driver: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="navai")
    client = make_driver(Recorder(lambda r: httpx2.Response(503)), max_retries=1)
    client.list_functions()
    records = [r for r in caplog.records if r.name == "navai"]
    assert any(r.levelno == logging.INFO and "Retrying GET" in r.getMessage() for r in records)
    assert any(r.levelno == logging.DEBUG and "-> 503" in r.getMessage() for r in records)
