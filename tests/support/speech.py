"""Two-party calls made of synthetic speech: espeak-ng voices, laid out on two channels.

`make_call(script, folder)` speaks each line with its party's voice, places the lines one
after another with a pause, and writes `call.wav` (mixed), `call.mic.wav` (the user's
lines) and `call.far.wav` (the other party's), 16 kHz mono, the layout a recorded call
has. `telephone=True` band-limits both channels to 300–3400 Hz with sox, as a phone line.
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16000
VOICES = {"user": "en-us", "far": "en-us+m3"}


@dataclass(frozen=True)
class Line:
    speaker: str  # "user" or "far"
    text: str


@dataclass(frozen=True)
class Said:
    speaker: str
    start_s: float
    end_s: float
    text: str


def speak(text: str, voice: str, folder: Path, name: str, telephone: bool = False) -> np.ndarray:
    raw = folder / f"{name}.raw.wav"
    out = folder / f"{name}.16k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "-w", str(raw), text], check=True)
    effects = ["sinc", "300-3400"] if telephone else []
    subprocess.run(
        ["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out), *effects], check=True
    )
    with wave.open(str(out)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").copy()


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.astype("<i2").tobytes())


def make_call(
    script: list[Line], folder: Path, *, telephone: bool = False, pause_s: float = 0.7
) -> tuple[Path, list[Said]]:
    """The mixed recording's path (channel files beside it) and when each line was said."""
    pieces = [
        speak(line.text, VOICES[line.speaker], folder, f"line{i}", telephone)
        for i, line in enumerate(script)
    ]
    gap = int(pause_s * RATE)
    total = gap + sum(len(p) + gap for p in pieces)
    channels = {"user": np.zeros(total, np.int16), "far": np.zeros(total, np.int16)}
    said = []
    at = gap
    for line, piece in zip(script, pieces, strict=True):
        channels[line.speaker][at : at + len(piece)] = piece
        said.append(Said(line.speaker, at / RATE, (at + len(piece)) / RATE, line.text))
        at += len(piece) + gap
    mixed = folder / "call.wav"
    write_wav(folder / "call.mic.wav", channels["user"])
    write_wav(folder / "call.far.wav", channels["far"])
    both = channels["user"].astype(np.int32) + channels["far"].astype(np.int32)
    write_wav(mixed, np.clip(both, -32768, 32767).astype(np.int16))
    return mixed, said


def words(text: str) -> set[str]:
    return {w.strip(".,!?;:'\"").lower() for w in text.split()}


SALES_CALL = [
    Line(
        "user",
        "Hello, this is Anna from Northwind. "
        "I am calling about the proposal for the warehouse scanners.",
    ),
    Line("far", "Thanks Anna. We reviewed the pricing, and the budget looks fine."),
    Line("far", "Our finance team wants a discount on the support contract."),
    Line("user", "I will send the revised quote by Friday."),
    Line("far", "Good. The next step is a demo for our technical team."),
    Line("user", "Great. I will book the demo for next Tuesday."),
]
KEY_TERMS = {
    "proposal",
    "warehouse",
    "scanners",
    "pricing",
    "budget",
    "discount",
    "quote",
    "friday",
    "demo",
}
