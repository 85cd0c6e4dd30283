"""Real loopback sockets: a refused port and a server that never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

import navai
from tests.support.drivers import Driver


@pytest.fixture
def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections, reads, and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_refused_connection(make_driver: Callable[..., Driver], refused_url: str) -> None:
    client = make_driver(api_base_url=refused_url)
    with pytest.raises(navai.NavaiConnectionError) as info:
        client.execute_function("f")
    assert not isinstance(info.value, navai.NavaiTimeoutError)
    assert f"POST {refused_url}/navai/functions/execute" in str(info.value)
    with pytest.raises(navai.NavaiConnectionError):
        client.create_client_secret()
    (warning,) = client.list_functions().warnings
    assert warning.startswith(f"[navai] Failed to load backend functions: Request failed: GET {refused_url}/")


def test_a_silent_server_times_out(make_driver: Callable[..., Driver], silent_url: str) -> None:
    client = make_driver(api_base_url=silent_url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(navai.NavaiTimeoutError) as info:
        client.execute_function("f")
    assert time.monotonic() - started < 10, "the call must end by its timeout, not hang"
    assert str(info.value).startswith(f"Timed out: POST {silent_url}/navai/functions/execute")
    with pytest.raises(navai.NavaiTimeoutError):
        client.create_client_secret()
    (warning,) = client.list_functions().warnings
    assert warning.startswith("[navai] Failed to load backend functions: Timed out: GET ")
