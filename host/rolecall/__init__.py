"""Rolecall's local host: the native-messaging shim, the per-user daemon and their CLI.

Importing this package stays cheap (no pydantic, no pjsua2): the native host shim
imports it on every browser launch.
"""

from rolecall._version import __version__

__all__ = ["__version__"]
