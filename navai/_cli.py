"""The ``navai`` command line: list functions, call one, mint a secret, chat with an agent, serve.

Exit codes: 0 success, 1 a backend or function error (message on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn

from ._cli_serve import add_serve_parser, run_serve
from ._exceptions import NavaiError
from ._version import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    """Bad command-line input found after argparse accepted it."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="navai",
        description=(
            "Talk to a NAVAI backend: list its functions, call one, mint a Realtime client secret, "
            "chat with a voice agent in text mode; or serve a backend."
        ),
    )
    parser.add_argument("--version", action="version", version=f"navai {__version__}")
    parser.add_argument(
        "--api-url", help="backend base URL (default: $NAVAI_API_URL, then http://localhost:3000)"
    )
    from ._config import (
        DEFAULT_CLIENT_SECRET_PATH,
        DEFAULT_FUNCTIONS_EXECUTE_PATH,
        DEFAULT_FUNCTIONS_LIST_PATH,
        DEFAULT_SPEECH_SYNTHESIZE_PATH,
    )

    parser.add_argument("--client-secret-path", default=DEFAULT_CLIENT_SECRET_PATH, metavar="PATH")
    parser.add_argument("--functions-path", default=DEFAULT_FUNCTIONS_LIST_PATH, metavar="PATH")
    parser.add_argument("--execute-path", default=DEFAULT_FUNCTIONS_EXECUTE_PATH, metavar="PATH")
    parser.add_argument("--speech-path", default=DEFAULT_SPEECH_SYNTHESIZE_PATH, metavar="PATH")
    parser.add_argument(
        "--header", action="append", default=[], metavar="KEY:VALUE", help="extra request header (repeatable)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="time to wait for each read or write (default 30); connecting waits at most 5 of them",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    functions = commands.add_parser("functions", help="list the backend's functions and warnings")
    functions.add_argument("--json", action="store_true", help="print the raw result as JSON")

    call = commands.add_parser("call", help="execute a function and print its result")
    call.add_argument("name", help="the function name")
    payload = call.add_mutually_exclusive_group()
    payload.add_argument(
        "--payload", metavar="JSON", help="the payload, a JSON object, e.g. '{\"args\": [2, 3]}'"
    )
    payload.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a payload field (repeatable); VALUE is parsed as JSON when it is valid JSON, else kept as text",
    )
    call.add_argument("--json", action="store_true", help="print the result as compact JSON")

    secret = commands.add_parser("secret", help="mint an ephemeral Realtime client secret")
    for flag in ("model", "voice", "instructions", "language", "voice-accent", "voice-tone"):
        secret.add_argument(f"--{flag}")
    secret.add_argument("--show-secret", action="store_true", help="print the secret value unmasked")
    secret.add_argument("--json", action="store_true", help="print the result as JSON")

    speak = commands.add_parser(
        "speak", help="synthesize speech with the backend's ElevenLabs voice and write the audio to a file"
    )
    speak.add_argument("text", help="what to say")
    speak.add_argument("--out", required=True, metavar="FILE", help="where to write the audio ('-': stdout)")
    speak.add_argument("--voice-id", help="an ElevenLabs voice (default: the backend's)")
    speak.add_argument("--model-id", help="an ElevenLabs model (default: the backend's)")
    speak.add_argument(
        "--output-format", metavar="FORMAT", help="e.g. mp3_44100_128 (the default), pcm_24000, ulaw_8000"
    )

    agent = commands.add_parser(
        "agent",
        help="chat with a NAVAI voice agent in text mode (needs navai[agent]): one stdin line per message",
    )
    agent.add_argument(
        "--text", action="store_true", help="text mode (the default and, in a terminal, the only mode)"
    )
    agent.add_argument(
        "--realtime-url",
        metavar="URL",
        help="Realtime WebSocket base URL (default: $NAVAI_REALTIME_URL, then wss://api.openai.com/v1)",
    )
    agent.add_argument("--model", help="Realtime model (default: $NAVAI_REALTIME_MODEL, then gpt-realtime)")
    agent.add_argument(
        "--functions",
        metavar="PATH",
        help="local functions: a Python file, or a folder of them, loaded with the backend's discovery rules",
    )
    agent.add_argument(
        "--route", action="append", default=[], metavar="NAME=PATH", help="a route to allow (repeatable)"
    )
    agent.add_argument("--instructions", metavar="TEXT", help="base instructions for the agent")
    agent.add_argument(
        "--agents",
        metavar="FOLDERS",
        help="specialist agents: agent folders under the functions folder, comma-separated, the first "
        "the primary (default: $NAVAI_AGENTS_FOLDERS); read from --app-dir, instead of --functions",
    )
    agent.add_argument(
        "--app-dir",
        metavar="DIR",
        help="the app whose src/ holds the agent folders (default: $NAVAI_FUNCTIONS_BASE_DIR, then .)",
    )

    mcp = commands.add_parser(
        "mcp",
        help="serve the backend's functions to an MCP client over stdio (needs navai[mcp])",
        description="An MCP server on stdin/stdout whose tools are the backend's functions: "
        "for Claude Desktop, Cursor, the OpenAI Agents SDK or any MCP client.",
    )
    mcp.add_argument(
        "--functions",
        metavar="PATH",
        help="local functions too: a Python file, or a folder of them, loaded with the backend's rules",
    )
    mcp.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a route navigate_to may open (repeatable); adds the navigate_to tool",
    )
    mcp.add_argument(
        "--cache-ttl",
        type=float,
        metavar="SECONDS",
        help="keep the backend's function list this long (default: fetched at every tools/list)",
    )
    mcp.add_argument("--name", default="navai", help="the server name MCP clients show (default navai)")

    add_serve_parser(commands)
    return parser


