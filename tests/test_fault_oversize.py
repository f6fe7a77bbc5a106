"""Fault: a reply too big for one socket frame (16 MiB).

500 logged calls whose notes are 32,000 emoji each (4 bytes apiece in UTF-8) make a
`calllog.list` reply of about 64 MB. The client that asked gets an error reply with
its request id (`frame_too_large`) and keeps its connection; other clients see nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rolecall.client import DaemonClient, DaemonError
from rolecall.paths import Home
from rolecall.protocol.calllog import CallLogEntry
from rolecall.store.store import Store
from support.daemons import start_daemon, stop_daemon


def test_a_reply_over_the_frame_limit_is_an_error_reply_not_a_lost_connection(
    rc_home: Home,
) -> None:
    store = Store(rc_home.data_dir / "rolecall.db")
    now = datetime.now(UTC)
    for index in range(500):
        store.call_ended(
            CallLogEntry(
                call_id=f"{index:032x}",
                idempotency_key=f"rolecall:{index:032x}",
                direction="outbound",
                number="+14155550132",
                started_at=now,
                ended_at=now,
                duration_s=0,
                end_cause="normal",
                notes="☎" * 32_000 if index % 2 else "😀" * 32_000,
            )
        )
    store.close()
    daemon = start_daemon(rc_home)
    try:
        with DaemonClient.open(rc_home, start=False, name="oversize") as client:
            try:
                client.request("calllog.list", {"limit": 500})
            except DaemonError as exc:
                assert exc.code == "frame_too_large", exc
            else:
                raise AssertionError("a 64 MB reply was sent in one frame")
            # the same connection still works
            assert client.request("ping", {"echo": "x"})["echo"] == "x"
            assert len(client.request("calllog.list", {"limit": 20})["calls"]) == 20
        assert daemon.process.poll() is None
    finally:
        stop_daemon(daemon)
