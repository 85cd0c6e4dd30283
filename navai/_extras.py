"""`needs_extra`: turns the import error of an optional dependency into `NavaiMissingExtraError`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ._exceptions import NavaiMissingExtraError


@contextmanager
def needs_extra(extra: str, feature: str) -> Iterator[None]:
    """Imports of ``extra``'s dependencies for ``feature``: one that fails raises `NavaiMissingExtraError`.

    ::

        with needs_extra("mcp", "navai.mcp"):
            from mcp.server.lowlevel import Server

    An error that already names an extra passes through unchanged.
    """
    try:
        yield
    except NavaiMissingExtraError:
        raise
    except ImportError as exc:
        raise NavaiMissingExtraError(extra, feature=feature, name=exc.name) from exc
