"""Each layer's errors live in its own package, all under `NavaiError`; a missing extra is one error.

The hierarchy (``navai._exceptions``'s docstring draws it): the clients' errors and
`NavaiMissingExtraError` in ``navai``, `NavaiDiscoveryError` in ``navai.functions``,
`NavaiServerError` and its subclasses in ``navai.server``, `NavaiRealtimeError` in
``navai.agent``; ``navai`` re-exports the two that were always caught there.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import navai
import navai.agent
import navai.functions
import navai.server


def _run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_each_layer_defines_its_errors_under_navai_error() -> None:
    assert navai.NavaiRealtimeError.__module__ == "navai.agent._errors"
    assert navai.NavaiRealtimeError is navai.agent.NavaiRealtimeError
    assert navai.NavaiConfigurationError.__module__ == "navai.server._errors"
    assert navai.NavaiConfigurationError is navai.server.NavaiConfigurationError
    assert navai.functions.NavaiDiscoveryError is navai.server.NavaiDiscoveryError
    assert navai.functions.NavaiDiscoveryError.__module__ == "navai.functions._errors"
    for error in (
        navai.server.NavaiServerError,
        navai.functions.NavaiDiscoveryError,
        navai.agent.NavaiRealtimeError,
        navai.NavaiMissingExtraError,
    ):
        assert issubclass(error, navai.NavaiError), error
    assert issubclass(navai.server.NavaiStatusError, navai.server.NavaiServerError)
    assert issubclass(navai.NavaiConfigurationError, navai.server.NavaiServerError)
    assert issubclass(navai.NavaiConfigurationError, ValueError)
    assert issubclass(navai.NavaiMissingExtraError, ModuleNotFoundError)


def test_the_server_internal_errors_are_navai_errors() -> None:
    from navai.server._errors import SpeechError, UpstreamError

    assert issubclass(UpstreamError, navai.server.NavaiServerError)
    assert issubclass(SpeechError, navai.server.NavaiServerError)


def test_the_status_error_is_answered_with_its_status() -> None:
    from navai.server._errors import error_status

    error = navai.server.NavaiStatusError(404, "No such order.")
    assert (error_status(error), str(error), error.status) == (404, "No such order.", 404)


def test_discovery_of_a_missing_folder_raises_the_functions_error(tmp_path: object) -> None:
    missing = f"{tmp_path}/nope"
    with pytest.raises(navai.functions.NavaiDiscoveryError, match=r"^ENOENT: .*scandir") as caught:
        navai.functions.discover_functions(base_dir=missing)
    assert caught.value.errno == 2
    with pytest.raises(navai.functions.NavaiDiscoveryError):
        navai.agent.discover_agents(base_dir=missing)


def test_http_error_is_a_deprecated_alias_of_the_status_error() -> None:
    with pytest.warns(DeprecationWarning, match=r"navai\.server\.HTTPError is deprecated.*NavaiStatusError"):
        old = navai.server.HTTPError
    assert old is navai.server.NavaiStatusError
    with pytest.warns(DeprecationWarning, match="HTTPError"):
        from navai.server import HTTPError  # noqa: F401
    assert "HTTPError" not in dir(navai.server)
    assert "HTTPError" not in navai.server.__all__


@pytest.mark.parametrize(
    ("package", "name", "module"),
    [
        ("navai.server", "build_invocation_args", "navai.functions._model"),
        ("navai.server", "positional_arity", "navai.functions._model"),
        ("navai.server", "module_exports", "navai.functions._discovery"),
        ("navai.agent", "json_stringify", "navai.agent._js"),
        ("navai.agent", "error_message", "navai.agent._runtime"),
    ],
)
def test_internals_gone_from_all_still_import_with_a_warning(package: str, name: str, module: str) -> None:
    imported = sys.modules[package]
    with pytest.warns(DeprecationWarning, match=rf"{package}\.{name} is deprecated"):
        value = getattr(imported, name)
    assert value is getattr(sys.modules[module], name)
    assert name not in imported.__all__


def test_the_re_exported_errors_keep_import_navai_light() -> None:
    """``except navai.NavaiConfigurationError`` loads neither Starlette nor httpx2."""
    out = _run(
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import navai\n"
        "try:\n    raise navai.NavaiConfigurationError('x')\n"
        "except navai.NavaiConfigurationError:\n    pass\n"
        "heavy = ('starlette', 'uvicorn', 'httpx2', 'openai', 'websockets', 'asyncio')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "navai.NavaiRealtimeError\n"
        "print(sorted(m for m in heavy[:5] if m in sys.modules))\n"
    )
    assert out == ["[]", "[]"]


def test_the_missing_extra_error() -> None:
    error = navai.NavaiMissingExtraError("mcp", feature="navai.mcp", name="mcp.server")
    assert str(error) == "navai.mcp needs the mcp extra (mcp.server is missing): pip install 'navai[mcp]'"
    assert (error.extra, error.feature, error.name) == ("mcp", "navai.mcp", "mcp.server")
    assert isinstance(error, ImportError)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert str(navai.NavaiMissingExtraError("server", feature="navai.testing")) == (
            "navai.testing needs the server extra: pip install 'navai[server]'"
        )


# Each extra, its modules hidden in a fresh interpreter (``sys.modules[name] = None`` makes
# ``import name`` raise ImportError, as an uninstalled package does), and what uses it.
MISSING = {
    "server (navai.server)": (
        "server",
        ["starlette"],
        "from navai.server import create_navai_app",
        "navai.server needs the server extra (starlette",
    ),
    "server (navai.testing)": (
        "server",
        ["starlette"],
        "import navai.testing",
        "navai.testing needs the server extra (starlette is missing)",
    ),
    "server (uvicorn)": (
        "server",
        ["uvicorn"],
        "from navai.server import app_from_environment",
        "navai.server needs the server extra (uvicorn is missing)",
    ),
    "server (openai)": (
        "server",
        ["openai"],
        "navai.server.create_navai_app(env={'OPENAI_API_KEY': 'sk-test'})",
        "navai.server needs the server extra (openai is missing)",
    ),
    "agent": (
        "agent",
        ["websockets"],
        "from navai.agent._session import _realtime_sdk; _realtime_sdk()",
        "NavaiVoiceAgent needs the agent extra (websockets",
    ),
    "audio (sounddevice)": (
        "audio",
        ["sounddevice"],
        "navai.agent.LocalAudio().play(bytes(2))",
        "LocalAudio needs the audio extra (sounddevice is missing)",
    ),
    "audio (miniaudio)": (
        "audio",
        ["miniaudio"],
        "navai.agent.LocalAudio(sounddevice=object()).play_speech(b'x', 'audio/mpeg')",
        "Playing audio/mpeg speech needs the audio extra (miniaudio is missing)",
    ),
    "mcp": ("mcp", ["mcp"], "import navai.mcp; navai.mcp.create_mcp_server", "navai.mcp needs the mcp extra"),
    "openai-agents": (
        "openai-agents",
        ["agents"],
        "import navai.integrations.openai_agents as oa; oa.create_agent",
        "navai.integrations.openai_agents needs the openai-agents extra (agents",
    ),
    "aiohttp": (
        "aiohttp",
        ["httpx_aiohttp"],
        "navai.DefaultAioHttpClient()",
        "navai.DefaultAioHttpClient needs the aiohttp extra (httpx_aiohttp",
    ),
}


@pytest.mark.parametrize("case", list(MISSING))
def test_a_missing_extra_raises_one_error_that_names_it(case: str) -> None:
    extra, hidden, use, message = MISSING[case]
    out = _run(
        "import sys\n"
        + "".join(f"sys.modules[{name!r}] = None\n" for name in hidden)
        + "import navai, navai.agent, navai.server\n"
        "try:\n"
        f"    {use}\n"
        "except navai.NavaiMissingExtraError as error:\n"
        "    assert isinstance(error, ImportError) and isinstance(error, navai.NavaiError)\n"
        "    print(error.extra)\n"
        "    print(error)\n"
        "else:\n"
        "    print('nothing raised')\n"
    )
    assert out[0] == extra, out
    assert out[1].startswith(message), out
    assert out[1].endswith(f"pip install 'navai[{extra}]'"), out


def test_navai_serve_without_the_server_extra_says_which_extra() -> None:
    code = (
        "import sys\nsys.modules['starlette'] = None\nfrom navai._cli import main\nsys.exit(main(['serve']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.startswith("navai: error: navai.server needs the server extra (starlette"), done.stderr
    assert done.stderr.endswith(": pip install 'navai[server]'\n"), done.stderr
