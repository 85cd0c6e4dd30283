"""Base URL resolution and URL construction, as the seed documents them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import navai
from tests.support.drivers import Driver, json_response

LIST_OK = {"items": [], "warnings": []}


@pytest.mark.parametrize(
    ("api_base_url", "env", "expected"),
    [
        ("https://api.example", {}, "https://api.example"),
        ("  https://api.example  ", {}, "https://api.example"),
        ("https://arg.example", {"NAVAI_API_URL": "https://env.example"}, "https://arg.example"),
        (None, {"NAVAI_API_URL": "https://env.example"}, "https://env.example"),
        ("   ", {"NAVAI_API_URL": " https://env.example\n"}, "https://env.example"),
        ("", {"NAVAI_API_URL": "https://env.example"}, "https://env.example"),
        (None, {"NAVAI_API_URL": "   "}, "http://localhost:3000"),
        (None, {}, "http://localhost:3000"),
        ("\t", {"NAVAI_API_URL": ""}, "http://localhost:3000"),
    ],
)
def test_base_url_resolution(
    make_driver: Callable[..., Driver], api_base_url: str | None, env: dict[str, str], expected: str
) -> None:
    client = make_driver(api_base_url=api_base_url, env=env)
    assert client.api_base_url == expected


def test_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVAI_API_URL", " https://from-environ.example/ ")
    with navai.NavaiBackendClient() as client:
        assert client.api_base_url == "https://from-environ.example/"
        assert client.functions_list_url == "https://from-environ.example/navai/functions"


def test_empty_env_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVAI_API_URL", "https://from-environ.example")
    with navai.NavaiBackendClient(env={}) as client:
        assert client.api_base_url == "http://localhost:3000"


def test_default_urls(make_driver: Callable[..., Driver]) -> None:
    client = make_driver(api_base_url="https://api.example")
    assert client.client_secret_url == "https://api.example/navai/realtime/client-secret"
    assert client.functions_list_url == "https://api.example/navai/functions"
    assert client.functions_execute_url == "https://api.example/navai/functions/execute"


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://api.example", "/x", "https://api.example/x"),
        ("https://api.example/", "/x", "https://api.example/x"),
        ("https://api.example///", "/x", "https://api.example/x"),
        ("https://api.example", "x", "https://api.example/x"),
        ("https://api.example/", "x/y", "https://api.example/x/y"),
        (
            "https://site.example/wp-json/navai/v1/",
            "functions",
            "https://site.example/wp-json/navai/v1/functions",
        ),
        (
            "https://site.example/wp-json/navai/v1",
            "/functions/execute",
            "https://site.example/wp-json/navai/v1/functions/execute",
        ),
        ("https://api.example", "/x/", "https://api.example/x/"),
    ],
)
def test_custom_paths_join(make_driver: Callable[..., Driver], base: str, path: str, expected: str) -> None:
    client = make_driver(
        api_base_url=base, client_secret_path=path, functions_list_path=path, functions_execute_path=path
    )
    assert client.client_secret_url == expected
    assert client.functions_list_url == expected
    assert client.functions_execute_url == expected


def test_requests_go_to_the_resolved_urls(make_driver: Callable[..., Driver]) -> None:
    seen: list[tuple[str, str]] = []

    def handler(request):  # type: ignore[no-untyped-def]
        seen.append((request.method, str(request.url)))
        if request.method == "GET":
            return json_response(200, LIST_OK)(request)
        if request.url.path.endswith("secret"):
            return json_response(200, {"value": "ek_x"})(request)
        return json_response(200, {"ok": True, "result": 1})(request)

    client = make_driver(
        handler,
        api_base_url=" https://site.example/wp-json/navai/v1/ ",
        client_secret_path="realtime/client-secret",
        functions_list_path="functions",
        functions_execute_path="/functions/execute",
    )
    client.create_client_secret()
    client.list_functions()
    client.execute_function("f")
    assert seen == [
        ("POST", "https://site.example/wp-json/navai/v1/realtime/client-secret"),
        ("GET", "https://site.example/wp-json/navai/v1/functions"),
        ("POST", "https://site.example/wp-json/navai/v1/functions/execute"),
    ]


def test_factories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAVAI_API_URL", raising=False)
    assert navai.create_navai_mobile_backend_client is navai.create_navai_backend_client
    with navai.create_navai_backend_client(
        api_base_url="https://a.example", functions_list_path="/f"
    ) as client:
        assert isinstance(client, navai.NavaiBackendClient)
        assert client.functions_list_url == "https://a.example/f"
    with navai.create_navai_mobile_backend_client(env={}) as client:
        assert client.api_base_url == "http://localhost:3000"


def test_default_paths_are_the_contracts() -> None:
    from navai import _config
    from navai_api.api.navai import create_client_secret, execute_function, list_functions

    assert _config.DEFAULT_CLIENT_SECRET_PATH == create_client_secret.PATH == "/navai/realtime/client-secret"
    assert _config.DEFAULT_FUNCTIONS_LIST_PATH == list_functions.PATH == "/navai/functions"
    assert _config.DEFAULT_FUNCTIONS_EXECUTE_PATH == execute_function.PATH == "/navai/functions/execute"
    assert (create_client_secret.METHOD, list_functions.METHOD, execute_function.METHOD) == (
        "POST",
        "GET",
        "POST",
    )
