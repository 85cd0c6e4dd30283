"""Models are frozen values, and secrets never show in a repr."""

from __future__ import annotations

import attrs
import pytest

import navai


def test_models_are_frozen() -> None:
    secret = navai.ClientSecret("ek_abc", 5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        secret.value = "other"  # type: ignore[misc]
    function = navai.BackendFunction("f")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        function.name = "g"  # type: ignore[misc]


def test_client_secret_repr_masks_the_value() -> None:
    secret = navai.ClientSecret("ek_68a1b2c3d4e5f6", 1700000000, {"speech": {"provider": "openai"}})
    for text in (repr(secret), str(secret), f"{secret}", repr([secret])):
        assert "68a1b2c3d4e5f6" not in text
        assert "ek_***" in text
        assert "1700000000" in text
    assert repr(navai.ClientSecret("opaque-token")) == "ClientSecret(value='***', expires_at=None)"


def test_input_repr_masks_the_api_key() -> None:
    value = navai.CreateRealtimeClientSecretInput(model="m", api_key="sk-proj-abcdefghijklmnop")
    assert "abcdefghijklmnop" not in repr(value)
    assert "api_key='sk-***'" in repr(value)
    assert "model='m'" in repr(value)


def test_input_goes_on_the_wire_through_the_generated_model() -> None:
    from navai import _core

    def body(**fields: str) -> object:
        return _core.client_secret_operation("http://127.0.0.1/s", None, fields).body.to_dict()

    assert body() == {}
    assert body(voice_tone="calm", api_key="k") == {"voiceTone": "calm", "apiKey": "k"}


def test_expires_in() -> None:
    assert navai.ClientSecret("ek_x", 100).expires_in(now=40) == 60
    assert navai.ClientSecret("ek_x", 100).expires_in(now=140) == -40
    assert navai.ClientSecret("ek_x").expires_in(now=1) is None


def test_equality_and_defaults() -> None:
    assert navai.BackendFunction("f") == navai.BackendFunction("f", None, None)
    assert navai.BackendFunctionsResult() == navai.BackendFunctionsResult([], [])
    assert navai.ClientSecret("ek_x", 1) != navai.ClientSecret("ek_y", 1)


def test_every_error_is_a_navai_error() -> None:
    for name in navai.__all__:
        obj = getattr(navai, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, navai.NavaiError)
    assert issubclass(navai.NavaiTimeoutError, navai.NavaiConnectionError)
    assert issubclass(navai.NavaiInvalidRequestError, ValueError)


def test_public_api_is_exactly_all() -> None:
    import types

    public = {
        name
        for name in dir(navai)
        if not name.startswith("_") and not isinstance(getattr(navai, name), types.ModuleType)
    }
    assert public == set(navai.__all__) - {"__version__"}
