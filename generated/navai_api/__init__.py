"""A client library for accessing NAVAI Backend API"""

from .client import Client

__all__ = ("Client",)
