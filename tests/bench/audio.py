"""Audio benchmarks: the delay our path adds, one call's CPU, and a long call's drift.

A private PulseAudio server stands in for the sound card; the daemon runs as a process
with its audio engine on it, and a SIPp peer echoes the call's RTP back:

- `audio_mic_path_delay` / `audio_speaker_path_delay`: what our path adds between the
  sound card and the bridge port (the stream's latency as PortAudio reports it, plus the
  mean wait in our jitter buffer, plus one 20 ms frame on the bridge), from the daemon's
  periodic buffer counters;
- `audio_call_cpu`: the daemon's CPU during an echoed call (from its 10th second, up to a
  minute), with the idle daemon (audio on, its streams closed) as baseline, and
  `audio_call_path_cpu` the difference (goal 5 %), with its first 10 s beside it;
- a long call (`ROLECALL_BENCH_AUDIO_S`, 600 s by default): the buffers' mean delay in the
  last tenth of its 10 s windows minus the first tenth (growth), the worst window, and
  underruns, drops and the sound server's xruns over the whole call (goal 0), with the
  longest a producer was late and the machine's load average, which explain them;
- `audio_in/out_callback_stalls`: sound card callbacks that ran late, split into this
  process's (the Python code started ≥ 40 ms after PortAudio's own stamp) and the
  machine's (PortAudio's stamp itself came late), with the longest garbage collection.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for `support`

from rolecall.audio.engine import IDLE_CLOSE_S
from rolecall.client import DaemonClient
from rolecall.paths import Home
from support.audio.pulse import PulseServer
from support.calls import place, wait_call
from support.daemons import prepare_home, start_daemon, stop_daemon
from support.sip.sipp import SippPeer

Line = dict[str, object]
WINDOW_S = 10
STEADY_AFTER_S = 10.0
"""The call's first seconds (streams starting, the canceller converging) are measured
apart from its steady state, which is what the 5 % goal is about."""
SETTLE_S = IDLE_CLOSE_S + 5
_STATS = re.compile(
    r"audio buffers: mic BufferStats\((.*?)\); speaker BufferStats\((.*?)\); "
    r"latency in (\w+) ms, out (\w+) ms(?:; xruns in (\d+), out (\d+))?"
    r"(?:; .*?; stalls in StallStats\((.*?)\), out StallStats\((.*?)\); gc max ([\d.]+) ms)?"
)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_percent(pid: int, seconds: float) -> float:
    start, began = _cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (_cpu_seconds(pid) - start) / (time.monotonic() - began)


def _windows(log: str) -> list[dict[str, float]]:
    """Each logged window: mic_/speaker_ counters and the two stream latencies."""
    windows = []
    for match in _STATS.finditer(log):
        window: dict[str, float] = {}
        for name, text in (("mic", match.group(1)), ("speaker", match.group(2))):
            for key, value in re.findall(r"(\w+)=(-?[\d.]+)", text):
                window[f"{name}_{key}"] = float(value)
        for name, value in (("in", match.group(3)), ("out", match.group(4))):
            window[f"latency_{name}"] = float(value) if value != "None" else float("nan")
        for name, value in (("mic", match.group(5)), ("speaker", match.group(6))):
            window[f"{name}_xruns"] = float(value or 0)
        for name, text in (("in", match.group(7)), ("out", match.group(8))):
            for key, value in re.findall(r"(\w+)=(-?[\d.]+)", text or ""):
                window[f"stall_{name}_{key}"] = float(value)
        window["gc_max_ms"] = float(match.group(9) or 0)
        windows.append(window)
    return windows


def run() -> list[Line]:
    seconds = float(os.environ.get("ROLECALL_BENCH_AUDIO_S", "600"))
    # A desktop's sound server runs its I/O threads at realtime priority (rtkit); so does
    # this one unless ROLECALL_BENCH_AUDIO_RT=0, so the stalls counted are ours or the kernel's.
    realtime = os.environ.get("ROLECALL_BENCH_AUDIO_RT", "1") != "0"
    pulse = PulseServer().start(realtime=realtime)
    saved = {
        key: os.environ.get(key) for key in (*pulse.env, "ROLECALL_AUDIO_STATS_S", "ROLECALL_AUDIO")
    }
    os.environ.update(
        {**pulse.env, "ROLECALL_AUDIO_STATS_S": str(WINDOW_S), "ROLECALL_AUDIO": "on"}
    )
    home = prepare_home(Home(Path(tempfile.mkdtemp(prefix="rc-bench-", dir="/tmp"))))
    daemon = start_daemon(home)
    peer: SippPeer | None = None
    try:
        with DaemonClient.open(home, start=False, name="bench") as client:
            for _ in range(50):
                state = client.request("audio.devices")["state"]
                if state["input"] and state["output"]:
                    break
                time.sleep(0.2)
            time.sleep(SETTLE_S)  # start-up done, the devices' first look closed again
            idle = _cpu_percent(daemon.pid, 10)
            # It rings 2 s before it answers, like a person: the streams the daemon opens
            # when the call is placed are running by the time its audio starts.
            scenario = Path(__file__).resolve().parent / "scenarios" / "uas_ring_answer.xml"
            peer = SippPeer(str(scenario), rtp_echo=True, timeout=int(seconds) + 120).start()
            call = place(client, peer.uri())
            wait_call(client, call["id"], "confirmed")
            called_at = time.monotonic()
            starting = _cpu_percent(daemon.pid, min(STEADY_AFTER_S, seconds / 4))
            busy = _cpu_percent(daemon.pid, min(60.0, seconds / 2))
            load = [os.getloadavg()[0]]
            time.sleep(max(0.0, seconds - (time.monotonic() - called_at)))
            load.append(os.getloadavg()[0])
            client.request("call.hangup", {"call_id": call["id"]})
            wait_call(client, call["id"], "disconnected")
    finally:
        stop_daemon(daemon)
        if peer is not None:
            peer.cleanup()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        log = home.daemon_log.read_text(errors="replace")
        if os.environ.get("ROLECALL_BENCH_AUDIO_LOG"):  # the daemon's log, to read later
            Path(os.environ["ROLECALL_BENCH_AUDIO_LOG"]).write_text(log)
        pulse.stop()
        shutil.rmtree(home.root, ignore_errors=True)
    lines: list[Line] = [{
        "name": "audio_call_cpu", "value": round(busy, 2), "unit": "% of a core",
        "baseline": round(idle, 2), "ratio": round(busy / idle, 3) if idle else None,
        "what": "the daemon during one echoed call; baseline: the same daemon idle",
    }, {
        "name": "audio_call_path_cpu", "value": round(busy - idle, 2), "unit": "% of a core",
        "goal": 5.0, "what": "what the call adds to the idle daemon (audio on, streams closed)",
        "first_s_of_call": round(starting - idle, 2),
    }]  # fmt: skip
    # Windows wholly inside the call: the mic buffer is popped only while a call is up.
    windows = [w for w in _windows(log) if w.get("mic_popped", 0) > 0][1:-1]
    if windows:
        first = windows[0]
        for name, latency in (("mic", "latency_in"), ("speaker", "latency_out")):
            lines.append({
                "name": f"audio_{name}_path_delay",
                "value": round(first[latency] + first[f"{name}_mean_delay_ms"] + 20, 1),
                "unit": "ms", "stream_latency_ms": first[latency],
                "buffer_ms": first[f"{name}_mean_delay_ms"],
            })  # fmt: skip
            means = [w[f"{name}_mean_delay_ms"] for w in windows]
            head, tail = means[: max(1, len(means) // 10)], means[-max(1, len(means) // 10) :]
            lines.append({
                "name": f"audio_{name}_delay_growth",
                "value": round(sum(tail) / len(tail) - sum(head) / len(head), 1),
                "unit": "ms", "call_s": seconds, "windows": len(windows),
                "first_tenth_ms": round(sum(head) / len(head), 1),
                "last_tenth_ms": round(sum(tail) / len(tail), 1), "max_window_ms": max(means),
            })  # fmt: skip
        final = _windows(log)[-1]
        for name in ("mic", "speaker"):
            # Between the end of the call's first whole window and the end of its last:
            # the steady call, without the stream's start and the hang-up at its edges.
            for key in ("underruns", "dropped"):
                lines.append({
                    "name": f"audio_{name}_{key}_mid_call",
                    "value": int(windows[-1][f"{name}_{key}"] - windows[0][f"{name}_{key}"]),
                    "unit": "frames", "baseline": 0,
                    "of_frames": int(windows[-1][f"{name}_popped"] - windows[0][f"{name}_popped"]),
                    "at_edges": int(final[f"{name}_{key}"])
                    - int(windows[-1][f"{name}_{key}"] - windows[0][f"{name}_{key}"]),
                })  # fmt: skip
        for name in ("mic", "speaker"):
            # How late the producer ran at worst: what starved the buffer, if anything.
            gaps = [w.get(f"{name}_max_gap_ms", 0.0) for w in windows]
            for key in ("underruns", "dropped", "xruns"):
                lines.append({
                    "name": f"audio_{name}_{key}", "value": int(final[f"{name}_{key}"]),
                    "unit": "frames", "baseline": 0, "of_frames": int(final[f"{name}_popped"]),
                    "call_s": seconds, "worst_producer_gap_ms": max(gaps),
                    "target_frames_at_end": int(final.get(f"{name}_target", 0)),
                    "loadavg_1m": [round(v, 2) for v in load],
                })  # fmt: skip
        for side in ("in", "out"):
            # Who made a sound card callback late: this process (waits: the interpreter
            # lock, a collection) or the machine and its sound server (lates).
            lines.append({
                "name": f"audio_{side}_callback_stalls",
                "value": int(final.get(f"stall_{side}_waits", 0)), "unit": "callbacks",
                "what": "started ≥ 40 ms after PortAudio stamped them: this process's stalls",
                "machine_lates": int(final.get(f"stall_{side}_lates", 0)),
                "worst_wait_ms": max(w.get(f"stall_{side}_wait_max_ms", 0.0) for w in windows),
                "worst_late_ms": max(w.get(f"stall_{side}_late_max_ms", 0.0) for w in windows),
                "worst_gc_ms": max(w.get("gc_max_ms", 0.0) for w in windows),
                "loadavg_1m": [round(v, 2) for v in load],
            })  # fmt: skip
    return lines


if __name__ == "__main__":
    import json

    for result in run():
        print(json.dumps(result), flush=True)
