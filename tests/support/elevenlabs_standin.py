"""A stand-in for ElevenLabs' text-to-speech endpoint on loopback, for both test backends.

`ElevenLabsStandIn` answers ``POST /v1/text-to-speech/<voice>`` as ElevenLabs does for a
NAVAI backend: 401 for a wrong ``xi-api-key``, else audio bytes with the ``Accept``
header's MIME type. The audio is `fake_audio` of the voice and text, so an expected
result can be written down; every request is kept in ``requests`` (the key masked).
The Node test backend reaches it through ``NAVAI_TEST_ELEVENLABS_URL`` (its ``/tts``
routes), ``navai serve`` through ``ELEVENLABS_BASE_URL``. Standard library only::

    with ElevenLabsStandIn() as eleven:
        ...  # eleven.base_url, eleven.api_key, eleven.requests
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["VOICE_ID", "ElevenLabsStandIn", "fake_audio"]

HOST = "127.0.0.1"
VOICE_ID = "voice_test"
"""The voice both test backends are configured with."""


def fake_audio(voice_id: str, text: str) -> bytes:
    """What the stand-in "speaks" for ``text`` in ``voice_id``: bytes a test can predict."""
    return b"\xffNAVAI-TTS\x00" + _utf8(voice_id) + b"\x00" + _utf8(text)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # JSON text may hold lone surrogates


class ElevenLabsStandIn:
    """``POST /v1/text-to-speech/<voice>`` on ``127.0.0.1`` (a free port), in a daemon thread."""

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or f"xi-test-{secrets.token_hex(12)}"
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                target = urlsplit(self.path)
                key = self.headers.get("xi-api-key")
                voice = unquote(target.path.removeprefix("/v1/text-to-speech/"))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                stand_in.requests.append(
                    {
                        "path": target.path,
                        "query": {k: v[0] for k, v in parse_qs(target.query).items()},
                        "accept": self.headers.get("accept"),
                        "key_ok": key == stand_in.api_key,
                        "body": body,
                    }
                )
                if not target.path.startswith("/v1/text-to-speech/"):
                    self._answer(404, "application/json", b'{"detail":"Not Found"}')
                elif key != stand_in.api_key:
                    detail = {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
                    self._answer(401, "application/json", json.dumps(detail).encode())
                elif not isinstance(body, dict) or not isinstance(body.get("text"), str):
                    self._answer(422, "application/json", b'{"detail":"text is required"}')
                else:
                    mime = self.headers.get("accept") or "audio/mpeg"
                    self._answer(200, mime, fake_audio(voice, body["text"]))

            def _answer(self, status: int, content_type: str, content: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="elevenlabs-standin", daemon=True
        )
        self._thread.start()

    def env(self) -> dict[str, str]:
        """What a backend needs to speak through this stand-in (both backends read these)."""
        return {
            "NAVAI_TEST_ELEVENLABS_URL": self.base_url,
            "NAVAI_TEST_ELEVENLABS_KEY": self.api_key,
        }

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ElevenLabsStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
