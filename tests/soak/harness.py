"""What the load and soak tests share: a daemon with a deal in its store, the load
generator run as its own process, a run of calls against SIPp, and where results go."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rolecall.client import DaemonClient
from rolecall.demo.dataset import demo_dataset
from rolecall.paths import Home
from rolecall.store.store import Store
from soak.load import proc_sample
from support.calls import place, wait_call
from support.sip.sipp import SippPeer

LOAD = Path(__file__).with_name("load.py")
RESULTS = Path(__file__).resolve().parents[2] / "test-output" / "soak"


def load_demo_deal(home: Home) -> str:
    """Loads the demo dataset into the home's store; the id of its first opportunity."""
    documents = Path(tempfile.mkdtemp(prefix="rc-docs-"))
    dataset = demo_dataset(documents)
    store = Store(home.data_dir / "rolecall.db")
    store.load(dataset)
    store.close()
    return dataset.opportunities[0].id


def run_load(
    home: Home, *, clients: int, rate: float, seconds: float, method: str, payload: Any = None
) -> dict[str, Any]:
    """`load.py` against the daemon of `home`, in its own process; its JSON result."""
    done = subprocess.run(
        [sys.executable, str(LOAD), str(home.root), "--clients", str(clients),
         "--rate", str(rate), "--seconds", str(seconds), "--method", method,
         "--payload", json.dumps(payload or {})],
        capture_output=True, text=True, timeout=seconds + 120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def call_run(client: DaemonClient, peer: SippPeer, calls: int, pid: int) -> dict[str, Any]:
    """`calls` calls in a row to `peer` (answered, 0.2 s up, hung up); samples of the
    daemon's RSS, threads and fds after every tenth call."""
    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    causes: dict[str, int] = {}
    for index in range(calls):
        call = place(client, peer.uri(f"soak{index}"))
        wait_call(client, call["id"], "confirmed", timeout=20)
        time.sleep(0.2)
        client.request("call.hangup", {"call_id": call["id"]})
        ended = wait_call(client, call["id"], "disconnected", timeout=20)
        causes[ended["end_cause"]] = causes.get(ended["end_cause"], 0) + 1
        if index % 10 == 9 or index == 0:
            samples.append({"call": index + 1, **proc_sample(pid)})
    live = [c for c in client.request("calls.list")["calls"] if c["state"] != "disconnected"]
    return {
        "calls": calls,
        "seconds": round(time.monotonic() - started, 1),
        "end_causes": causes,
        "live_after": len(live),
        "samples": samples,
    }


def record(name: str, result: dict[str, Any]) -> None:
    """Keeps a run's result as JSON under test-output/soak/ (for docs/RELIABILITY.md)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))


def rss_growth_kib(samples: list[dict[str, Any]], skip: int) -> int:
    """RSS growth from the sample `skip` (after warm-up) to the last."""
    steady = samples[skip:]
    return int(steady[-1]["rss_kib"] - steady[0]["rss_kib"])
