"""Transcripts being made: a queue in the daemon and one worker process at a time.

A recorded call that ended is queued (with the user's consent, see `settings`); the
worker (`rolecall transcript work`, a separate process at low priority) reports progress
as JSON lines, which become `transcript.progress` events; its result is stored here on
the daemon's thread and handed to `on_done` (which puts the summary in the call's log
entry). A transcript a stopped daemon left unfinished is queued again at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rolecall.invocation import rolecall_command
from rolecall.paths import Home
from rolecall.protocol.transcript import Transcript, TranscriptState, Turn
from rolecall.transcript.store import TranscriptStore

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any]], object]
WORKER_THREADS = 2
WORKER_TIMEOUT_S = 3600.0


class TranscriptJobs:
    def __init__(
        self,
        home: Home,
        store: TranscriptStore,
        emit: Emit,
        on_done: Callable[[Transcript], None] = lambda transcript: None,
        command: Callable[..., list[str]] = rolecall_command,
    ) -> None:
        self.home = home
        self.store = store
        self._emit = emit
        self._on_done = on_done
        self._command = command
        self._queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
        self._pending: set[str] = set()
        self._process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        for call_id, recording, model in self.store.unfinished():
            self._enqueue(call_id, recording, model)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def pending(self, call_id: str) -> bool:
        """Whether the call's transcript is queued or being made now."""
        return call_id in self._pending

    def submit(self, call_id: str, recording: str, model: str) -> None:
        """Queues a transcript of the recording `recording` (the mixed WAV's path)."""
        self.store.queue(call_id, recording, model)
        self._enqueue(call_id, recording, model)

    def _enqueue(self, call_id: str, recording: str, model: str) -> None:
        self._pending.add(call_id)
        self._progress(call_id, "queued", "queued", 0.0)
        self._queue.put_nowait((call_id, recording, model))

    def _progress(
        self, call_id: str, state: TranscriptState, stage: str, share: float, summary: str = ""
    ) -> None:
        self._emit(
            "transcript.progress",
            {
                "call_id": call_id,
                "state": state,
                "stage": stage,
                "progress": max(0.0, min(1.0, share)),
                "summary": summary,
            },
        )

    async def _run(self) -> None:
        while True:
            call_id, recording, model = await self._queue.get()
            try:
                await self._one(call_id, recording, model)
            except Exception as exc:  # one bad job never stops the queue
                log.exception("transcript of %s failed", call_id)
                self._failed(call_id, f"{type(exc).__name__}: {exc}")
            finally:
                self._pending.discard(call_id)

    def _failed(self, call_id: str, error: str) -> None:
        self.store.set_state(call_id, "failed", error)
        self._progress(call_id, "failed", "failed", 1.0)
        failed = self.store.get(call_id)
        if failed is not None:
            self._on_done(failed)

    async def _one(self, call_id: str, recording: str, model: str) -> None:
        if self.store.get(call_id) is None:  # deleted while it waited
            return
        self.store.set_state(call_id, "running")
        self._progress(call_id, "running", "speech", 0.0)
        argv = self._command(
            "transcript",
            "work",
            "--home",
            str(self.home.root),
            "--recording",
            recording,
            "--model",
            model,
            "--threads",
            str(WORKER_THREADS),
        )
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._process = process
        log.info("transcribing %s (worker pid %d, model %s)", call_id, process.pid, model)
        result: dict[str, Any] | None = None
        error = ""
        assert process.stdout is not None and process.stderr is not None
        stderr_task = asyncio.get_running_loop().create_task(process.stderr.read())
        try:
            async with asyncio.timeout(WORKER_TIMEOUT_S):
                async for raw in process.stdout:
                    try:
                        line = json.loads(raw)
                    except ValueError:
                        continue
                    if "result" in line:
                        result = line["result"]
                    elif "error" in line:
                        error = str(line["error"])
                    elif "stage" in line:
                        self._progress(
                            call_id, "running", str(line["stage"]), float(line["progress"])
                        )
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
            error = "the worker took too long"
        finally:
            self._process = None
        stderr = (await stderr_task).decode(errors="replace").strip()
        if result is None:
            detail = error or stderr.splitlines()[-1:] or [f"exit {process.returncode}"]
            self._failed(call_id, detail if isinstance(detail, str) else detail[0])
            return
        if self.store.get(call_id) is None:  # deleted while it ran
            return
        turns = [Turn.model_validate(t) for t in result["turns"]]
        self.store.finish(
            call_id,
            turns,
            str(result["summary"]),
            list(result["action_items"]),
            float(result["audio_s"]),
        )
        log.info(
            "transcript of %s: %d turns from %.1f s of audio in %.1f s",
            call_id,
            len(turns),
            result["audio_s"],
            result["seconds"],
        )
        done = self.store.get(call_id)
        assert done is not None
        self._progress(call_id, "done", "done", 1.0, done.summary)
        self._on_done(done)


def recording_exists(recording: str) -> bool:
    return bool(recording) and Path(recording).exists()
