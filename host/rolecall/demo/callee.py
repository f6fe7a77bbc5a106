"""A demo callee process: pjsua2 endpoints that answer calls the way people do.

    python -m rolecall.demo.callee CONFIG.json

CONFIG holds `port` (SIP, UDP and TCP on 127.0.0.1), `rtp_port`, `events` (a JSON-lines
file this process appends its own record of every call to), optionally `registrar`
(sip:127.0.0.1:K: each number is registered there, and it is the outbound proxy),
`domain` (the host of the AORs, default 127.0.0.1), `callback_uri` (whom a `call_back`
person rings back) and `people`: [{key, name, behaviour, users, catch_all, wav}], one
pjsua2 account per user part (an E.164 number or an extension). Behaviours:

- `answer` / `colleague`: rings briefly, answers, plays its `wav` (speech, looped), and
  hangs up after `max_call_s`.
- `busy`: 486 Busy Here at once.
- `no_answer`: rings until the caller gives up.
- `call_back`: rings, then 480 Temporarily Unavailable; a few seconds after the call
  has ended, calls `callback_uri` back (once per missed call) and speaks when answered.

Each line of the events file is one JSON object with `event`, `person`, and `t` (Unix
time): ready, registered {code}, incoming {call, from, to}, call_state {call, state,
code, reason}, speaking {call, wav}, message {call, from, body, content_type, in_call},
dtmf {call, digit}, transfer_request {call, to}, transfer_status {call, code, final},
calling_back {call, to}, media {call, rx_packets, tx_packets}, heard {call, wav, dbfs}
(what this phone received on the call, recorded next to the events file, and its RMS
level in dB below full scale), error {where, error},
stopped. SIGTERM and SIGINT hang up, unregister and exit.

Threading follows docs/ARCHITECTURE.md's pjsua2 rules: this one thread owns pjsua2
(`threadCnt = 0`, `mainThreadOnly`), a call's last reference is dropped in its own
DISCONNECTED callback, automatic garbage collection is off and collection runs here,
and every callback is wrapped so an exception becomes an `error` event.
"""
# ruff: noqa: E402

from __future__ import annotations

import os
import sys

os.dup2(2, 1)  # pjsua2 prints to fd 1 before any log setting applies: send it to stderr

import functools
import gc
import json
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pjsua2 as pj

from rolecall.demo.sound import rms_dbfs

LOOPBACK = "127.0.0.1"
RING_S = 1.5
"""How long a person lets it ring before picking up."""
REJECT_AFTER_S = 6.0
"""How long the `call_back` person lets it ring before the call fails over."""
CALLBACK_AFTER_S = 3.0
HEARD_AFTER_S = 0.5
"""How long after a call the recording of what was heard is measured (closed by then)."""
F = TypeVar("F", bound=Callable[..., Any])


class Events:
    """The process's own record: one JSON line per event, flushed as written."""

    def __init__(self, path: Path) -> None:
        self._out = path.open("a", buffering=1, encoding="utf-8")
        self.directory = path.parent
        self._lock = threading.Lock()

    def emit(self, event: str, person: str | None = None, **fields: Any) -> None:
        line = json.dumps({"event": event, "person": person, "t": time.time(), **fields})
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


events: Events