def _headers(values: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        key, sep, content = value.partition(":")
        if not sep or not key.strip():
            raise _UsageError(f"--header must look like KEY:VALUE, got {value!r}")
        headers[key.strip()] = content.strip()
    return headers


def _payload(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.payload is not None:
        try:
            payload = json.loads(args.payload)
        except json.JSONDecodeError as exc:
            raise _UsageError(f"--payload is not valid JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise _UsageError("--payload must be a JSON object")
        return payload
    if not args.arg:
        return None
    payload = {}
    for item in args.arg:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise _UsageError(f"--arg must look like KEY=VALUE, got {item!r}")
        try:
            payload[key] = json.loads(raw)
        except json.JSONDecodeError:
            payload[key] = raw
    return payload


def _mask(value: str) -> str:
    prefix = value[:3] if value[:3] in ("ek_", "sk-") else ""
    return f"{prefix}***"


def _print_functions(result: Any, as_json: bool) -> None:
    if as_json:
        rows = [{"name": f.name, "description": f.description, "source": f.source} for f in result.functions]
        print(json.dumps({"functions": rows, "warnings": result.warnings}, indent=2, ensure_ascii=False))
        return
    if result.functions:
        width = max(len("NAME"), *(len(f.name) for f in result.functions))
        dwidth = max(len("DESCRIPTION"), *(len(f.description or "") for f in result.functions))
        print(f"{'NAME':{width}}  {'DESCRIPTION':{dwidth}}  SOURCE")
        for f in result.functions:
            print(f"{f.name:{width}}  {f.description or '':{dwidth}}  {f.source or ''}")
    else:
        print("(no functions)")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _print_secret(secret: Any, show: bool, as_json: bool) -> None:
    value = secret.value if show else _mask(secret.value)
    if as_json:
        print(json.dumps({"value": value, "expires_at": secret.expires_at, **dict(secret.extra)}, indent=2))
        return
    print(f"secret:  {value}")
    if secret.expires_at is None:
        print("expires: unknown")
    else:
        local = datetime.fromtimestamp(secret.expires_at).astimezone()
        print(f"expires: {local:%Y-%m-%d %H:%M:%S %Z} (in {round(secret.expires_at - time.time())} s)")


def _timeout(seconds: float | None) -> Any:
    """``--timeout`` bounds reads and writes; connecting keeps its own, shorter, default."""
    from ._config import DEFAULT_TIMEOUT

    if seconds is None:
        return DEFAULT_TIMEOUT
    import httpx2

    connect = DEFAULT_TIMEOUT.connect
    return httpx2.Timeout(seconds, connect=seconds if connect is None else min(connect, seconds))


def _client_options(args: argparse.Namespace) -> dict[str, Any]:
    """The global options every backend client of the CLI is made with (sync or async)."""
    return {
        "client_secret_path": args.client_secret_path,
        "functions_list_path": args.functions_path,
        "functions_execute_path": args.execute_path,
        "speech_synthesize_path": args.speech_path,
        "headers": _headers(args.header),
        "timeout": _timeout(args.timeout),
    }


def _agent(args: argparse.Namespace) -> int:
    """``navai agent``: a text chat on stdin/stdout until end of input."""
    import asyncio

    from ._async_client import AsyncNavaiBackendClient
    from .agent._chat import chat, parse_route

    try:
        routes = [parse_route(text) for text in args.route]
    except NavaiError as exc:
        raise _UsageError(str(exc)) from exc
    functions = agents = None
    if args.agents is not None or args.app_dir is not None:
        from .agent._agents import discover_agents

        if args.functions is not None:
            raise _UsageError("--functions cannot be used with --agents or --app-dir")
        agents = discover_agents(base_dir=args.app_dir, agents_folders=args.agents)
    else:
        functions = _local_functions(args.functions)

    async def run() -> None:
        async with AsyncNavaiBackendClient(args.api_url, **_client_options(args)) as client:
            await chat(
                client,
                lines=sys.stdin,
                out=sys.stdout,
                err=sys.stderr,
                functions=functions,
                routes=routes,
                model=args.model,
                realtime_url=args.realtime_url,
                base_instructions=args.instructions,
                agents=agents,
            )

    asyncio.run(run())
    return EXIT_OK


def _local_functions(path: str | None) -> Any:
    """``--functions PATH``: loaded with the backend's discovery rules, or None."""
    if path is None:
        return None
    from .functions._discovery import functions_from_path

    try:
        return functions_from_path(path)
    except FileNotFoundError as exc:
        raise _UsageError(f"--functions: {exc}") from exc


def _mcp(args: argparse.Namespace) -> int:
    """``navai mcp``: an MCP server on stdio in front of the backend, until stdin closes.

    stdout carries the protocol only: warnings and errors go to stderr.
    """
    import asyncio
    import logging

    from .agent._chat import parse_route

    if args.cache_ttl is not None and not args.cache_ttl > 0:
        raise _UsageError("--cache-ttl must be a positive number of seconds")
    try:
        routes = [parse_route(text) for text in args.route]
    except NavaiError as exc:
        raise _UsageError(str(exc)) from exc
    functions = _local_functions(args.functions)
    from .mcp import create_mcp_server

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="navai mcp: %(message)s")

    async def run() -> None:
        from ._async_client import AsyncNavaiBackendClient

        async with AsyncNavaiBackendClient(args.api_url, **_client_options(args)) as client:
            server = create_mcp_server(
                client, functions=functions or (), routes=routes, cache_ttl=args.cache_ttl, name=args.name
            )
            await server.run_stdio()

    asyncio.run(run())
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from ._client import NavaiBackendClient

    with NavaiBackendClient(args.api_url, **_client_options(args)) as client:
        if args.command == "functions":
            result = client.list_functions()
            _print_functions(result, args.json)
            return EXIT_ERROR if result.failed else EXIT_OK
        if args.command == "call":
            value = client.execute_function(args.name, _payload(args))
            print(
                json.dumps(value, ensure_ascii=False)
                if args.json
                else json.dumps(value, indent=2, ensure_ascii=False)
            )
            return EXIT_OK
        if args.command == "speak":
            return _speak(client, args)
        fields = {
            name: getattr(args, name)
            for name in ("model", "voice", "instructions", "language", "voice_accent", "voice_tone")
            if getattr(args, name) is not None
        }
        _print_secret(client.create_client_secret(fields), args.show_secret, args.json)
        return EXIT_OK


def _speak(client: Any, args: argparse.Namespace) -> int:
    speech = client.synthesize_speech(
        args.text, voice_id=args.voice_id, model_id=args.model_id, output_format=args.output_format
    )
    if args.out == "-":
        sys.stdout.buffer.write(speech.audio)
        sys.stdout.buffer.flush()
    else:
        try:
            with open(args.out, "wb") as out:
                out.write(speech.audio)
        except OSError as exc:
            print(f"navai: error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    shown = "stdout" if args.out == "-" else args.out
    print(f"wrote {len(speech.audio):,} bytes of {speech.mime_type} to {shown}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return run_serve(args)
    if args.timeout is not None and not args.timeout > 0:
        _usage(parser, "--timeout must be a positive number of seconds")
    try:
        if args.command == "mcp":
            return _mcp(args)
        return _agent(args) if args.command == "agent" else _run(args)
    except _UsageError as exc:
        _usage(parser, str(exc))
    except NavaiError as exc:
        print(f"navai: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _usage(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    parser.error(message)


def entry_point() -> None:
    sys.exit(main())
