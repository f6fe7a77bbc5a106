"""How to run this same `rolecall` again as a new process: the interpreter or the frozen bundle."""

from __future__ import annotations

import sys


def rolecall_command(*args: str) -> list[str]:
    """The argv that runs `rolecall ARGS…` with this installation."""
    if not sys.executable:
        raise RuntimeError("the Python interpreter's path is unknown (sys.executable is empty)")
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "rolecall", *args]
