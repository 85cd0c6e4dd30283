"""``python -m navai``: the navai command line."""

from ._cli import entry_point

entry_point()
