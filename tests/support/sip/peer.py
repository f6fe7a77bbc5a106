"""A standalone pjsua2 SIP endpoint for tests, run as its own process, driven by JSON lines.

    python -m support.sip.peer --port P [--account sip:bob@rolecall.test
        --registrar sip:127.0.0.1:K --password secret] [--auto-answer 200|486|603|404|480|none]
        [--answer-delay S] [--tone-hz 440 [--tone-burst-ms 200]] [--play WAV] [--record DIR]
        [--rtp-port R --rtp-range N]
        [--codecs PCMU,PCMA|all] [--log-level 3] [--workdir DIR]
        [--tls-port T --tls-cert PEM --tls-key PEM] [--srtp-mandatory]

SIP (UDP and TCP on the same port) and RTP are bound to 127.0.0.1 only. Without --account
the identity is sip:peer@127.0.0.1:P; with --registrar it registers there and uses it as its
outbound proxy. Incoming calls get 180, then --auto-answer (200 after --answer-delay; "none"
rings until the "answer" command). With --tone-hz a looping sine WAV (written to --workdir)
is played into every call once its audio is active; with --record every call is recorded to
DIR/call-N.wav (16 kHz, the conference bridge rate).

Events, one JSON object per line on stdout ("call" is this process's own call number):
  ready {port, uri} · registered {code, reason, expires, active} · incoming {call, from, to}
  call_state {call, state: CALLING|INCOMING|EARLY|CONNECTING|CONFIRMED|DISCONNECTED, code,
  reason, remote} · media_state {call, audio: [ACTIVE|LOCAL_HOLD|REMOTE_HOLD|NONE|ERROR]}
  media {call, rx_packets, tx_packets, rx_lost, recording} (at hang-up, RTCP counters)
  dtmf {call, digit, method: rfc2833|info} · message {from, body, content_type, in_call, call}
  message_status {call, to, code, reason} · transfer_request {call, to, new_call}
  transfer_status {call, code, reason, final} · replaced {call, new_call, from}
  presence {uri, status: online|offline|unknown, text, note, activity: unknown|away|busy}
  stats {call, rx_packets, …} · error {where, error} · reply {cmd, id, ok, error?, …}
  (one per command) · stopped.
Commands, one JSON object per line on stdin, each may carry an "id" echoed in its reply:
  call {to} → reply.call · answer {call, code=200} · hangup {call, code?} · hangup_all
  hold {call} · unhold {call} · dtmf {call, digits, method=rfc2833|info} · transfer {call, to}
  message {to, body} (pager) or {call, body} (in the call) · online|busy|offline {note?}
  subscribe {uri} · stats {call} · auto_answer {code, delay?} · register {renew=true} · quit.
A closed stdin, SIGTERM and SIGINT also quit (calls hung up, account unregistered).

Threading follows the pjsua2 notes: one thread owns pjsua2 (`threadCnt = 0`,
`mainThreadOnly = True`) and polls `libHandleEvents`; a reader thread only turns stdin lines
into dicts on a queue; every pjsua2 object lives in one registry and a call's last reference
is dropped in its own `onCallState(DISCONNECTED)`; automatic garbage collection is off and
`gc.collect()` runs on the SIP thread, so no destructor runs on another thread; every callback
is wrapped so an exception becomes an `{"event": "error"}` line instead of vanishing.

Before pjsua2 is imported, fd 1 is pointed at stderr (pjsua2 logs with printf); events are
written to a duplicate of the original stdout, so nothing but JSON ever reaches it.
"""
# ruff: noqa: E402

from __future__ import annotations

import os
import sys