def guarded(fn: F) -> F:
    """Reports a callback's exception as an event (pjsua2 would print and swallow it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            info = getattr(exc, "info", None)
            events.emit(
                "error", where=fn.__name__, error=str(info()) if callable(info) else repr(exc)
            )
            return None

    return wrapper  # type: ignore[return-value]


def level(path: Path) -> float:
    return round(rms_dbfs(path), 1)


def _names(prefix: str) -> dict[int, str]:
    return {getattr(pj, n): n[len(prefix) :] for n in dir(pj) if n.startswith(prefix)}


CALL_STATES = _names("PJSIP_INV_STATE_")


class Person:
    """One person: a behaviour, a voice, and the accounts (numbers) that reach them."""

    def __init__(self, spec: dict[str, Any], switch: Switch) -> None:
        self.key: str = spec["key"]
        self.name: str = spec["name"]
        self.behaviour: str = spec["behaviour"]
        self.wav: str | None = spec.get("wav")
        self.users: list[str] = list(spec.get("users", []))
        self.catch_all: bool = bool(spec.get("catch_all"))
        self.switch = switch
        self.accounts: list[DemoAccount] = []
        self.calling_back = False


class DemoCall(pj.Call):  # type: ignore[misc]
    """One call; `key` is this process's own number for it (pjsua call ids get reused)."""

    def __init__(self, account: DemoAccount, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.account = account
        self.person = account.person
        self.switch = account.person.switch
        self.key = self.switch.new_key()
        self.player: Any = None
        self.recorder: Any = None
        self.heard: Path | None = None
        self.outgoing = call_id == pj.PJSUA_INVALID_ID
        self.confirmed = False
        self.rx_packets = 0
        self.tx_packets = 0
        self.switch.calls[self.key] = self

    def emit(self, event: str, **fields: Any) -> None:
        events.emit(event, self.person.key, call=self.key, **fields)

    def read_stats(self) -> None:
        try:
            stat = self.getStreamStat(0)
        except pj.Error:
            return
        self.rx_packets = stat.rtcp.rxStat.pkt
        self.tx_packets = stat.rtcp.txStat.pkt

    @guarded
    def onCallState(self, prm: Any) -> None:
        ci = self.getInfo()
        state = CALL_STATES.get(ci.state, str(ci.state))
        self.emit("call_state", state=state, code=ci.lastStatusCode, reason=ci.lastReason)
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.confirmed = True
            limit = self.switch.max_call_s
            key = self.key
            self.switch.later(limit, lambda: self.switch.hangup(key))
        if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.emit("media", rx_packets=self.rx_packets, tx_packets=self.tx_packets)
            self.player = None
            self.recorder = None  # the bridge closes the WAV soon after, on its own clock
            if self.heard is not None:
                heard, emit = self.heard, self.emit
                self.switch.later(
                    HEARD_AFTER_S, lambda: emit("heard", wav=str(heard), dbfs=level(heard))
                )
            self.switch.calls.pop(self.key, None)  # the last reference, dropped here
            person = self.person
            if person.behaviour == "call_back" and not self.outgoing and not self.confirmed:
                self.switch.later(CALLBACK_AFTER_S, lambda: self.switch.call_back(person))
            if self.outgoing and person.behaviour == "call_back":
                person.calling_back = False

    @guarded
    def onCallMediaState(self, prm: Any) -> None:
        ci = self.getInfo()
        media = list(ci.media)
        for index, info in enumerate(media):
            if info.type != pj.PJMEDIA_TYPE_AUDIO or info.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                continue
            if self.person.wav and self.player is None:
                self.player = pj.AudioMediaPlayer()
                self.player.createPlayer(self.person.wav, 0)  # loops: says it, then listens
                self.player.startTransmit(self.getAudioMedia(index))
                self.emit("speaking", wav=self.person.wav)
            if self.recorder is None:
                self.heard = events.directory / f"{self.person.key}-{self.key}.heard.wav"
                self.recorder = pj.AudioMediaRecorder()
                self.recorder.createRecorder(str(self.heard))
                self.getAudioMedia(index).startTransmit(self.recorder)

    @guarded
    def onStreamDestroyed(self, prm: Any) -> None:
        if prm.streamIdx == 0:
            self.read_stats()

    @guarded
    def onDtmfDigit(self, prm: Any) -> None:
        self.emit("dtmf", digit=prm.digit)

    @guarded
    def onInstantMessage(self, prm: Any) -> None:
        self.emit(
            "message",
            in_call=True,
            body=prm.msgBody,
            content_type=prm.contentType,
            **{"from": prm.fromUri},
        )

    @guarded
    def onCallTransferRequest(self, prm: Any) -> None:
        new_call = DemoCall(self.account)
        prm.statusCode = 202
        prm.newCall = new_call
        self.emit("transfer_request", to=prm.dstUri, new_call=new_call.key)

    @guarded
    def onCallTransferStatus(self, prm: Any) -> None:
        self.emit("transfer_status", code=prm.statusCode, final=bool(prm.finalNotify))
        prm.cont = True


class DemoAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, person: Person, user: str) -> None:
        super().__init__()
        self.person = person
        self.user = user

    @guarded
    def onRegState(self, prm: Any) -> None:
        events.emit("registered", self.person.key, user=self.user, code=prm.code)

    @guarded
    def onIncomingCall(self, prm: Any) -> None:
        call = DemoCall(self, prm.callId)
        ci = call.getInfo()
        call.emit("incoming", to=ci.localUri, **{"from": ci.remoteUri})
        self.person.switch.pick_up(call)

    @guarded
    def onInstantMessage(self, prm: Any) -> None:
        events.emit(
            "message",
            self.person.key,
            call=None,
            in_call=False,
            body=prm.msgBody,
            content_type=prm.contentType,
            **{"from": prm.fromUri},
        )


