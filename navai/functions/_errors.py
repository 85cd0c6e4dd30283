"""The function model's error: `NavaiDiscoveryError`, a `NavaiError`."""

from __future__ import annotations

from .._exceptions import NavaiError

__all__ = ["NavaiDiscoveryError"]


class NavaiDiscoveryError(NavaiError):
    """A folder discovery walks cannot be read; the message is Node's (``ENOENT: ..., scandir '...'``).

    ``errno`` is the operating system's error number (None when it gave none).
    """

    def __init__(self, errno: int | None, message: str) -> None:
        super().__init__(message)
        self.errno = errno
