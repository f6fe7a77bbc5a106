"""Call transcripts in the daemon: consent, recording every call when allowed, queueing
transcripts of recorded calls, the summary into the call log and the CRM write-back, and
the `transcript.*` handlers.

The call log's write-back to the CRMs waits while a call's transcript is being made (up
to `HOLD`), so the summary goes with the wrap-up in the one write; a wrap-up the user
finishes first goes without it. Recordings and transcripts past the retention are
deleted at start and daily.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from rolecall.crm.connectors.base import Connector
from rolecall.crm.outbox import Outbox
from rolecall.crm.writebacks import WriteBacks
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.paths import Home
from rolecall.protocol import transcript as trn
from rolecall.protocol.calllog import CallLogEntry
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.telephony import CallInfo, CallState
from rolecall.store.store import Store
from rolecall.transcript import models
from rolecall.transcript.jobs import TranscriptJobs
from rolecall.transcript.retention import delete_recording, purge
from rolecall.transcript.settings import (
    changed,
    load_transcript_settings,
    save_transcript_settings,
)
from rolecall.transcript.store import TranscriptStore
from rolecall.transcript.summary import with_summary

log = logging.getLogger(__name__)

HOLD = timedelta(minutes=15)
"""The longest a call's CRM write-back waits for its transcript."""
RETENTION_EVERY_S = 86400.0
Emit = Callable[[str, dict[str, Any]], object]


class CallTranscripts:
    """The daemon's transcript side: settings, jobs, and what a finished one changes."""

    def __init__(
        self, home: Home, store: Store, outbox: Outbox, emit: Emit, wrapup: timedelta
    ) -> None:
        self.home = home
        self.store = store
        self.outbox = outbox
        self.wrapup = wrapup
        self.settings = load_transcript_settings(home)
        self.transcripts = TranscriptStore(store.db)
        self.jobs = TranscriptJobs(home, self.transcripts, emit, self._done)
        self.write_backs: WriteBacks | None = None
        self._auto_recorded: set[str] = set()
        self.record: Callable[[str], Any] = lambda call_id: None
        """Starts recording a call (set once telephony is up)."""

    @property
    def recordings_dir(self) -> Any:
        return self.home.data_dir / "recordings"

    def start(self) -> None:
        self.jobs.start()
        self._retention()

    def _retention(self) -> None:
        try:
            purge(self.transcripts, self.recordings_dir, self.settings.retention_days)
        except OSError as exc:
            log.warning("retention: %s", exc)
        asyncio.get_running_loop().call_later(RETENTION_EVERY_S, self._retention)

    # ---- hooks into the call path --------------------------------------------------------

    def wrapup_end(self, entry: CallLogEntry) -> datetime:
        """When the call's write-back is due: after the wrap-up, later while transcribing."""
        end = entry.ended_at + self.wrapup
        return end + HOLD if self.jobs.pending(entry.call_id) else end

    def call_changed(self, call: CallInfo) -> None:
        """Records an answered call when the user asked for every call to be recorded."""
        if (
            self.settings.record_calls
            and call.state == CallState.CONFIRMED
            and call.recording is None
            and call.id not in self._auto_recorded
        ):
            self._auto_recorded.add(call.id)
            task = asyncio.get_running_loop().create_task(self.record(call.id))
            task.add_done_callback(_log_failure)
        if call.state == CallState.DISCONNECTED:
            self._auto_recorded.discard(call.id)

    def call_ended(self, entry: CallLogEntry) -> None:
        """A finished call: its transcript is queued when it was recorded and allowed."""
        if (
            entry.recording_path
            and self.settings.transcribe
            and entry.duration_s > 0
            and self.transcripts.get(entry.call_id) is None
        ):
            self.jobs.submit(entry.call_id, entry.recording_path, self.settings.model)

    def with_summary(self, entry: CallLogEntry) -> CallLogEntry:
        """The entry whose notes end with the call's summary, when it has one."""
        transcript = self.transcripts.get(entry.call_id)
        if transcript is None or transcript.state != "done":
            return entry
        notes = with_summary(entry.notes, transcript.summary, transcript.action_items)
        return entry.model_copy(update={"notes": notes[:32_000]})

    def _done(self, transcript: trn.Transcript) -> None:
        self._refresh(transcript.call_id)

    def _refresh(self, call_id: str) -> None:
        """Puts the summary in the call's log entry and its pending write-back, now due."""
        found = self.store.call(call_id)
        if found is None or found[1] != "ended":
            return
        entry = self.with_summary(found[0])
        self.store.call_ended(entry)
        if self.write_backs is not None:
            self.write_backs.call_ended(entry)
        due = max(datetime.now(UTC), entry.ended_at + self.wrapup)
        self.outbox.release(entry.idempotency_key, due)


