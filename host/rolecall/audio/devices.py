"""Sound devices by name: listing them and turning a remembered name into what to open.

Two sources are listed. PortAudio (through `sounddevice`) gives every host API's devices.
Where a PulseAudio-compatible server runs (PulseAudio or PipeWire), its sinks and sources
are listed too, by their server names: PortAudio on Linux sees that server only as one
ALSA device (`pulse`), so a chosen sink or source is opened through that device with
`PULSE_SINK` / `PULSE_SOURCE` naming it. No name (None, or "default") means the system
default, which follows the OS when the user changes it there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

log = logging.getLogger(__name__)

Kind = Literal["input", "output"]
SYSTEM_DEFAULT = "default"
PULSE_API = "PulseAudio"
_ENV_LOCK = threading.Lock()


@dataclass(frozen=True)
class Device:
    """One device as the user picks it."""

    name: str
    host_api: str
    inputs: int
    outputs: int
    default_input: bool = False
    default_output: bool = False


@dataclass(frozen=True)
class OpenSpec:
    """How to open a device with PortAudio: its index (None: the default) and environment."""

    name: str
    """What the user sees: the device's name or `default`."""
    device: int | str | None
    env: tuple[tuple[str, str], ...] = ()


def portaudio() -> ModuleType | None:
    """The `sounddevice` module, or None where PortAudio is not installed."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        log.warning("no PortAudio: %s", exc)
        return None
    module: ModuleType = sounddevice
    return module


def reinitialise(sd: ModuleType) -> None:
    """PortAudio lists devices once, when it starts: restart it to see plugged-in ones.

    Every stream must be closed first.
    """
    with contextlib.suppress(Exception):
        sd._terminate()
    with contextlib.suppress(Exception):
        sd._initialize()


def _portaudio_devices(sd: ModuleType) -> list[Device]:
    try:
        found: Any = sd.query_devices()
        apis: Any = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:
        log.warning("PortAudio lists no devices: %s", exc)
        return []
    devices = []
    for index, item in enumerate(found):
        devices.append(
            Device(
                name=str(item["name"]),
                host_api=str(apis[item["hostapi"]]["name"]),
                inputs=int(item["max_input_channels"]),
                outputs=int(item["max_output_channels"]),
                default_input=index == default_in,
                default_output=index == default_out,
            )
        )
    return devices


def _pactl(*args: str) -> str | None:
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        done = subprocess.run(
            [pactl, *args], capture_output=True, text=True, timeout=3, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pulse_defaults() -> tuple[str | None, str | None] | None:
    """The sound server's default (sink, source), or None where no server answers."""
    info = _pactl("info")
    if info is None:
        return None
    values = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    sink = values.get("Default Sink", "").strip() or None
    source = values.get("Default Source", "").strip() or None
    return sink, source


def _pulse_devices() -> list[Device]:
    defaults = pulse_defaults()
    if defaults is None:
        return []
    default_sink, default_source = defaults
    devices = []
    for kind in ("sinks", "sources"):
        listing = _pactl("list", "short", kind) or ""
        for line in listing.splitlines():
            fields = line.split("\t")
            if len(fields) < 2:
                continue
            name = fields[1]
            if kind == "sources" and name.endswith(".monitor"):
                continue  # what a sink plays: not a microphone
            sink = kind == "sinks"
            devices.append(
                Device(
                    name=name,
                    host_api=PULSE_API,
                    inputs=0 if sink else 1,
                    outputs=1 if sink else 0,
                    default_input=not sink and name == default_source,
                    default_output=sink and name == default_sink,
                )
            )
    return devices


def list_devices(sd: ModuleType | None = None) -> list[Device]:
    """Every device the user could pick: the sound server's, then PortAudio's."""
    sd = sd if sd is not None else portaudio()
    found = _pulse_devices()
    if sd is not None:
        found += _portaudio_devices(sd)
    return found


def still_there(spec: OpenSpec, kind: Kind) -> bool:
    """False once a sound server's device in use has gone (the server may have moved our
    stream to its default on its own, so the stream alone does not tell)."""
    if not spec.env:
        return True
    return any(
        d.name == spec.name and (d.inputs if kind == "input" else d.outputs)
        for d in _pulse_devices()
    )


def resolve(sd: ModuleType, name: str | None, kind: Kind) -> OpenSpec:
    """What to open for `name`; the system default where it is None or no longer exists."""
    if not name or name == SYSTEM_DEFAULT:
        return OpenSpec(SYSTEM_DEFAULT, None)
    for device in _pulse_devices():
        if device.name == name and (device.inputs if kind == "input" else device.outputs):
            variable = "PULSE_SOURCE" if kind == "input" else "PULSE_SINK"
            return OpenSpec(name, "pulse", ((variable, name),))
    for index, device in enumerate(_portaudio_devices(sd)):
        if device.name == name and (device.inputs if kind == "input" else device.outputs):
            return OpenSpec(name, index)
    log.warning("the %s device %r is gone: using the system default", kind, name)
    return OpenSpec(SYSTEM_DEFAULT, None)


@contextlib.contextmanager
def environment(spec: OpenSpec) -> Iterator[None]:
    """`spec.env` set while a stream opens (the sound server's client reads it then)."""
    if not spec.env:
        yield
        return
    with _ENV_LOCK:
        saved = {key: os.environ.get(key) for key, _ in spec.env}
        for key in ("PULSE_SINK", "PULSE_SOURCE"):
            saved.setdefault(key, os.environ.get(key))
            os.environ.pop(key, None)
        os.environ.update(dict(spec.env))
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
