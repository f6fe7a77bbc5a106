"""Deleting recordings and transcripts: one call's on request, and all older than the
user's retention (N days) at start and once a day.

A recording is its mixed WAV and both channel files; deleting it deletes the call's
transcript too, and the call log entry then names no recording.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rolecall.telephony.recording_names import recording_files
from rolecall.transcript.store import TranscriptStore

log = logging.getLogger(__name__)


def delete_recording(
    store: TranscriptStore, call_id: str, recording: str | None
) -> tuple[int, bool]:
    """Deletes the call's recording files and its transcript; (files deleted, transcript?)."""
    files = 0
    paths = {p for p in (recording, store.recording_path(call_id)) if p}
    for path in paths:
        for file in recording_files(Path(path)):
            try:
                file.unlink()
                files += 1
            except FileNotFoundError:
                pass
    return files, store.delete(call_id)


def expired(recordings_dir: Path, days: int, now: float | None = None) -> list[Path]:
    """The mixed recordings older than `days` (by their modification time)."""
    limit = (now if now is not None else time.time()) - days * 86400
    if not recordings_dir.is_dir():
        return []
    return sorted(
        path
        for path in recordings_dir.glob("*.wav")
        if not path.name.endswith((".mic.wav", ".far.wav")) and path.stat().st_mtime < limit
    )


def purge(
    store: TranscriptStore, recordings_dir: Path, days: int | None, now: float | None = None
) -> int:
    """Deletes recordings (and transcripts) past the retention; how many calls' worth."""
    if days is None:
        return 0
    limit = (now if now is not None else time.time()) - days * 86400
    count = 0
    for path in expired(recordings_dir, days, now):
        for file in recording_files(path):
            file.unlink(missing_ok=True)
        count += 1
    rows = store.db.execute("SELECT call_id, recording_path, created_at FROM transcripts")
    for call_id, recording, created in list(rows):
        gone = recording and not Path(recording).exists()
        old = _epoch(created) < limit
        if gone or old:
            store.delete(call_id)
    if count:
        log.info("retention (%d days): deleted %d recording(s)", days, count)
    return count


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
