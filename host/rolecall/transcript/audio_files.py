"""Reading a channel file: a WAV as 16 kHz mono float samples, the model's input."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 16000

Samples = npt.NDArray[np.float32]


def read_channel(path: Path) -> Samples:
    """The WAV at `path` as float32 samples in [-1, 1] at 16 kHz, mono."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * wav.getsampwidth()}-bit samples; 16-bit expected")
        rate, channels = wav.getframerate(), wav.getnchannels()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    samples = (data.astype(np.float32) / 32768.0).astype(np.float32)
    if rate != RATE and len(samples):
        length = round(len(samples) * RATE / rate)
        positions = np.linspace(0, len(samples) - 1, length)
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def to_pcm16(samples: Samples) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