class Switch:
    """The endpoint, the people and their calls; used only on this (the SIP) thread."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.registrar: str | None = config.get("registrar")
        self.domain: str = config.get("domain") or LOOPBACK
        self.callback_uri: str | None = config.get("callback_uri")
        self.max_call_s: float = float(config.get("max_call_s", 120))
        self.calls: dict[int, DemoCall] = {}
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.quitting = False
        self._next_key = 0
        self.people = [Person(spec, self) for spec in config["people"]]

        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = 4
        cfg.uaConfig.userAgent = "rolecall-demo-callee"
        cfg.logConfig.level = int(config.get("log_level", 2))
        cfg.logConfig.consoleLevel = int(config.get("log_level", 2))
        cfg.medConfig.noVad = True
        cfg.medConfig.sndAutoCloseTime = -1  # keep the null device (the media clock) running
        self.ep.libInit(cfg)
        self.ep.audDevManager().setNullDev()
        sip = pj.TransportConfig()
        sip.port = int(config["port"])
        sip.boundAddress = LOOPBACK
        sip.publicAddress = LOOPBACK
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, sip)
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_TCP, sip)
        self.ep.libStart()
        for codec in self.ep.codecEnum2():  # G.711 only: small INVITEs, no TCP switch
            name = codec.codecId.split("/")[0].lower()
            self.ep.codecSetPriority(codec.codecId, {"pcmu": 255, "pcma": 254}.get(name, 0))
        # pjsua gives a request for a user nobody has to the first account of its domain
        # (before the default account): the catch-all's accounts are created first.
        for person in sorted(self.people, key=lambda p: not p.catch_all):
            for user in person.users:
                account = DemoAccount(person, user)
                account.create(self._account_config(user))
                person.accounts.append(account)
                if person.catch_all:
                    account.setDefault()  # calls to users nobody has land here

    def _account_config(self, user: str) -> Any:
        cfg = pj.AccountConfig()
        cfg.idUri = f"sip:{user}@{self.domain}"
        if self.registrar:
            cfg.regConfig.registrarUri = self.registrar
            cfg.sipConfig.proxies.append(f"{self.registrar};lr")
        media = cfg.mediaConfig.transportConfig
        media.boundAddress = LOOPBACK
        media.publicAddress = LOOPBACK
        if self.config.get("rtp_port"):
            media.port = int(self.config["rtp_port"])
            media.portRange = 64
        return cfg

    def new_key(self) -> int:
        self._next_key += 1
        return self._next_key

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        self.timers.append((time.monotonic() + delay, fn))

    @staticmethod
    def _answer(call: DemoCall, code: int, reason: str = "") -> None:
        opt = pj.CallOpParam(True)
        opt.statusCode = code
        if reason:
            opt.reason = reason
        call.answer(opt)

    def pick_up(self, call: DemoCall) -> None:
        """What the person does when their phone rings."""
        behaviour = call.person.behaviour
        if behaviour == "busy":
            self._answer(call, 486)
            return
        self._answer(call, 180)
        key = call.key
        if behaviour in ("answer", "colleague"):
            self.later(RING_S, lambda: self._answer_if_ringing(key, 200))
        elif behaviour == "call_back":
            self.later(REJECT_AFTER_S, lambda: self._answer_if_ringing(key, 480))

    def _answer_if_ringing(self, key: int, code: int) -> None:
        call = self.calls.get(key)
        if call is not None and call.isActive() and not call.confirmed:
            self._answer(call, code)

    def hangup(self, key: int) -> None:
        call = self.calls.get(key)
        if call is not None and call.isActive():
            call.read_stats()
            call.hangup(pj.CallOpParam(True))

    def call_back(self, person: Person) -> None:
        if not self.callback_uri or person.calling_back or not person.accounts:
            return
        person.calling_back = True
        call = DemoCall(person.accounts[0])
        call.emit("calling_back", to=self.callback_uri)
        try:
            call.makeCall(self.callback_uri, pj.CallOpParam(True))
        except pj.Error:
            self.calls.pop(call.key, None)
            person.calling_back = False
            raise
        key = call.key
        self.later(30.0, lambda: self.hangup(key))  # gives up ringing after 30 s

    def run(self) -> None:
        events.emit("ready", port=self.config["port"], pid=os.getpid())
        last_gc = time.monotonic()
        while not self.quitting:
            self.ep.libHandleEvents(10)
            now = time.monotonic()
            due = [fn for at, fn in self.timers if at <= now]
            self.timers = [(at, fn) for at, fn in self.timers if at > now]
            for fn in due:
                guarded(fn)()
            if now - last_gc > 1.0:
                gc.collect()
                last_gc = now
        self.shutdown()

    def _poll(self, seconds: float, until: Callable[[], bool] = lambda: False) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            self.ep.libHandleEvents(10)

    def shutdown(self) -> None:
        """Calls, then the accounts (unregistering), then the library; all on this thread."""
        self.ep.hangupAllCalls()
        self._poll(2.0, until=lambda: not self.calls)
        for person in self.people:
            for account in person.accounts:
                account.shutdown()
        self._poll(0.3 if self.registrar else 0.05)
        self.calls.clear()
        for person in self.people:
            person.accounts.clear()
        gc.collect()
        self.ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
        events.emit("stopped")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    config = json.loads(Path(args[0]).read_text())
    global events  # set once, before any callback can run
    events = Events(Path(config["events"]))
    gc.disable()
    switch = Switch(config)

    def on_signal(signum: int, frame: object) -> None:
        switch.quitting = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    switch.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
