"""``navai serve``: its options, the environment it reads, and running the server.

Kept apart from the client commands: it is the one command that needs ``navai[server]``,
and the only one that loads ``.env``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server._serve import ServerOptions

from ._exceptions import NavaiError, NavaiMissingExtraError

EXIT_OK, EXIT_ERROR = 0, 1

#: Every variable ``navai serve`` reads, as ``navai serve --help`` lists them.
ENVIRONMENT = {
    "PORT": "port to listen on when --port is not given (default 3000)",
    "OPENAI_API_KEY": "server key for minting Realtime client secrets",
    "OPENAI_BASE_URL": "OpenAI API base URL (default https://api.openai.com/v1)",
    "OPENAI_REALTIME_MODEL": "default Realtime model",
    "OPENAI_REALTIME_VOICE": "default voice",
    "OPENAI_REALTIME_INSTRUCTIONS": "default instructions",
    "OPENAI_REALTIME_LANGUAGE": "default language",
    "OPENAI_REALTIME_VOICE_ACCENT": "default voice accent",
    "OPENAI_REALTIME_VOICE_TONE": "default voice tone",
    "OPENAI_REALTIME_CLIENT_SECRET_TTL": "client secret lifetime in seconds (10-7200, default 600)",
    "NAVAI_ALLOW_FRONTEND_API_KEY": "true: accept an apiKey in client-secret requests",
    "NAVAI_FUNCTIONS_BASE_DIR": "where function folders are looked up (default .)",
    "NAVAI_FUNCTIONS_FOLDERS": "function folders, comma-separated (default src/ai/functions-modules)",
    "NAVAI_AGENTS_FOLDERS": "agent folders, comma-separated",
    "NAVAI_CORS_ORIGIN": "extra allowed browser origins, comma-separated; * allows all",
    "NAVAI_FUNCTION_TIMEOUT": "seconds a function call may run (default 30; then 504)",
    "NAVAI_UPSTREAM_TIMEOUT": "seconds an OpenAI or ElevenLabs call may take (default 30; then 504)",
    "NAVAI_MAX_HEADER_BYTES": "largest request line and headers accepted (default 16384; then 431)",
    "NAVAI_HEADERS_TIMEOUT": "seconds a client may take to send its headers (default 60; then 408)",
    "NAVAI_REQUEST_TIMEOUT": "seconds a client may take to send its whole request (default 300; then 408)",
    "NAVAI_TTS_PROVIDER": "openai or elevenlabs (speech synthesis)",
    "ELEVENLABS_API_KEY": "ElevenLabs key",
    "ELEVENLABS_BASE_URL": "ElevenLabs API base URL",
    "ELEVENLABS_VOICE_ID": "ElevenLabs voice",
    "ELEVENLABS_MODEL_ID": "ElevenLabs model",
    "ELEVENLABS_OUTPUT_FORMAT": "ElevenLabs output format",
    "ELEVENLABS_OPTIMIZE_STREAMING_LATENCY": "ElevenLabs latency setting",
    "ELEVENLABS_STABILITY": "ElevenLabs voice stability",
    "ELEVENLABS_SIMILARITY_BOOST": "ElevenLabs similarity boost",
    "ELEVENLABS_STYLE": "ElevenLabs style",
    "ELEVENLABS_USE_SPEAKER_BOOST": "ElevenLabs speaker boost (true/false)",
    "FORWARDED_ALLOW_IPS": "proxies trusted for X-Forwarded-* (default 127.0.0.1)",
    "NAVAI_MCP_ALLOWED_HOSTS": "with --mcp: Host names /mcp answers besides loopback and the CORS origins'",
}


def _epilog() -> str:
    width = max(map(len, ENVIRONMENT))
    lines = [f"  {name.ljust(width)}  {text}" for name, text in ENVIRONMENT.items()]
    return (
        "configuration: ./.env is read when present (or --env-file PATH); variables already in\n"
        "the environment win. Variables:\n" + "\n".join(lines)
    )


def add_serve_parser(commands: Any) -> None:
    """The ``serve`` subcommand and its options."""
    serve = commands.add_parser(
        "serve",
        help="run a NAVAI backend (needs navai[server]); configured by OPENAI_*, NAVAI_*, ELEVENLABS_*",
        description="Run a NAVAI backend (the Python twin of @navai/voice-backend) on uvicorn.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on (default $PORT, then 3000; 0 = any free)"
    )
    serve.add_argument(
        "--functions-base-dir", metavar="DIR", help="default: $NAVAI_FUNCTIONS_BASE_DIR, then ."
    )
    serve.add_argument(
        "--functions-folders",
        metavar="CSV",
        help="default: $NAVAI_FUNCTIONS_FOLDERS, then src/ai/functions-modules",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a browser origin allowed besides localhost/127.0.0.1 (repeatable, comma-separated; "
        "* allows all; default $NAVAI_CORS_ORIGIN)",
    )
    serve.add_argument(
        "--no-cors", action="store_true", help="no CORS handling (when a proxy in front does it)"
    )
    serve.add_argument("--env-file", metavar="PATH", help="load this file instead of ./.env")
    serve.add_argument(
        "--function-timeout",
        type=float,
        metavar="SECONDS",
        help="seconds a function call may run before it answers 504 (default $NAVAI_FUNCTION_TIMEOUT, 30)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes sharing the port (default 1)"
    )
    serve.add_argument(
        "--reload", action="store_true", help="restart when a .py file under the functions base dir changes"
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips (default on)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="comma-separated proxy addresses or networks to trust, * for all "
        "(default $FORWARDED_ALLOW_IPS, then 127.0.0.1)",
    )
    serve.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=False, help="log every request"
    )
    serve.add_argument(
        "--mcp",
        action="store_true",
        help="also serve the functions to MCP clients over Streamable HTTP at /mcp (needs navai[mcp])",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )


def _error(message: str) -> int:
    print(f"navai: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _port(args: argparse.Namespace) -> int:
    if args.port is not None:
        return int(args.port)
    text = os.environ.get("PORT", "").strip()
    if not text:
        return 3000
    if not text.isdigit() or int(text) > 65535:
        raise ValueError(f"PORT must be a port number, got {text!r}")
    return int(text)


def run_serve(args: argparse.Namespace) -> int:
    """``navai serve``: the backend on uvicorn until SIGINT/SIGTERM."""
    try:
        from .server import create_navai_app
        from .server._serve import (
            freeze_heap,
            load_env_file,
            make_server,
            protocol_limits,
            run_supervised,
            stuck_threads,
        )
    except NavaiMissingExtraError as exc:
        return _error(str(exc))
    if args.workers < 1:
        return _error("--workers must be at least 1")
    if args.reload and args.workers > 1:
        return _error("--reload runs one worker: leave out --workers")
    try:
        load_env_file(args.env_file)
        port = _port(args)
        protocol_limits()
    except (OSError, ValueError) as exc:
        return _error(str(exc))
    options: dict[str, Any] = {
        "functions_base_dir": args.functions_base_dir,
        "functions_folders": args.functions_folders,
        "cors": not args.no_cors,
    }
    if args.mcp:
        options["mcp"] = True
    if args.cors_origin:
        options["cors_origins"] = args.cors_origin
    if args.function_timeout is not None:
        options["function_timeout"] = args.function_timeout
    try:
        app = create_navai_app(**options)  # in every mode: bad options fail here, with Node's messages
    except (ValueError, NavaiError) as exc:
        return _error(str(exc))
    origins = app.state.navai_cors_origins
    from .server._cors import cors_summary

    print(f"navai serve: {cors_summary(origins)}", file=sys.stderr, flush=True)
    server_options: ServerOptions = {
        "host": args.host,
        "port": port,
        "log_level": args.log_level,
        "access_log": args.access_log,
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    if args.workers > 1 or args.reload:
        base = args.functions_base_dir or os.environ.get("NAVAI_FUNCTIONS_BASE_DIR") or "."
        run_supervised(
            options, workers=args.workers, reload=args.reload, reload_dirs=[base], **server_options
        )
        return EXIT_OK
    server = make_server(app, **server_options)
    freeze_heap(server)
    server.run()
    code = EXIT_OK if server.started else EXIT_ERROR
    if stuck_threads():  # a sync function that never returned must not keep the process alive
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
