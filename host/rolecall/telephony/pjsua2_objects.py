"""The pjsua2 objects the SIP thread owns: accounts, calls, buddies and the log writer.

Each subclass turns pjsua2's callbacks into `StackEvent`s for `Pjsua2Stack` to post to
the asyncio side, and keeps its own per-object state (a call's media, mute, RTP watch).
They are created, called and released only on the SIP thread, by `Pjsua2Stack`'s
registry. Every callback is wrapped: pjsua2 prints and swallows Python exceptions.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal, Protocol

import pjsua2 as pj

from rolecall.telephony.refer import parse_refer_to
from rolecall.telephony.sip_exposure import SourceRule, realm_of_challenge
from rolecall.telephony.stack import (
    BuddyChanged,
    CallMediaChanged,
    CallMessageReceived,
    CallStateChanged,
    DtmfReceived,
    IncomingCall,
    PagerReceived,
    PagerStatus,
    RegistrationChanged,
    RtpCounters,
    StackEvent,
    StackSettings,
    TransferProgress,
    TransferRequested,
)


class Pjsua2Stack(Protocol):
    """What the objects need of the stack that owns them (`pjsua2_stack.Pjsua2Stack`)."""

    settings: StackSettings
    calls: dict[str, SipCall]

    def emit(self, event: StackEvent) -> None: ...
    def later(self, action: Callable[[], None]) -> None: ...
    def forget_call(self, call_id: str) -> None: ...
    def connect_audio(self, call: SipCall) -> None: ...
    def hold_audio(self, call: SipCall) -> None: ...
    def take_pager(self, account_id: str, to_uri: str, body: str) -> str | None: ...
    def hangup_now(self, call_id: str, status_code: int | None) -> None: ...
    def sip_call_ids(self) -> set[str]: ...
    def learn_realm(self, account_id: str, realm: str) -> None: ...


log = logging.getLogger(__name__)
pjlog = logging.getLogger("rolecall.pjsip")

_STATES = {
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}


def guarded(method: Callable[..., None]) -> Callable[..., None]:
    """Logs and swallows an exception in a pjsua2 callback (pjsua2 would print it)."""

    @functools.wraps(method)
    def wrapper(*args: Any) -> None:
        try:
            method(*args)
        except Exception:
            log.exception("SIP callback %s failed", method.__name__)

    return wrapper


def new_id() -> str:
    return uuid.uuid4().hex


class PjsipLogWriter(pj.LogWriter):  # type: ignore[misc]
    """PJSIP's log into Python logging (never onto stdout)."""

    def write(self, entry: pj.LogEntry) -> None:
        level = logging.WARNING if entry.level <= 2 else logging.DEBUG
        pjlog.log(level, "%s", entry.msg.rstrip())


class SipAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, stack: Pjsua2Stack, account_id: str, rule: SourceRule) -> None:
        super().__init__()
        self.stack = stack
        self.account_id = account_id
        self.rule = rule
        """Who may send this account INVITE, MESSAGE or SUBSCRIBE."""
        self.learning_realm = False
        """The realm is a guess the registrar's challenge may correct (none configured)."""
        self.realm: str | None = None
        """The realm the credentials answer."""

    def refuses(self, rdata: pj.SipRxData, what: str) -> bool:
        """True (and logged) when the request's source is not one this account trusts."""
        source = str(rdata.srcAddress)
        if self.rule.allows(source):
            return False
        log.warning(
            "%s for account %s from %s refused: not its server", what, self.account_id, source
        )
        return True

    @guarded
    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        if self.learning_realm and int(prm.code) in (401, 407):
            # Our credentials did not fit the registrar's realm: take its realm, once.
            realm = realm_of_challenge(str(prm.rdata.wholeMsg))
            if realm is not None and realm != self.realm:
                self.learning_realm = False
                account_id = self.account_id
                self.stack.later(lambda: self.stack.learn_realm(account_id, realm))
                return
        if 200 <= int(prm.code) < 300:
            # The server that accepted the registration is ours, wherever DNS (SRV,
            # failover) led: it may send this account requests too.
            with contextlib.suppress(Exception):
                self.rule = self.rule.also_trusting(str(prm.rdata.srcAddress))
        info = self.getInfo()
        self.stack.emit(
            RegistrationChanged(
                self.account_id,
                active=bool(info.regIsActive),
                status_code=int(prm.code),
                reason=str(prm.reason),
                expires_s=int(prm.expiration),
                realm=self.realm,
            )
        )

    @guarded
    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = SipCall(self.stack, self, new_id(), prm.callId)
        self.stack.calls[call.call_id] = call
        if self.refuses(prm.rdata, "INVITE"):
            call.refused = True  # never rings: no event, 403 on the wire
            forbidden = pj.CallOpParam()
            forbidden.statusCode = 403
            call.hangup(forbidden)
            return
        info = call.getInfo()
        self.stack.emit(
            IncomingCall(
                call.call_id, self.account_id, info.remoteUri, display_name_of(info.remoteUri)
            )
        )
        ringing = pj.CallOpParam()
        ringing.statusCode = 180
        call.answer(ringing)

    @guarded
    def onIncomingSubscribe(self, prm: pj.OnIncomingSubscribeParam) -> None:
        if self.refuses(prm.rdata, "SUBSCRIBE"):
            prm.code = 403
            prm.reason = "Forbidden"
            return
        if not self.stack.settings.presence_server:
            prm.code = 403
            prm.reason = "Presence is not offered here"

    @guarded
    def onInstantMessage(self, prm: pj.OnInstantMessageParam) -> None:
        if self.refuses(prm.rdata, "MESSAGE"):
            return  # pjsua has already answered it; the user never sees it
        self.stack.emit(
            PagerReceived(self.account_id, prm.fromUri, prm.toUri, prm.msgBody, prm.contentType)
        )

    @guarded
    def onInstantMessageStatus(self, prm: pj.OnInstantMessageStatusParam) -> None:
        message_id = self.stack.take_pager(self.account_id, prm.toUri, prm.msgBody)
        if message_id:
            self.stack.emit(PagerStatus(message_id, int(prm.code), str(prm.reason)))


class SipBuddy(pj.Buddy):  # type: ignore[misc]
    def __init__(self, stack: Pjsua2Stack, account_id: str, uri: str) -> None:
        super().__init__()
        self.stack = stack
        self.account_id = account_id
        self.uri = uri

    @guarded
    def onBuddyState(self) -> None:
        info = self.getInfo()  # kept alive: `presStatus` points into it
        status = info.presStatus
        state: Literal["online", "away", "busy", "offline", "unknown"] = "unknown"
        if status.status == pj.PJSUA_BUDDY_STATUS_ONLINE:
            state = "online"
            if status.activity == pj.PJRPID_ACTIVITY_AWAY:
                state = "away"
            elif status.activity == pj.PJRPID_ACTIVITY_BUSY:
                state = "busy"
        elif status.status == pj.PJSUA_BUDDY_STATUS_OFFLINE:
            state = "offline"
        self.stack.emit(BuddyChanged(self.account_id, self.uri, state, str(status.note)))