class SummaryWriteBacks(WriteBacks):
    """Write-backs whose call log carries the call's summary when there is one."""

    def __init__(
        self,
        outbox: Outbox,
        connectors: Mapping[str, Connector],
        poke: Callable[[], None],
        transcripts: CallTranscripts,
    ) -> None:
        super().__init__(outbox, connectors, poke, transcripts.wrapup_end)
        self._transcripts = transcripts
        transcripts.write_backs = self

    def call_ended(self, entry: CallLogEntry, *, final: bool = False) -> None:
        if not final and not self._transcripts.jobs.pending(entry.call_id):
            self._transcripts.call_ended(entry)  # first sight of the ended call queues it
        merged = self._transcripts.with_summary(entry)
        if merged.notes != entry.notes:  # wrap-up notes saved over the summary: keep both
            self._transcripts.store.call_ended(merged)
        super().call_ended(merged, final=final)


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("recording the call failed: %s", task.exception())


def transcript_handlers(transcripts: CallTranscripts) -> dict[str, Handler]:
    home = transcripts.home

    def _result() -> trn.TranscriptSettingsResult:
        installed = models.installed(home, transcripts.settings.model) is not None
        return trn.TranscriptSettingsResult(
            settings=transcripts.settings, model_installed=installed
        )

    async def settings(
        caller: Caller, params: trn.TranscriptSettingsParams
    ) -> trn.TranscriptSettingsResult:
        updated = changed(transcripts.settings, params)
        if updated != transcripts.settings:
            save_transcript_settings(home, updated)
            transcripts.settings = updated
            if params.retention_days:
                purge(transcripts.transcripts, transcripts.recordings_dir, updated.retention_days)
        return _result()

    async def get(caller: Caller, params: trn.TranscriptRef) -> trn.TranscriptResult:
        return trn.TranscriptResult(transcript=transcripts.transcripts.get(params.call_id))

    async def set_summary(
        caller: Caller, params: trn.TranscriptSummaryParams
    ) -> trn.TranscriptResult:
        items = [item.strip()[:500] for item in params.action_items if item.strip()]
        if not transcripts.transcripts.edit_summary(params.call_id, params.summary, items):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no transcript for call {params.call_id}")
        transcripts._refresh(params.call_id)
        return trn.TranscriptResult(transcript=transcripts.transcripts.get(params.call_id))

    async def delete(caller: Caller, params: trn.TranscriptRef) -> trn.TranscriptDeleteResult:
        found = transcripts.store.call(params.call_id)
        recording = found[0].recording_path if found else None
        files, gone = delete_recording(transcripts.transcripts, params.call_id, recording)
        if found is not None and recording:
            entry = found[0].model_copy(update={"recording_path": None})
            if found[1] == "ended":
                transcripts.store.call_ended(entry)
        return trn.TranscriptDeleteResult(deleted_files=files, deleted_transcript=gone)

    return {
        "transcript.settings": settings,
        "transcript.get": get,
        "transcript.set_summary": set_summary,
        "transcript.delete": delete,
    }
