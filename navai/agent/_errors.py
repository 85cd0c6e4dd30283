"""The voice agent's error: `NavaiRealtimeError`, a `NavaiError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import NavaiError

__all__ = ["NavaiRealtimeError"]


class NavaiRealtimeError(NavaiError):
    """The Realtime session of a `navai.agent.NavaiVoiceAgent` failed.

    The connection could not be opened (``close_code`` None), it closed while in use
    (``close_code`` is the WebSocket close code, 1006 when it just dropped), or the
    server sent an ``error`` event (``code``, ``error_type``, ``param`` and ``event_id``
    are that event's, ``event`` the whole event). The message never contains the
    client secret the session connected with.

    Also importable as ``navai.NavaiRealtimeError``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        event_id: str | None = None,
        event: Mapping[str, Any] | None = None,
        close_code: int | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.code = code
        self.error_type = error_type
        self.param = param
        self.event_id = event_id
        self.event = event
        self.close_code = close_code
