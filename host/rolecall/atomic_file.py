"""One way to write a config or state file: a private temporary beside it, then a rename.

The temporary comes from `tempfile.mkstemp` in the target's directory (an unpredictable
name, created 0600, never a fixed `.tmp` another process could pre-create or race), is
synced, given its final mode and renamed into place: a crash leaves the old file or the new.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Writes `data` to `path` atomically, with permission bits `mode` (0600 unless said)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).chmod(mode)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """`atomic_write` of UTF-8 text."""
    atomic_write(path, text.encode("utf-8"), mode)
