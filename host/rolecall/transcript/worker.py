"""The transcription worker: a separate process at low priority that turns one recorded
call into turns, a summary and action items, and prints them as JSON lines.

It lowers its own priority (`nice`, and Linux's idle scheduling class) and keeps the model
to `threads` CPU threads, so the daemon's calls never wait for it. Each stdout line is one
JSON object: progress (`{"stage": "model"|"speech"|"summary", "progress": 0..1}`) and at
the end `{"result": …}` or `{"error": "…"}`. It reads the channel files and the model; it
writes nothing but the model on first use, and sends nothing anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from rolecall.paths import Home
from rolecall.telephony.recording_names import channel_paths

NICE = 10


def _say(**fields: object) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def hold_threads(threads: int) -> None:
    """Math libraries held to `threads` threads (before they are loaded)."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)


def lower_priority(threads: int) -> None:
    """Below the daemon: niced, idle class on Linux, `threads` threads."""
    hold_threads(threads)
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICE)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        # Linux: the worker runs only on CPU time nothing else wants, so the daemon's
        # calls never wait for it (it takes longer on a busy machine instead)
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


COMPONENT = "components/transcription"
"""Where an installation without the engine (the bundle) finds it: a folder of packages."""


class EngineMissing(Exception):
    """The transcription engine is not installed with this Rolecall."""


def load_engine(home: Home) -> None:
    """Makes the engine importable: from this installation, else from the optional
    component folder in the state directory (`pip install --target` of the engine)."""
    component = home.root / COMPONENT
    if component.is_dir() and str(component) not in sys.path:
        sys.path.append(str(component))
    try:
        import faster_whisper  # noqa: F401
        import summa  # noqa: F401
        import webrtcvad  # noqa: F401
    except ImportError as exc:
        raise EngineMissing(
            f"the transcription engine is not installed ({exc.name} is missing): "
            f"install the optional component into {component} (docs/TRANSCRIPTS.md)"
        ) from exc


def run(home: Home, recording: Path, model: str, threads: int) -> dict[str, object]:
    """Transcribes and summarises one call; the result as JSON-ready fields."""
    load_engine(home)
    from rolecall.transcript import models
    from rolecall.transcript.engine import Channel, Transcriber
    from rolecall.transcript.summary import summarize

    last = [0.0]

    def fetched(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5 or done == total:
            last[0] = now
            _say(stage="model", progress=round(done / total, 3) if total else 0.0)

    folder = models.ensure(home, model, progress=fetched)
    started = time.monotonic()
    transcriber = Transcriber(folder, threads=threads)
    user, far = channel_paths(recording)
    channels = [Channel("user", user), Channel("far", far)]
    missing = [str(c.path) for c in channels if not c.path.exists()]
    if missing:
        raise FileNotFoundError(f"channel file(s) missing: {', '.join(missing)}")
    turns, length = transcriber.transcribe(
        channels, lambda share: _say(stage="speech", progress=round(share, 3))
    )
    _say(stage="summary", progress=1.0)
    summary = summarize(turns)
    return {
        "turns": [turn.model_dump() for turn in turns],
        "summary": summary.text,
        "action_items": summary.action_items,
        "audio_s": round(length, 2),
        "seconds": round(time.monotonic() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rolecall transcript work")
    parser.add_argument("--home", required=True)
    parser.add_argument("--recording", required=True)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--priority", choices=("low", "normal"), default="low", help="normal: benchmarks only"
    )
    args = parser.parse_args(argv)
    if args.priority == "low":
        lower_priority(args.threads)
    else:
        hold_threads(args.threads)
    try:
        result = run(Home(Path(args.home)), Path(args.recording), args.model, args.threads)
    except Exception as exc:
        text = str(exc) if isinstance(exc, EngineMissing) else f"{type(exc).__name__}: {exc}"
        _say(error=text[:500])
        return 1
    _say(result=result)
    return 0
