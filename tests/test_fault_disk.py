"""Fault: the disk holding the database fills up while the daemon runs.

The home's `data/` is a 4 MiB tmpfs mounted by the test (a real ENOSPC from the kernel,
not a simulation), filled to the last byte with a filler file. Writes that a client
asked for fail with `unavailable` and say the disk is full; calls still work; nothing
already written is lost or corrupted (SQLite's integrity check after the fact), and
once space is back, writes work again without a restart. A call's log entry that cannot
be written is announced to every client as `calllog.write_failed`.

Needs root (or CAP_SYS_ADMIN) to mount; where that is refused, the test says so.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.paths import Home
from rolecall.protocol.records import Contact, Dataset
from rolecall.store.store import Store
from support.calls import place, wait_call, wait_event
from support.daemons import RunningDaemon, prepare_home, start_daemon, stop_daemon
from support.sip.sipp import SippPeer


@pytest.fixture
def small_disk_home() -> Iterator[Home]:
    root = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))
    home = prepare_home(Home(root))
    home.data_dir.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(home.data_dir)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"mounting a small tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield home
    finally:
        unmounted = subprocess.run(["umount", str(home.data_dir)], capture_output=True, text=True)
        if unmounted.returncode == 0:
            shutil.rmtree(root, ignore_errors=True)
        assert unmounted.returncode == 0, f"tmpfs left mounted: {unmounted.stderr}"


def fill(path: Path) -> None:
    """Writes `path` until the file system has no byte left."""
    block = b"\0" * 65536
    with path.open("wb", buffering=0) as filler:
        with contextlib.suppress(OSError):
            while True:
                filler.write(block)
        with contextlib.suppress(OSError):
            while True:
                filler.write(b"\0")


def note(client: DaemonClient, body: str) -> None:
    client.request("context.add_note", {"contact_id": "c-1", "body": body})


def test_full_disk_gives_a_clear_error_keeps_calls_working_and_corrupts_nothing(
    small_disk_home: Home,
) -> None:
    home = small_disk_home
    store = Store(home.data_dir / "rolecall.db")
    store.load(Dataset(contacts=[Contact(id="c-1", last_name="Lima")]))
    store.close()
    daemon: RunningDaemon = start_daemon(home)
    peer = SippPeer("uas_answer", rtp_echo=True, timeout=30).start()
    try:
        with (
            DaemonClient.open(home, start=False, name="disk-fault") as client,
            DaemonClient.open(home, start=False, name="disk-watcher") as watcher,
        ):
            note(client, "written before the disk filled")
            fill(home.data_dir / "filler")
            refused = 0
            for index in range(50):  # until SQLite runs out of pages it had in hand
                try:
                    note(client, f"note {index} " + "x" * 4000)
                except DaemonError as exc:
                    assert exc.code == "unavailable", exc
                    assert "full" in exc.message, exc.message
                    refused += 1
                    break
            assert refused, "writes on a full disk never failed"

            call = place(client, peer.uri("alice"))  # calls do not need the disk
            wait_call(client, call["id"], "confirmed")
            client.request("call.hangup", {"call_id": call["id"]})
            ended = wait_call(client, call["id"], "disconnected")
            assert ended["end_cause"] == "normal"
            # the call's log entry could not be written: every client is told, not just the log
            failed = wait_event(
                watcher, "calllog.write_failed", lambda p: p["call_id"] == call["id"]
            )
            assert "full" in failed["reason"], failed
            assert client.request("ping", {"echo": "x"})["echo"] == "x"

            (home.data_dir / "filler").unlink()
            note(client, "written after space came back")
        assert peer.wait() == 0
    finally:
        peer.cleanup()
        stop_daemon(daemon)
        log = home.daemon_log.read_text(errors="replace")
        print(log[-3000:])
    assert "disk is full" in log or "database or disk is full" in log
    db = sqlite3.connect(f"file:{home.data_dir / 'rolecall.db'}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        bodies = [row[0] for row in db.execute("SELECT body FROM notes ORDER BY id")]
    finally:
        db.close()  # an open file would keep the tmpfs busy
    assert bodies[0] == "written before the disk filled"
    assert bodies[-1] == "written after space came back"
