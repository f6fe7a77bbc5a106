"""The user's voice on the conference bridge: one pjsua2 media port fed by the audio engine.

The wheel has no sound device, so the bridge runs on the null device's clock; this port
is the user's ears and mouth instead. Each 20 ms the bridge asks it for a frame to send
(the microphone, from the engine's buffer) and hands it the mix to play. The callbacks
run on pjmedia's clock thread and only touch the engine's buffers. The port is created,
connected and destroyed on the SIP thread like every other pjsua2 object.

Reading a received frame through SWIG's iterator costs about 0.4 ms (640 Python calls),
and building a `ByteVector` from 640 bytes about 55 µs (one conversion per byte);
`read_bytes` and `write_bytes` copy the vector's storage in one step instead (6–8 µs),
after checking once that the layout is the one they expect.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Protocol

import pjsua2 as pj

from rolecall.telephony.call_sounds import Sounds

log = logging.getLogger(__name__)


_Pointers = ctypes.c_size_t * 2


def _storage_bytes(vector: pj.ByteVector) -> bytes:
    """A `std::vector<unsigned char>`'s bytes, read from its first two pointers (begin
    and end: the layout of libstdc++, libc++ and MSVC alike)."""
    begin, end = _Pointers.from_address(int(vector.this))
    return ctypes.string_at(begin, end - begin)


def _iterated_bytes(vector: pj.ByteVector) -> bytes:
    return bytes(vector)


def _storage_write(frame: pj.MediaFrame, data: bytes) -> None:
    """`frame.buf` made `data`, in place: SWIG hands out the member itself, not a copy."""
    vector = frame.buf
    vector.resize(len(data))
    begin, _ = _Pointers.from_address(int(vector.this))
    ctypes.memmove(begin, data, len(data))


def _assigned_write(frame: pj.MediaFrame, data: bytes) -> None:
    frame.buf = pj.ByteVector(data)


def _choose_writer() -> Callable[[pj.MediaFrame, bytes], None]:
    sample = bytes(range(256)) * 2 + bytes(range(128))
    try:
        frame = pj.MediaFrame()
        _storage_write(frame, sample)
        if bytes(frame.buf) == sample:
            return _storage_write
    except Exception as exc:  # an unexpected wrapper: the slow, sure way
        log.warning("voice port: writing frames the slow way (%s)", exc)
    return _assigned_write


def _choose_reader() -> Callable[[pj.ByteVector], bytes]:
    sample = bytes(range(256)) * 2 + bytes(range(128))
    try:
        frame = pj.MediaFrame()
        frame.buf = pj.ByteVector(sample)
        if _storage_bytes(frame.buf) == sample and _storage_bytes(pj.ByteVector()) == b"":
            return _storage_bytes
    except Exception as exc:  # an unexpected wrapper: the slow, sure way
        log.warning("voice port: reading frames the slow way (%s)", exc)
    return _iterated_bytes


read_bytes = _choose_reader()
"""A frame buffer's bytes (`bytes(vector)`, without 640 Python calls where possible)."""
write_bytes = _choose_writer()
"""`frame.buf = pj.ByteVector(data)`, without a conversion per byte where possible."""


class VoicePath(Protocol):
    """What the port needs from the audio engine (both called on the clock thread)."""

    def mic_frame(self) -> bytes: ...

    def speaker_frame(self, frame: bytes) -> None: ...


class VoiceEngine(VoicePath, Sounds, Protocol):
    """The audio engine as the SIP stack uses it."""

    def set_mic_open(self, open_: bool) -> None: ...

    def set_far_end(self, live: bool) -> None: ...


class VoicePort(pj.AudioMediaPort):  # type: ignore[misc]
    """The user on the bridge: 16 kHz mono, 20 ms frames."""

    def __init__(self, voice: VoicePath) -> None:
        super().__init__()
        self.voice = voice
        self.failures = 0

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        try:
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            write_bytes(frame, self.voice.mic_frame())
        except Exception:  # pjsua2 would print and swallow it, on every frame
            self._failed("requested")

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        try:
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO:
                self.voice.speaker_frame(read_bytes(frame.buf))
        except Exception:
            self._failed("received")

    def _failed(self, which: str) -> None:
        self.failures += 1
        if self.failures in (1, 100, 10000):
            log.exception("voice port: frame %s failed (%d times)", which, self.failures)


def create_voice_port(voice: VoicePath) -> VoicePort:
    """A port on the bridge (SIP thread, after `libStart`)."""
    fmt = pj.MediaFormatAudio()
    fmt.type = pj.PJMEDIA_TYPE_AUDIO
    fmt.clockRate = 16000
    fmt.channelCount = 1
    fmt.bitsPerSample = 16
    fmt.frameTimeUsec = 20000
    port = VoicePort(voice)
    port.createPort("user", fmt)
    return port


def join(port: VoicePort, call_audio: pj.AudioMedia) -> None:
    """The user hears the call and the call hears the user (SIP thread)."""
    call_audio.startTransmit(port)
    port.startTransmit(call_audio)


def leave(port: VoicePort, call_audio: pj.AudioMedia) -> None:
    """Silence both ways between the user and one call (hold); SIP thread."""
    for source, sink in ((call_audio, port), (port, call_audio)):
        try:
            source.stopTransmit(sink)
        except pj.Error as exc:
            log.debug("voice port: %s", exc.info())
