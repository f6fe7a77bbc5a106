"""The soak tests run only from `make soak` (ROLECALL_SOAK=1): they take many minutes."""

from __future__ import annotations

import os

if not os.environ.get("ROLECALL_SOAK"):
    collect_ignore_glob = ["test_*.py"]
