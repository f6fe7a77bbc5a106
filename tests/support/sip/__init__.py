"""Real SIP peers for tests, all on 127.0.0.1 and all stopped by pid.

- `ports`: free loopback UDP+TCP ports.
- `sipp`: SIPp running a built-in or `tests/sip/scenarios/*.xml` scenario.
- `kamailio`: Kamailio as registrar and proxy for alice, bob, carol, dave @ rolecall.test.
- `peer` / `peer_client`: a pjsua2 endpoint in its own process, driven by JSON lines.
- `capture`: tshark on the loopback interface, and readers for SIP and RTP in the capture.

Importing this package imports nothing heavy (pjsua2 is only loaded in the peer process).
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

LOOPBACK = "127.0.0.1"


def group_pids(pgid: int) -> list[int]:
    """Live (not zombie) processes whose process group is `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


def kill_group_leftovers(pgid: int) -> None:
    """SIGKILL every live process still in group `pgid` (a session this test started)."""
    for pid in group_pids(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
