"""What the demo's people say on a call: a WAV per line of speech.

With espeak-ng installed (Debian `espeak-ng`) the line is spoken by it; without, a
voice-like stand-in is generated: syllables of a voiced sound (a pitch with harmonics
shaped like vowels) with a rising and falling envelope and pauses between words, so
the far end hears something that sounds like speech rather than a test tone. Either
way the file ends in a few seconds of silence, so that looping it sounds like a person
who says something and then listens. 16-bit mono; the generated one at 16 kHz.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

__all__ = ["espeak_available", "speech_wav"]

RATE = 16_000
_VOWEL_FORMANTS = ((730, 1090), (270, 2290), (530, 1840), (570, 840), (300, 870), (660, 1720))


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speech_wav(text: str, path: Path, *, voice: str = "en-us", pause_s: float = 3.0) -> str:
    """Writes `text` spoken into `path`; returns how: "espeak-ng" or "generated"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    how = "generated"
    if espeak_available():
        result = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), "--", text],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode == 0 and path.exists() and path.stat().st_size > 44:
            how = "espeak-ng"
    if how == "generated":
        _write(path, RATE, _voice_like(text))
    _append_silence(path, pause_s)
    return how


def _voice_like(text: str) -> list[float]:
    """Samples in [-1, 1]: a syllable per vowel group of each word, a pause per space."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    samples: list[float] = []
    words = text.split() or ["hello"]
    for w_index, word in enumerate(words):
        syllables = max(
            1,
            sum(
                1
                for i, c in enumerate(word)
                if c in "aeiouy" and (i == 0 or word[i - 1] not in "aeiouy")
            ),
        )
        for s_index in range(syllables):
            n = w_index * 7 + s_index + seed
            duration = 0.14 + (n % 5) * 0.025
            pitch = 120 + 30 * math.sin(n * 0.9) + (15 if w_index == 0 else 0)
            f1, f2 = _VOWEL_FORMANTS[n % len(_VOWEL_FORMANTS)]
            samples += _syllable(duration, pitch, f1, f2)
        samples += [0.0] * int(RATE * (0.09 if not word.endswith((",", ".")) else 0.3))
    return samples


def _syllable(duration: float, pitch: float, f1: float, f2: float) -> list[float]:
    count = int(RATE * duration)
    harmonics = []
    for k in range(1, int(3500 / pitch)):
        freq = k * pitch
        weight = math.exp(-(((freq - f1) / 180) ** 2)) + 0.5 * math.exp(-(((freq - f2) / 250) ** 2))
        harmonics.append((2 * math.pi * freq / RATE, weight / k**0.5))
    total = sum(w for _, w in harmonics) or 1.0
    out = []
    for i in range(count):
        envelope = math.sin(math.pi * i / count) ** 0.6
        value = sum(w * math.sin(step * i) for step, w in harmonics) / total
        out.append(0.6 * envelope * value)
    return out


def _write(path: Path, rate: int, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(struct.pack("<h", int(32767 * max(-1.0, min(1.0, s)))) for s in samples)
        )


def _append_silence(path: Path, seconds: float) -> None:
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        frames = source.readframes(source.getnframes())
    silence = b"\x00" * (int(params.framerate * seconds) * params.sampwidth * params.nchannels)
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(frames + silence)