_EVENTS_FD = os.dup(1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import argparse
import functools
import gc
import json
import math
import queue
import signal
import struct
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pjsua2 as pj  # type: ignore[import-untyped,unused-ignore]

LOOPBACK = "127.0.0.1"
F = TypeVar("F", bound=Callable[..., Any])

_out = os.fdopen(_EVENTS_FD, "w", buffering=1)
_out_lock = threading.Lock()


def emit(event: str, **fields: Any) -> None:
    """Write one event line to the real stdout."""
    line = json.dumps({"event": event, **fields})
    with _out_lock:
        _out.write(line + "\n")
        _out.flush()


def guarded(fn: F) -> F:
    """Report a callback's exception as an event (pjsua2 would print and swallow it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            emit("error", where=fn.__name__, error=_describe(exc))
            return None

    return wrapper  # type: ignore[return-value]


def _describe(exc: BaseException) -> str:
    """`pj.Error.info()` for pjsua2 errors, repr() for anything else."""
    info = getattr(exc, "info", None)
    return str(info()) if callable(info) else repr(exc)


def _names(prefix: str) -> dict[int, str]:
    return {getattr(pj, n): n[len(prefix) :] for n in dir(pj) if n.startswith(prefix)}


CALL_STATES = _names("PJSIP_INV_STATE_")
MEDIA_STATES = _names("PJSUA_CALL_MEDIA_")
ACTIVITIES = {v: k.lower() for v, k in _names("PJRPID_ACTIVITY_").items()}
BUDDY_STATES = {
    pj.PJSUA_BUDDY_STATUS_UNKNOWN: "unknown",
    pj.PJSUA_BUDDY_STATUS_ONLINE: "online",
    pj.PJSUA_BUDDY_STATUS_OFFLINE: "offline",
}


def write_tone(
    path: Path, hz: float, seconds: float = 2.0, rate: int = 16000, burst_ms: int = 0
) -> Path:
    """A mono 16-bit sine WAV (a whole number of cycles, so it loops without a click);
    with `burst_ms`, the tone is on and off in turns of that length, like syllables."""
    frames = int(rate * seconds)
    cycles = max(1, round(hz * seconds))
    burst = rate * burst_ms // 1000
    samples = (
        int(0.3 * 32767 * math.sin(2 * math.pi * cycles * i / frames))
        if not burst or (i // burst) % 2 == 0
        else 0
        for i in range(frames)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


class PeerCall(pj.Call):  # type: ignore[misc]
    """One call; `key` is this process's own call number (pjsua call ids get reused)."""

    def __init__(self, peer: _Peer, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(peer.account, call_id)
        self.peer = peer
        self.key = peer.new_key()
        self.player: Any = None
        self.recorder: Any = None
        self.recording: str | None = None
        self.rx_packets = 0
        self.tx_packets = 0
        self.rx_lost = 0
        peer.calls[self.key] = self

    def read_stats(self) -> None:
        """Copy the audio stream's RTCP counters, while the stream exists."""
        try:
            stat = self.getStreamStat(0)
        except pj.Error:
            return
        self.rx_packets = stat.rtcp.rxStat.pkt
        self.tx_packets = stat.rtcp.txStat.pkt
        self.rx_lost = stat.rtcp.rxStat.loss

    def stats(self) -> dict[str, int]:
        return {
            "rx_packets": self.rx_packets,
            "tx_packets": self.tx_packets,
            "rx_lost": self.rx_lost,
        }

    @guarded
    def onCallState(self, prm: Any) -> None:
        ci = self.getInfo()
        state = CALL_STATES.get(ci.state, str(ci.state))
        emit(
            "call_state",
            call=self.key,
            state=state,
            code=ci.lastStatusCode,
            reason=ci.lastReason,
            remote=ci.remoteUri,
        )
        if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            emit("media", call=self.key, recording=self.recording, **self.stats())
            self.player = None
            self.recorder = None
            self.peer.calls.pop(self.key, None)  # the last reference, dropped here

    @guarded
    def onCallMediaState(self, prm: Any) -> None:
        ci = self.getInfo()
        media = list(ci.media)
        statuses = []
        for index, info in enumerate(media):
            if info.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            statuses.append(MEDIA_STATES.get(info.status, str(info.status)))
            if info.status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD and self.recorder is not None:
                self.getAudioMedia(index).startTransmit(self.recorder)  # what a holder sends
            if info.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                continue
            audio = self.getAudioMedia(index)
            if self.peer.tone is not None and self.player is None:
                self.player = pj.AudioMediaPlayer()
                once = self.peer.play is not None  # speech is said once, a tone loops
                self.player.createPlayer(
                    str(self.peer.tone), pj.PJMEDIA_FILE_NO_LOOP if once else 0
                )
                self.player.startTransmit(audio)
            if self.peer.record_dir is not None and self.recorder is None:
                path = self.peer.record_dir / f"call-{self.key}.wav"
                self.recorder = pj.AudioMediaRecorder()
                self.recorder.createRecorder(str(path))
                audio.startTransmit(self.recorder)
                self.recording = str(path)
        emit("media_state", call=self.key, audio=statuses)

    @guarded
    def onStreamDestroyed(self, prm: Any) -> None:
        if prm.streamIdx == 0:
            self.read_stats()

    @guarded
    def onDtmfDigit(self, prm: Any) -> None:
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc2833"
        emit("dtmf", call=self.key, digit=prm.digit, method=method)

    @guarded
    def onInstantMessage(self, prm: Any) -> None:
        emit(
            "message",
            call=self.key,
            in_call=True,
            body=prm.msgBody,
            content_type=prm.contentType,
            **{"from": prm.fromUri},
        )

    @guarded
    def onInstantMessageStatus(self, prm: Any) -> None:
        emit("message_status", call=self.key, to=prm.toUri, code=prm.code, reason=prm.reason)

    @guarded
    def onCallTransferRequest(self, prm: Any) -> None:
        new_call = PeerCall(self.peer)
        prm.statusCode = 202
        prm.newCall = new_call
        emit("transfer_request", call=self.key, to=prm.dstUri, new_call=new_call.key)

    @guarded
    def onCallReplaced(self, prm: Any) -> None:
        """An attended transfer replaced this call: the new one must have an owner here."""
        new_call = PeerCall(self.peer, prm.newCallId)
        prm.newCall = new_call
        info = new_call.getInfo()
        emit("replaced", call=self.key, new_call=new_call.key, **{"from": info.remoteUri})

    @guarded
    def onCallTransferStatus(self, prm: Any) -> None:
        emit(
            "transfer_status",
            call=self.key,
            code=prm.statusCode,
            reason=prm.reason,
            final=bool(prm.finalNotify),
        )
        prm.cont = True


class PeerBuddy(pj.Buddy):  # type: ignore[misc]
    @guarded
    def onBuddyState(self) -> None:
        info = self.getInfo()
        status = info.presStatus
        emit(
            "presence",
            uri=info.uri,
            status=BUDDY_STATES.get(status.status, str(status.status)),
            text=status.statusText,
            note=status.note,
            activity=ACTIVITIES.get(status.activity, str(status.activity)),
        )


class PeerAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, peer: _Peer) -> None:
        super().__init__()
        self.peer = peer

    @guarded
    def onRegState(self, prm: Any) -> None:
        emit(
            "registered",
            code=prm.code,
            reason=prm.reason,
            expires=prm.expiration,
            active=self.getInfo().regIsActive,
        )

    @guarded
    def onIncomingCall(self, prm: Any) -> None:
        call = PeerCall(self.peer, prm.callId)
        ci = call.getInfo()
        emit("incoming", call=call.key, to=ci.localUri, **{"from": ci.remoteUri})
        self.peer.auto_answer(call)

    @guarded
    def onInstantMessage(self, prm: Any) -> None:
        emit(
            "message",
            call=None,
            in_call=False,
            body=prm.msgBody,
            content_type=prm.contentType,
            **{"from": prm.fromUri},
        )

    @guarded
    def onInstantMessageStatus(self, prm: Any) -> None:
        emit("message_status", call=None, to=prm.toUri, code=prm.code, reason=prm.reason)


class CommandError(Exception):
    pass


class _Peer:
    """The endpoint, its account, calls and buddies; used only on the SIP (main) thread."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(args.workdir or ".").resolve()
        self.play = Path(args.play).resolve() if args.play else None
        self.tone = self.play or (
            write_tone(self.workdir / "tone.wav", args.tone_hz, burst_ms=args.tone_burst_ms)
            if args.tone_hz
            else None
        )
        self.record_dir = Path(args.record) if args.record else None
        if self.record_dir:
            self.record_dir.mkdir(parents=True, exist_ok=True)
        self.answer_code = args.auto_answer
        self.answer_delay = args.answer_delay
        self.calls: dict[int, PeerCall] = {}
        self.buddies: dict[str, PeerBuddy] = {}
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.commands: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.quitting = False
        self._next_key = 0

        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = 4
        cfg.uaConfig.userAgent = "rolecall-test-peer"
        cfg.logConfig.level = args.log_level
        cfg.logConfig.consoleLevel = args.log_level
        cfg.medConfig.noVad = True
        cfg.medConfig.sndAutoCloseTime = -1  # keep the null device (the media clock) running
        self.ep.libInit(cfg)
        self.ep.audDevManager().setNullDev()
        sip = pj.TransportConfig()
        sip.port = args.port
        sip.boundAddress = LOOPBACK
        sip.publicAddress = LOOPBACK
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, sip)
        self.ep.transportCreate(pj.PJSIP_TRANSPORT_TCP, sip)
        if args.tls_port:
            tls = pj.TransportConfig()
            tls.port = args.tls_port
            tls.boundAddress = LOOPBACK
            tls.tlsConfig.certFile = args.tls_cert
            tls.tlsConfig.privKeyFile = args.tls_key
            tls.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
            self.ep.transportCreate(pj.PJSIP_TRANSPORT_TLS, tls)
        self.ep.libStart()
        self._set_codecs(args.codecs)
        self.account = PeerAccount(self)
        self.account.create(self._account_config())

    def _set_codecs(self, wanted: str) -> None:
        if wanted == "all":
            return
        names = [n.strip().lower() for n in wanted.split(",") if n.strip()]
        for codec in self.ep.codecEnum2():
            name = codec.codecId.split("/")[0].lower()
            priority = 255 - names.index(name) if name in names else 0
            self.ep.codecSetPriority(codec.codecId, priority)

    def _account_config(self) -> Any:
        args = self.args
        cfg = pj.AccountConfig()
        cfg.idUri = args.account or f"sip:peer@{LOOPBACK}:{args.port}"
        if args.registrar:
            cfg.regConfig.registrarUri = args.registrar
            cfg.sipConfig.proxies.append(f"{args.registrar};lr")
        if args.password is not None:
            user = args.username or cfg.idUri.split(":", 1)[1].split("@", 1)[0]
            cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", user, 0, args.password))
        media = cfg.mediaConfig.transportConfig
        media.boundAddress = LOOPBACK
        media.publicAddress = LOOPBACK
        if args.rtp_port:
            media.port = args.rtp_port
            media.portRange = args.rtp_range
        if args.srtp_mandatory:
            cfg.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_MANDATORY
            cfg.mediaConfig.srtpSecureSignaling = 1
        return cfg

    def new_key(self) -> int:
        self._next_key += 1
        return self._next_key

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        self.timers.append((time.monotonic() + delay, fn))

    # Incoming calls.

    def auto_answer(self, call: PeerCall) -> None:
        mode = self.answer_code
        if mode in ("486", "603", "404", "480"):
            self._answer(call, int(mode))
            return
        self._answer(call, 180)
        if mode == "200":
            key = call.key
            self.later(self.answer_delay, lambda: self._answer_if_alive(key, 200))

    def _answer_if_alive(self, key: int, code: int) -> None:
        call = self.calls.get(key)
        if call is not None and call.isActive():
            self._answer(call, code)

    @staticmethod
    def _answer(call: PeerCall, code: int) -> None:
        opt = pj.CallOpParam(True)
        opt.statusCode = code
        call.answer(opt)

    # Commands: each returns extra reply fields.

    def call_of(self, cmd: dict[str, Any]) -> PeerCall:
        call = self.calls.get(int(cmd["call"]))
        if call is None:
            raise CommandError(f"no call {cmd['call']}")
        return call

    def buddy(self, uri: str, subscribe: bool) -> PeerBuddy:
        buddy = self.buddies.get(uri)
        if buddy is None:
            cfg = pj.BuddyConfig()
            cfg.uri = uri
            cfg.subscribe = subscribe
            buddy = PeerBuddy()
            buddy.create(self.account, cfg)
            self.buddies[uri] = buddy
        elif subscribe:
            buddy.subscribePresence(True)
        return buddy

    def cmd_call(self, cmd: dict[str, Any]) -> dict[str, Any]:
        call = PeerCall(self)
        try:
            call.makeCall(cmd["to"], pj.CallOpParam(True))
        except pj.Error:
            self.calls.pop(call.key, None)
            raise
        return {"call": call.key}

    def cmd_answer(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self._answer(self.call_of(cmd), int(cmd.get("code", 200)))
        return {}

    def cmd_hangup(self, cmd: dict[str, Any]) -> dict[str, Any]:
        call = self.call_of(cmd)
        call.read_stats()
        opt = pj.CallOpParam(True)
        opt.statusCode = int(cmd.get("code", 0))
        call.hangup(opt)
        return {}

    def cmd_hangup_all(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.ep.hangupAllCalls()
        return {}

    def cmd_hold(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.call_of(cmd).setHold(pj.CallOpParam(True))
        return {}

    def cmd_unhold(self, cmd: dict[str, Any]) -> dict[str, Any]:
        opt = pj.CallOpParam(True)
        opt.opt.flag = pj.PJSUA_CALL_UNHOLD
        self.call_of(cmd).reinvite(opt)
        return {}

    def cmd_dtmf(self, cmd: dict[str, Any]) -> dict[str, Any]:
        call = self.call_of(cmd)
        if cmd.get("method", "rfc2833") == "info":
            prm = pj.CallSendDtmfParam()
            prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            prm.digits = cmd["digits"]
            prm.duration = int(cmd.get("duration", 160))
            call.sendDtmf(prm)
        else:
            call.dialDtmf(cmd["digits"])
        return {}

    def cmd_transfer(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.call_of(cmd).xfer(cmd["to"], pj.CallOpParam(True))
        return {}

    def cmd_message(self, cmd: dict[str, Any]) -> dict[str, Any]:
        prm = pj.SendInstantMessageParam()
        prm.content = cmd["body"]
        prm.contentType = cmd.get("content_type", "text/plain")
        if cmd.get("call") is not None:
            self.call_of(cmd).sendInstantMessage(prm)
        else:
            self.buddy(cmd["to"], subscribe=False).sendInstantMessage(prm)
        return {}

    def _presence(self, status: int, activity: int, note: str) -> dict[str, Any]:
        ps = pj.PresenceStatus()
        ps.status = status
        ps.activity = activity
        ps.note = note
        self.account.setOnlineStatus(ps)
        return {}

    def cmd_online(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return self._presence(
            pj.PJSUA_BUDDY_STATUS_ONLINE, pj.PJRPID_ACTIVITY_UNKNOWN, cmd.get("note", "Online")
        )

    def cmd_busy(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return self._presence(
            pj.PJSUA_BUDDY_STATUS_ONLINE, pj.PJRPID_ACTIVITY_BUSY, cmd.get("note", "Busy")
        )

    def cmd_offline(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return self._presence(
            pj.PJSUA_BUDDY_STATUS_OFFLINE, pj.PJRPID_ACTIVITY_UNKNOWN, cmd.get("note", "Offline")
        )

    def cmd_subscribe(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.buddy(cmd["uri"], subscribe=True)
        return {}

    def cmd_stats(self, cmd: dict[str, Any]) -> dict[str, Any]:
        call = self.call_of(cmd)
        call.read_stats()
        emit("stats", call=call.key, **call.stats())
        return call.stats()

    def cmd_auto_answer(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.answer_code = str(cmd["code"])
        self.answer_delay = float(cmd.get("delay", self.answer_delay))
        return {}

    def cmd_register(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.account.setRegistration(bool(cmd.get("renew", True)))
        return {}

    def cmd_quit(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.quitting = True
        return {}

    def handle(self, cmd: dict[str, Any]) -> None:
        name = str(cmd.get("cmd", ""))
        handler = getattr(self, f"cmd_{name}", None)
        reply: dict[str, Any] = {"cmd": name, "id": cmd.get("id")}
        try:
            if handler is None:
                raise CommandError(f"unknown command {name!r}")
            reply.update(handler(cmd), ok=True)
        except (pj.Error, CommandError, KeyError, ValueError, TypeError) as exc:
            reply.update(ok=False, error=_describe(exc))
        emit("reply", **reply)

    # The loop.

    def run(self) -> None:
        threading.Thread(target=self._read_stdin, name="stdin", daemon=True).start()
        emit(
            "ready",
            port=self.args.port,
            uri=self.args.account or f"sip:peer@{LOOPBACK}:{self.args.port}",
        )
        last_gc = time.monotonic()
        while not self.quitting:
            self.ep.libHandleEvents(10)
            while not self.quitting:
                try:
                    cmd = self.commands.get_nowait()
                except queue.Empty:
                    break
                if cmd is None:
                    self.quitting = True
                else:
                    self.handle(cmd)
            now = time.monotonic()
            due = [fn for at, fn in self.timers if at <= now]
            self.timers = [(at, fn) for at, fn in self.timers if at > now]
            for fn in due:
                guarded(fn)()
            if now - last_gc > 1.0:
                gc.collect()
                last_gc = now
        self.shutdown()

    def _read_stdin(self) -> None:
        """Reader thread: never touches pjsua2, only queues parsed lines."""
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                self.commands.put(json.loads(line))
            except json.JSONDecodeError as exc:
                emit("error", where="stdin", error=str(exc))
        self.commands.put(None)

    def _poll(self, seconds: float, until: Callable[[], bool] = lambda: False) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            self.ep.libHandleEvents(10)

    def shutdown(self) -> None:
        """Calls, then the account (unregistering), then the library; all on this thread."""
        self.ep.hangupAllCalls()
        self._poll(2.0, until=lambda: not self.calls)
        self.buddies.clear()
        self.account.shutdown()
        self._poll(0.3 if self.args.registrar else 0.05)
        self.calls.clear()
        del self.account
        gc.collect()
        # The unREGISTER is done above; without this flag libDestroy waits another second.
        self.ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
        emit("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="SIP port (UDP and TCP)")
    parser.add_argument("--account", help="identity, e.g. sip:bob@rolecall.test")
    parser.add_argument("--registrar", help="registrar and outbound proxy, sip:127.0.0.1:K")
    parser.add_argument("--username", help="digest user (default: the account's user part)")
    parser.add_argument("--password", help="digest password")
    parser.add_argument(
        "--auto-answer", default="200", choices=["200", "486", "603", "404", "480", "none"]
    )
    parser.add_argument("--answer-delay", type=float, default=0.0, help="seconds before 200")
    parser.add_argument("--tone-hz", type=float, help="play a sine tone into each call")
    parser.add_argument("--play", help="a WAV (speech) said once into each call when it is up")
    parser.add_argument("--tone-burst-ms", type=int, default=0, help="the tone on/off in turns")
    parser.add_argument("--record", help="directory: record each call to call-N.wav (16 kHz)")
    parser.add_argument("--rtp-port", type=int, default=0, help="first RTP port")
    parser.add_argument("--rtp-range", type=int, default=16, help="RTP ports to use from it")
    parser.add_argument("--codecs", default="PCMU,PCMA", help='codec names in order, or "all"')
    parser.add_argument("--log-level", type=int, default=3)
    parser.add_argument("--tls-port", type=int, help="also a TLS listener on this port")
    parser.add_argument("--tls-cert", help="the TLS listener's certificate (PEM)")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    parser.add_argument("--srtp-mandatory", action="store_true", help="refuse calls without SRTP")
    parser.add_argument("--workdir", help="where the tone WAV is written (default: cwd)")
    args = parser.parse_args(argv)
    gc.disable()

    peer = _Peer(args)

    def on_signal(signum: int, frame: object) -> None:
        peer.quitting = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    peer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