class SipCall(pj.Call):  # type: ignore[misc]
    def __init__(
        self,
        stack: Pjsua2Stack,
        account: SipAccount,
        call_id: str,
        pj_id: int = pj.PJSUA_INVALID_ID,
    ) -> None:
        super().__init__(account, pj_id)
        self.stack = stack
        self.account = account
        self.call_id = call_id
        self.muted = False
        self.audio: pj.AudioMedia | None = None
        self.codec = ""
        self.rtp: RtpCounters | None = None
        self.media_index: int | None = None
        """The audio stream while it flows both ways (not held): watched for silence."""
        self.rx_packets = -1
        self.rx_seen_at = time.monotonic()
        self.media_lost = False
        self.refused = False
        """An INVITE from a source the account does not trust: refused, never reported."""

    @guarded
    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        info = self.getInfo()
        state = _STATES.get(info.state)
        if state is None:
            return
        if self.refused:
            if state == "disconnected":
                self.stack.forget_call(self.call_id)
            return
        if state == "disconnected" and self.rtp is None:
            self._take_stats(0)
        self.stack.emit(
            CallStateChanged(
                self.call_id,
                state,  # type: ignore[arg-type]
                int(info.lastStatusCode),
                str(info.lastReason),
                str(info.remoteUri),
                display_name_of(info.remoteUri),
                self.rtp if state == "disconnected" else None,
            )
        )
        if state == "disconnected":
            self.stack.forget_call(self.call_id)

    @guarded
    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        info = self.getInfo()
        media = info.media  # keep `info` alive while iterating (freed memory otherwise)
        for index in range(len(media)):
            item = media[index]
            if item.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            active = item.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD)
            flowing = item.status == pj.PJSUA_CALL_MEDIA_ACTIVE
            if flowing != (self.media_index is not None):
                self.rx_seen_at = time.monotonic()  # silence is counted from here
            self.media_index = item.index if flowing else None
            if active:
                self.audio = self.getAudioMedia(item.index)
                with contextlib.suppress(pj.Error):
                    self.codec = str(self.getStreamInfo(item.index).codecName)
                self.stack.connect_audio(self)
            elif self.audio is not None:
                self.stack.hold_audio(self)
            self.stack.emit(
                CallMediaChanged(
                    self.call_id,
                    active=active,
                    local_hold=item.status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD,
                    remote_hold=item.status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
                )
            )
            return

    @guarded
    def onStreamDestroyed(self, prm: pj.OnStreamDestroyedParam) -> None:
        self._take_stats(prm.streamIdx)

    def _take_stats(self, index: int) -> None:
        try:
            stream_stat = self.getStreamStat(index)  # kept alive: `rtcp` points into it
        except pj.Error:
            return
        stat = stream_stat.rtcp
        self.rtp = RtpCounters(
            tx_packets=int(stat.txStat.pkt),
            rx_packets=int(stat.rxStat.pkt),
            rx_lost=int(stat.rxStat.loss),
            rx_jitter_ms=round(stat.rxStat.jitterUsec.mean / 1000, 3),
            codec=self.codec,
        )

    @guarded
    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        self.stack.emit(DtmfReceived(self.call_id, str(prm.digit)))

    @guarded
    def onInstantMessage(self, prm: pj.OnInstantMessageParam) -> None:
        self.stack.emit(
            CallMessageReceived(self.call_id, prm.fromUri, prm.msgBody, prm.contentType)
        )

    @guarded
    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        code = int(prm.statusCode)
        self.stack.emit(
            TransferProgress(self.call_id, code, str(prm.reason), bool(prm.finalNotify))
        )
        if prm.finalNotify and 200 <= code < 300:
            self.stack.later(lambda: self.stack.hangup_now(self.call_id, None))

    @guarded
    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        # A far end's REFER would otherwise make PJSIP dial any Refer-To on the user's
        # account (toll fraud). PJSIP answers the REFER as this callback returns and dials
        # at once on a 2xx, so the answer cannot wait for the user: it is always 603 (set
        # before anything else can fail), and the call service offers the transfer to the
        # user, who may then place the call through the dial plan like any other.
        prm.statusCode = 603  # Decline
        self._offer_transfer(str(prm.dstUri))

    @guarded
    def _offer_transfer(self, refer_to: str) -> None:
        replaces = parse_refer_to(refer_to).replaces
        known = replaces is not None and replaces.call_id in self.stack.sip_call_ids()
        self.stack.emit(TransferRequested(self.call_id, self.account.account_id, refer_to, known))

    @guarded
    def onCallReplaced(self, prm: pj.OnCallReplacedParam) -> None:
        new_call = SipCall(self.stack, self.account, new_id(), prm.newCallId)
        self.stack.calls[new_call.call_id] = new_call
        prm.newCall = new_call
        info = new_call.getInfo()
        self.stack.emit(
            IncomingCall(
                new_call.call_id,
                self.account.account_id,
                info.remoteUri,
                display_name_of(info.remoteUri),
            )
        )


def display_name_of(uri: str) -> str:
    """The display name of a `"Name" <sip:…>` header value, else ''."""
    text = str(uri).strip()
    if "<" in text:
        return text.split("<", 1)[0].strip().strip('"').strip()
    return ""
