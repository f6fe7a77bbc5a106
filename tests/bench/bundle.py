"""Bundle benchmarks: the PyInstaller host's cold start to its first `hello` reply, against
the venv's (`python -m rolecall`), and the bundle's size.

Each start is what a browser does: spawn the host with `chrome-extension://<id>/`, send
one `hello` frame on stdin, time until the reply frame arrives, close stdin. Two cases:
the daemon already running (the shim's own start, what every new native port costs) and
no daemon (the shim starts the daemon first: the first port after login). Runs of the
bundle and the venv are interleaved so both see the same machine load.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rolecall.client import DaemonClient
from rolecall.framing.native import decode_json, read_frame
from rolecall.identity import CHROMIUM_EXTENSION_ID
from rolecall.install.probe import hello_frame
from rolecall.paths import Home
from support.daemons import prepare_home
from support.processes import daemon_pid, pid_alive, stop_pid

Line = dict[str, object]
REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "dist" / "rolecall" / "rolecall"
ORIGIN = f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"
WARM_ROUNDS = 9
COLD_ROUNDS = 3


def _hello_ms(command: list[str], home: Home) -> float:
    """Spawn to the hello reply, in ms; the host is then let go as a browser would."""
    env = {**os.environ, "ROLECALL_HOME": str(home.root), "ROLECALL_KEYRING": "file"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, ORIGIN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(hello_frame())
    process.stdin.flush()
    while True:
        body = read_frame(process.stdout)
        if body is None:
            raise RuntimeError(f"{command[0]} exited without answering hello")
        reply = decode_json(body)
        if isinstance(reply, dict) and reply.get("kind") == "response":
            break
    elapsed = (time.perf_counter() - started) * 1000
    if not reply.get("ok"):
        raise RuntimeError(f"{command[0]} answered hello with {reply}")
    process.stdin.close()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()
    return elapsed


def _stop_daemon(home: Home) -> None:
    pid = daemon_pid(home)
    if not pid:
        return
    with contextlib.suppress(OSError), DaemonClient.open(home, start=False) as client:
        client.request("daemon.stop", {"reason": "benchmark"})
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop_pid(pid)


def _interleaved(rounds: int, measure: Callable[[list[str]], float]) -> tuple[float, float]:
    bundle: list[float] = []
    venv: list[float] = []
    for _ in range(rounds):
        bundle.append(measure([str(BUNDLE)]))
        venv.append(measure([sys.executable, "-m", "rolecall"]))
    return statistics.median(bundle), statistics.median(venv)


def _size_mb(root: Path) -> float:
    total = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return total / 1e6


def run() -> list[Line]:
    if not BUNDLE.is_file():
        raise FileNotFoundError(f"no bundle at {BUNDLE}: run `make dist`")
    home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-bench-bundle-", dir="/tmp"))))
    try:
        _hello_ms([str(BUNDLE)], home)  # starts the daemon; page caches warm for both
        warm_bundle, warm_venv = _interleaved(WARM_ROUNDS, lambda cmd: _hello_ms(cmd, home))
        _stop_daemon(home)

        def cold(command: list[str]) -> float:
            try:
                return _hello_ms(command, home)
            finally:
                _stop_daemon(home)

        cold_bundle, cold_venv = _interleaved(COLD_ROUNDS, cold)
    finally:
        _stop_daemon(home)
        shutil.rmtree(home.root, ignore_errors=True)
    size = _size_mb(BUNDLE.parent)
    debs = sorted((REPO / "dist").glob("rolecall_*.deb"))
    lines: list[Line] = [
        {
            "name": "bundle_first_hello_daemon_running",
            "value": round(warm_bundle, 1),
            "unit": "ms",
            "baseline": round(warm_venv, 1),
            "ratio": round(warm_bundle / warm_venv, 3),
            "goal": 100,
            "samples": WARM_ROUNDS,
            "path": "spawn the host → hello reply (baseline: python -m rolecall from the venv)",
        },
        {
            "name": "bundle_first_hello_daemon_started",
            "value": round(cold_bundle, 1),
            "unit": "ms",
            "baseline": round(cold_venv, 1),
            "ratio": round(cold_bundle / cold_venv, 3),
            "samples": COLD_ROUNDS,
            "path": "spawn the host, which starts the daemon → hello reply",
        },
        {
            "name": "bundle_size",
            "value": round(size, 1),
            "unit": "MB",
            "files": sum(1 for _ in BUNDLE.parent.rglob("*")),
        },
    ]
    if debs:
        deb_mb = debs[-1].stat().st_size / 1e6
        lines.append(
            {
                "name": "deb_size",
                "value": round(deb_mb, 1),
                "unit": "MB",
                "baseline": round(size, 1),
                "ratio": round(deb_mb / size, 3),
                "note": "compressed package vs the bundle it holds",
            }
        )
    return lines


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(REPO / "tests"))
    for line in run():
        print(json.dumps(line), flush=True)
