"""Which sound the user hears for a call's progress: ring, ringback, busy, failure, keys.

Fed with the SIP stack's events (on the SIP thread); tells the audio engine what to play,
which never waits. Ringback stops when the far end sends early media (its own ringback or
announcement) or answers; the ringer rings while any inbound call waits for an answer.
"""

from __future__ import annotations

from typing import Protocol

from rolecall.audio.tones import ToneName
from rolecall.telephony.stack import (
    CallMediaChanged,
    CallStateChanged,
    IncomingCall,
    StackEvent,
)

BUSY_CODES = frozenset({486, 600})
QUIET_CODES = frozenset({200, 487})
"""Normal ends and our own cancels: no tone."""


class Sounds(Protocol):
    def play(self, name: ToneName, digits: str = "") -> None: ...

    def stop_tone(self, name: ToneName | None = None) -> None: ...

    def ring(self, on: bool) -> None: ...


class CallSounds:
    """Call progress → tones."""

    def __init__(self, sounds: Sounds) -> None:
        self.sounds = sounds
        self.inbound: set[str] = set()
        self.waiting: set[str] = set()
        """Inbound calls not answered yet."""
        self.ringback: set[str] = set()

    def on_event(self, event: StackEvent) -> None:
        if isinstance(event, IncomingCall):
            self.inbound.add(event.call_id)
            self.waiting.add(event.call_id)
            self.sounds.ring(True)
        elif isinstance(event, CallMediaChanged):
            if event.active and event.call_id in self.ringback:
                self.ringback.discard(event.call_id)  # early media: the far end's own sound
                self.sounds.stop_tone("ringback")
        elif isinstance(event, CallStateChanged):
            self._state(event)

    def _state(self, event: CallStateChanged) -> None:
        call_id, state = event.call_id, event.state
        if state in ("confirmed", "connecting", "disconnected"):
            self.waiting.discard(call_id)
            if not self.waiting:
                self.sounds.ring(False)
            if call_id in self.ringback:
                self.ringback.discard(call_id)
                self.sounds.stop_tone("ringback")
        if call_id in self.inbound:
            if state == "disconnected":
                self.inbound.discard(call_id)
            return
        if state == "early" and event.status_code == 180 and call_id not in self.ringback:
            self.ringback.add(call_id)
            self.sounds.play("ringback")
        elif state == "disconnected":
            code = event.status_code
            if code in BUSY_CODES:
                self.sounds.play("busy")
            elif code >= 400 and code not in QUIET_CODES:
                self.sounds.play("failure")

    def keys(self, digits: str) -> None:
        self.sounds.play("keys", digits)
