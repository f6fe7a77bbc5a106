"""The `transcripts` table: one row per recorded call, its state, turns, summary and items.

Reads and writes go through the store's connection (the daemon's thread); the worker
process never writes the database, it hands its result back to the daemon.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from rolecall.protocol.transcript import Transcript, TranscriptState, Turn
from rolecall.store.transactions import immediate


def _now() -> str:
    return datetime.now(UTC).isoformat()


class TranscriptStore:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def queue(self, call_id: str, recording_path: str, model: str) -> None:
        """A transcript to make; a failed or finished one is made again."""
        now = _now()
        with immediate(self.db):
            self.db.execute(
                "INSERT INTO transcripts (call_id, state, model, recording_path, created_at, "
                "updated_at) VALUES (?, 'queued', ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE "
                "SET state = 'queued', model = excluded.model, "
                "recording_path = excluded.recording_path, error = '', "
                "updated_at = excluded.updated_at",
                (call_id, model, recording_path, now, now),
            )

    def set_state(self, call_id: str, state: TranscriptState, error: str = "") -> None:
        with immediate(self.db):
            self.db.execute(
                "UPDATE transcripts SET state = ?, error = ?, updated_at = ? WHERE call_id = ?",
                (state, error[:500], _now(), call_id),
            )

    def finish(
        self,
        call_id: str,
        turns: list[Turn],
        summary: str,
        action_items: list[str],
        audio_s: float,
    ) -> None:
        with immediate(self.db):
            self.db.execute(
                "UPDATE transcripts SET state = 'done', turns = ?, summary = ?, action_items = ?,"
                " audio_s = ?, error = '', updated_at = ? WHERE call_id = ?",
                (
                    json.dumps([t.model_dump() for t in turns]),
                    summary,
                    json.dumps(action_items),
                    audio_s,
                    _now(),
                    call_id,
                ),
            )

    def edit_summary(self, call_id: str, summary: str, action_items: list[str]) -> bool:
        with immediate(self.db):
            cursor = self.db.execute(
                "UPDATE transcripts SET summary = ?, action_items = ?, updated_at = ? "
                "WHERE call_id = ?",
                (summary, json.dumps(action_items), _now(), call_id),
            )
        return cursor.rowcount > 0

    def get(self, call_id: str) -> Transcript | None:
        row = self.db.execute("SELECT * FROM transcripts WHERE call_id = ?", (call_id,)).fetchone()
        return None if row is None else _transcript(row)

    def recording_path(self, call_id: str) -> str | None:
        row = self.db.execute(
            "SELECT recording_path FROM transcripts WHERE call_id = ?", (call_id,)
        ).fetchone()
        return str(row[0]) if row is not None and row[0] else None

    def summaries(self, call_ids: Iterable[str]) -> dict[str, str]:
        ids = list(call_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT call_id, summary FROM transcripts WHERE call_id IN ({marks})",  # noqa: S608
            ids,
        )
        return {str(row[0]): str(row[1]) for row in rows}

    def delete(self, call_id: str) -> bool:
        with immediate(self.db):
            cursor = self.db.execute("DELETE FROM transcripts WHERE call_id = ?", (call_id,))
        return cursor.rowcount > 0

    def unfinished(self) -> list[tuple[str, str, str]]:
        """(call id, recording, model) of transcripts a stopped daemon left queued or running."""
        rows = self.db.execute(
            "SELECT call_id, recording_path, model FROM transcripts "
            "WHERE state IN ('queued', 'running') ORDER BY created_at"
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _transcript(row: sqlite3.Row) -> Transcript:
    return Transcript(
        call_id=row["call_id"],
        state=row["state"],
        model=row["model"],
        turns=[Turn.model_validate(t) for t in json.loads(row["turns"])],
        summary=row["summary"],
        action_items=list(json.loads(row["action_items"])),
        error=row["error"],
    )
