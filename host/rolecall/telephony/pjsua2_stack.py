"""pjsua2 behind `SipStack`: one SIP thread owns the endpoint and every pjsua2 object.

The thread polls `libHandleEvents` and, between polls, runs the commands the asyncio
side queued; queuing a command sends a SIP keep-alive (CRLFCRLF, which pjsip reads and
drops) to our own UDP transport from loopback, so a poll in progress returns at once
instead of at the end of its slice. Results and events go back with
`call_soon_threadsafe`. No pjsua2 object
ever leaves this thread: callers name calls and accounts by our own string ids.
Accounts, calls, buddies, players and recorders live in one registry here and are
released here (a call's last reference is dropped in its own DISCONNECTED callback);
the pjsua2 subclasses whose callbacks raise events are in `pjsua2_objects.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pjsua2 as pj

from rolecall.telephony import pjsua2_audio, recording_files
from rolecall.telephony.call_sounds import CallSounds
from rolecall.telephony.pjsua2_objects import (
    PjsipLogWriter,
    SipAccount,
    SipBuddy,
    SipCall,
    new_id,
)
from rolecall.telephony.sip_exposure import (
    SourceRule,
    bind_address_for,
    realm_for,
    realm_learnable,
    source_rule,
)
from rolecall.telephony.stack import (
    AccountExposure,
    AccountSpec,
    DtmfMethod,
    MediaLost,
    PresenceState,
    StackError,
    StackEvent,
    StackInfo,
    StackSettings,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

SYSTEM_CA_FILES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
_SRTP = {
    "off": pj.PJMEDIA_SRTP_DISABLED,
    "optional": pj.PJMEDIA_SRTP_OPTIONAL,
    "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
}
PJSUA_ETOOMANY = 70010
"""PJ_ETOOMANY: pjsua's call table is full."""


_KEEP_ALIVE = b"\r\n\r\n"
"""RFC 5626's keep-alive: pjsip's UDP transport reads it and drops it (too short)."""


def _nudge_socket(bind_address: str, port: int | None) -> socket.socket | None:
    """A non-blocking UDP socket connected to our UDP transport (None: none to reach)."""
    if not port:
        return None
    address = bind_address or "127.0.0.1"
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with contextlib.suppress(ValueError):  # a name, not an address: connect to it
        if ipaddress.ip_address(address).is_unspecified:  # listening everywhere: loopback
            address = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.connect((address, port))
    except OSError as exc:
        sock.close()
        log.warning("no wake-up for the SIP thread (%s): commands wait for its poll", exc)
        return None
    return sock


def _stack_error(exc: pj.Error) -> StackError:
    kind = "too_many_calls" if exc.status == PJSUA_ETOOMANY else "sip"
    return StackError(f"{exc.title}: {exc.reason}".strip(": "), exc.status, kind=kind)


class Pjsua2Stack:
    """The pjsua2 implementation of `SipStack`."""

    def __init__(
        self, settings: StackSettings, voice: pjsua2_audio.VoiceEngine | None = None
    ) -> None:
        self.settings = settings
        self.voice = voice
        """The user's microphone and speaker; None: the (silent) null device."""
        self._voice_port: pjsua2_audio.VoicePort | None = None
        self._heard: set[str] = set()
        """Calls whose audio reaches the user's speaker now (connected, not held)."""
        self._sounds = CallSounds(voice) if voice is not None else None
        self.accounts: dict[str, SipAccount] = {}
        self.calls: dict[str, SipCall] = {}
        self.buddies: dict[tuple[str, str], SipBuddy] = {}
        self.recorders: dict[str, pj.AudioMediaRecorder] = {}
        self.channel_recorders: dict[str, recording_files.ChannelRecorders] = {}
        self.bridges: dict[str, set[str]] = {}
        self._pagers: list[tuple[str, str, str, str]] = []
        self._transports: dict[str, int] = {}
        """Transport key ("udp", "tcp": the daemon's own; "udp@addr", "tls@addr:ca:verify")
        → pjsua transport id. TLS ones exist only once a TLS account needs them."""
        self._specs: dict[str, tuple[AccountSpec, str | None, str]] = {}
        """Each account's spec, password and bind address, to add credentials once the
        realm is known."""
        self._realms: dict[str, str] = {}
        """Account id → the realm its registrar challenged with."""
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._later: list[Callable[[], None]] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_event: Callable[[StackEvent], None] | None = None
        self._endpoint: pj.Endpoint | None = None
        self._log_writer: PjsipLogWriter | None = None
        self._voice: pj.AudioMediaPlayer | None = None
        self._last_activity = 0.0
        self._nudge: socket.socket | None = None
        """A UDP socket connected to our own UDP transport: a datagram on it wakes the
        SIP thread's poll (`_wake`)."""

    # ---- the SIP thread -----------------------------------------------------------------

    async def start(self, on_event: Callable[[StackEvent], None]) -> StackInfo:
        self._loop = asyncio.get_running_loop()
        self._on_event = on_event
        ready: asyncio.Future[StackInfo] = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="sip", daemon=True)
        self._thread.start()
        return await ready

    def _run(self, ready: asyncio.Future[StackInfo]) -> None:
        try:
            info = self._init_endpoint()
        except Exception as exc:
            log.exception("the SIP stack did not start")
            self._resolve(ready, None, StackError(f"the SIP stack did not start: {exc}"))
            return
        self._nudge = _nudge_socket(self.settings.bind_address, info.transports.get("udp"))
        self._resolve(ready, info, None)
        watched_at = time.monotonic()
        while not self._stopping.is_set():
            busy = time.monotonic() - self._last_activity < 1.0
            self._endpoint.libHandleEvents(2 if busy else 10)  # type: ignore[union-attr]
            self._run_commands()
            if time.monotonic() - watched_at >= 1.0:
                watched_at = time.monotonic()
                with _logged("media watch"):
                    self._watch_media()
        self._shutdown()
        nudge, self._nudge = self._nudge, None
        if nudge is not None:
            nudge.close()

    def _watch_media(self) -> None:
        """Hangs up calls whose far end has sent no RTP for `media_timeout_s`."""
        timeout = self.settings.media_timeout_s
        if not timeout:
            return
        now = time.monotonic()
        for call in list(self.calls.values()):
            if call.media_index is None or call.media_lost:
                continue
            try:
                stream_stat = call.getStreamStat(call.media_index)  # kept alive while read
            except pj.Error:
                continue
            received = int(stream_stat.rtcp.rxStat.pkt)
            if received != call.rx_packets:
                call.rx_packets, call.rx_seen_at = received, now
            elif now - call.rx_seen_at >= timeout:
                call.media_lost = True
                silent = round(now - call.rx_seen_at)
                log.warning("no RTP on call %s for %d s: hanging up", call.call_id, silent)
                self.emit(MediaLost(call.call_id, silent))
                self.hangup_now(call.call_id, None)

    def _run_commands(self) -> None:
        while self._later:
            with _logged("deferred SIP action"):
                self._later.pop(0)()
        while True:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                return
            self._last_activity = time.monotonic()
            try:
                result = command()
            except pj.Error as exc:
                self._resolve(future, None, _stack_error(exc))
            except StackError as exc:
                self._resolve(future, None, exc)
            except Exception as exc:
                log.exception("SIP command failed")
                self._resolve(future, None, StackError(f"SIP command failed: {exc}"))
            else:
                self._resolve(future, result, None)

    def _resolve(self, future: asyncio.Future[Any], result: Any, error: Exception | None) -> None:
        def settle() -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                self._loop.call_soon_threadsafe(settle)

    def emit(self, event: StackEvent) -> None:
        """From the SIP thread to the asyncio side."""
        if self._sounds is not None:
            with _logged("call sounds"):
                self._sounds.on_event(event)
        if self._loop is not None and self._on_event is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._on_event, event)

    def later(self, action: Callable[[], None]) -> None:
        """Runs `action` on the SIP thread after the current callback returns."""
        self._later.append(action)

    async def _call(self, command: Callable[[], T]) -> T:
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            raise StackError("the SIP stack is not running", kind="unavailable")
        future: asyncio.Future[T] = self._loop.create_future()
        self._commands.put((command, future))
        self._wake()
        return await future

    def _wake(self) -> None:
        """Ends the SIP thread's current poll early (it then runs the queued commands)."""
        nudge = self._nudge
        if nudge is None:
            return
        with contextlib.suppress(OSError):  # a full buffer already holds a wake-up
            nudge.send(_KEEP_ALIVE)

    def _init_endpoint(self) -> StackInfo:
        settings = self.settings
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.userAgent = settings.user_agent
        config.uaConfig.maxCalls = settings.max_calls
        for server in settings.stun_servers:
            config.uaConfig.stunServer.append(server)
        self._log_writer = PjsipLogWriter()
        config.logConfig.writer = self._log_writer
        config.logConfig.level = settings.log_level
        config.logConfig.consoleLevel = settings.log_level
        config.logConfig.decor = 0
        config.medConfig.noVad = True
        # Keep the (null) sound device open: once closed after idling, the next call's
        # media clock stalls (a few packets a second instead of 50).
        config.medConfig.sndAutoCloseTime = -1
        endpoint.libInit(config)
        self._endpoint = endpoint
        for name, kind, port in (
            ("udp", pj.PJSIP_TRANSPORT_UDP, settings.udp_port),
            ("tcp", pj.PJSIP_TRANSPORT_TCP, settings.tcp_port),
        ):
            transport = pj.TransportConfig()
            transport.port = port
            transport.boundAddress = settings.bind_address
            self._transports[name] = endpoint.transportCreate(kind, transport)
        endpoint.libStart()
        manager = endpoint.audDevManager()
        if manager.getDevCount() == 0:
            manager.setNullDev()
        if self.voice is not None:
            self._voice_port = pjsua2_audio.create_voice_port(self.voice)
        if settings.capture_wav is not None:
            self._voice = pj.AudioMediaPlayer()
            self._voice.createPlayer(str(settings.capture_wav), 0)
        ports = {
            name: int(endpoint.transportGetInfo(tid).localName.rsplit(":", 1)[1])
            for name, tid in self._transports.items()
        }
        version = str(endpoint.libVersion().full)
        log.info("SIP stack pjsip %s up; transports %s", version, ports)
        return StackInfo(version=version, transports=ports)

    def _tls_transport(self, ca_file: str, *, verify: bool, address: str) -> int:
        transport = pj.TransportConfig()
        transport.port = self.settings.tls_port or 0
        transport.boundAddress = address
        transport.tlsConfig.CaListFile = ca_file
        transport.tlsConfig.verifyServer = verify
        transport.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
        assert self._endpoint is not None
        kind = pj.PJSIP_TRANSPORT_TLS6 if ":" in address else pj.PJSIP_TRANSPORT_TLS
        return int(self._endpoint.transportCreate(kind, transport))

    def _shutdown(self) -> None:
        endpoint = self._endpoint
        if endpoint is None:
            return
        with _logged("hanging up calls"):
            endpoint.hangupAllCalls()
            self._poll(1.5, lambda: not self.calls)
        for account in list(self.accounts.values()):
            with _logged("account shutdown"):
                account.shutdown()
        self._poll(0.3, lambda: False)
        self.recorders.clear()
        self.channel_recorders.clear()
        self.buddies.clear()
        self.calls.clear()
        self.accounts.clear()
        self._voice = None
        self._voice_port = None  # off the bridge before libDestroy (it asserts otherwise)
        gc.collect()
        with _logged("libDestroy"):
            # Accounts are unregistered above; without this flag it waits another second.
            endpoint.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
        self._endpoint = None
        log.info("SIP stack stopped")

    def _poll(self, seconds: float, done: Callable[[], bool]) -> None:
        assert self._endpoint is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not done():
            self._endpoint.libHandleEvents(10)

    async def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 10)

    # ---- registry helpers (SIP thread) ------------------------------------------------------

    def forget_call(self, call_id: str) -> None:
        """Drops every reference to a finished call (we are inside its last callback)."""
        self.recorders.pop(call_id, None)
        self.channel_recorders.pop(call_id, None)
        for partner in self.bridges.pop(call_id, set()):
            self.bridges.get(partner, set()).discard(call_id)
        self.calls.pop(call_id, None)
        self._update_mic()
        self._update_heard(call_id, heard=False)

    def _find_call(self, call_id: str) -> SipCall:
        call = self.calls.get(call_id)
        if call is None:
            raise StackError(f"no live call {call_id}", kind="not_found")
        return call

    def _find_account(self, account_id: str) -> SipAccount:
        account = self.accounts.get(account_id)
        if account is None:
            raise StackError(f"no account {account_id}", kind="not_found")
        return account

    def _voice_source(self) -> pj.AudioMedia:
        if self._voice is not None:
            return self._voice
        if self._voice_port is not None:
            return self._voice_port
        assert self._endpoint is not None
        return self._endpoint.audDevManager().getCaptureDevMedia()

    def connect_audio(self, call: SipCall) -> None:
        """Wires an active call into the bridge: speaker, voice, partners, recorder."""
        if call.audio is None or self._endpoint is None:
            return
        audio = call.audio
        if self._voice_port is not None:
            audio.startTransmit(self._voice_port)
            self._update_heard(call.call_id, heard=True)
        else:
            audio.startTransmit(self._endpoint.audDevManager().getPlaybackDevMedia())
        if not call.muted:
            self._voice_source().startTransmit(audio)
        for partner_id in self.bridges.get(call.call_id, set()):
            partner = self.calls.get(partner_id)
            if partner is not None and partner.audio is not None:
                audio.startTransmit(partner.audio)
                partner.audio.startTransmit(audio)
        recorder = self.recorders.get(call.call_id)
        if recorder is not None:
            audio.startTransmit(recorder)
            self._voice_source().startTransmit(recorder)
        self._tap_channels(call)

    def hold_audio(self, call: SipCall) -> None:
        """Held: the user neither hears the call nor is heard in it."""
        log.info("call %s held: the user leaves its audio", call.call_id)
        if self._voice_port is not None and call.audio is not None:
            pjsua2_audio.leave(self._voice_port, call.audio)
        self._update_heard(call.call_id, heard=False)
        channels = self.channel_recorders.get(call.call_id)
        if channels is not None:  # what the call does not hear is not recorded either
            recording_files.hear_user(channels, self._voice_source(), heard=False)

    def _update_heard(self, call_id: str, *, heard: bool) -> None:
        """Tells the engine whether any call's audio still reaches the speaker, so that
        the speaker's buffer running empty after a hang-up or a hold is not an underrun."""
        if heard:
            self._heard.add(call_id)
        else:
            self._heard.discard(call_id)
        if self.voice is not None:
            self.voice.set_far_end(bool(self._heard))

    def _update_mic(self) -> None:
        """The microphone feeds the bridge only while some call is not muted."""
        if self.voice is not None:
            calls = self.calls.values()
            self.voice.set_mic_open(not calls or any(not c.muted for c in calls))

    def take_pager(self, account_id: str, to_uri: str, body: str) -> str | None:
        for index, (acc, uri, text, message_id) in enumerate(self._pagers):
            if acc == account_id and text == body and uri in to_uri:
                del self._pagers[index]
                return message_id
        return None

    def sip_call_ids(self) -> set[str]:
        """The SIP Call-IDs of our live calls' dialogs."""
        found = set()
        for call in list(self.calls.values()):
            with contextlib.suppress(pj.Error):
                info = call.getInfo()
                found.add(str(info.callIdString))
        return found

    def hangup_now(self, call_id: str, status_code: int | None) -> None:
        call = self.calls.get(call_id)
        if call is None:
            return
        param = pj.CallOpParam(True)
        if status_code is not None:
            param.statusCode = status_code
        call.hangup(param)

    # ---- commands -------------------------------------------------------------------------

    async def add_account(self, spec: AccountSpec, password: str | None) -> AccountExposure:
        def exposure_rules() -> tuple[str, SourceRule]:  # name lookups: off the SIP thread
            address = bind_address_for(
                spec.registrar, spec.proxy, spec.bind_address, self.settings.bind_address
            )
            return address, source_rule(spec.registrar, spec.proxy, spec.bind_address)

        loop = asyncio.get_running_loop()
        address, rule = await loop.run_in_executor(None, exposure_rules)

        def command() -> AccountExposure:
            previous = self._specs.get(spec.account_id)
            if previous is None or previous[0].registrar != spec.registrar:
                self._realms.pop(spec.account_id, None)  # a new server may have a new realm
            self._specs[spec.account_id] = (spec, password, address)
            config, realm = self._account_config(spec, password, address)
            learning = realm_learnable(spec.realm, spec.registrar)
            old = self.accounts.get(spec.account_id)
            if old is not None:
                # Changed in place: deleting and re-creating an account while its
                # unREGISTER is in flight left the new one's REGISTER answers unreported.
                old.rule = rule
                old.learning_realm = learning
                old.realm = realm
                old.modify(config)
                account = old
            else:
                account = SipAccount(self, spec.account_id, rule)
                account.learning_realm = learning
                account.realm = realm
                account.create(config, not self.accounts)
                self.accounts[spec.account_id] = account
            return self._exposure(spec, config, rule)

        return await self._call(command)

    def _exposure(
        self, spec: AccountSpec, config: pj.AccountConfig, rule: SourceRule
    ) -> AccountExposure:
        assert self._endpoint is not None
        info = self._endpoint.transportGetInfo(config.sipConfig.transportId)
        realm = self._realms.get(spec.account_id) or realm_for(spec.realm, spec.uri)
        realm_text = realm or "" if spec.username else ""
        return AccountExposure(
            listen=f"{spec.transport} {_host_port(str(info.localName))}",
            accepts_from=rule.describe(),
            realm=realm_text,
        )

    def learn_realm(self, account_id: str, realm: str) -> None:
        """The registrar challenged with `realm`: add the credentials for it and register."""
        found = self._specs.get(account_id)
        account = self.accounts.get(account_id)
        if found is None or account is None:
            return
        spec, password, address = found
        self._realms[account_id] = realm
        account.realm = realm
        log.info("account %s: the registrar's realm is %r", account_id, realm)
        config, _ = self._account_config(spec, password, address)
        account.modify(config)  # new credentials: pjsua registers again by itself

    def _account_config(
        self, spec: AccountSpec, password: str | None, address: str
    ) -> tuple[pj.AccountConfig, str | None]:
        """The pjsua account config, and the realm its credentials answer."""
        realm: str | None = None
        config = pj.AccountConfig()
        config.idUri = spec.uri
        if spec.registrar:
            config.regConfig.registrarUri = spec.registrar
            config.regConfig.registerOnAdd = spec.register
            # Registrar unreachable or refusing: retry soon, then at a slower pace with
            # jitter (so a restarted PBX is not hit by every phone at once).
            config.regConfig.firstRetryIntervalSec = self.settings.register_retry_first_s
            config.regConfig.retryIntervalSec = self.settings.register_retry_s
            config.regConfig.randomRetryIntervalSec = 5
        if spec.proxy:
            config.sipConfig.proxies.append(spec.proxy)
        if spec.username and password is not None:
            # Never realm "*": that answers any server's challenge with our password.
            realm = self._realms.get(spec.account_id) or realm_for(spec.realm, spec.uri)
            if realm is not None:
                config.sipConfig.authCreds.append(
                    pj.AuthCredInfo("digest", realm, spec.username, 0, password)
                )
        config.sipConfig.transportId = self._transport_for(spec, address)
        config.mediaConfig.srtpUse = _SRTP[spec.srtp]
        config.mediaConfig.srtpSecureSignaling = (
            1 if spec.transport == "tls" and spec.srtp != "off" else 0
        )
        stun = pj.PJSUA_STUN_USE_DEFAULT if spec.use_stun else pj.PJSUA_STUN_USE_DISABLED
        config.natConfig.sipStunUse = stun
        config.natConfig.mediaStunUse = stun
        return config, realm

    def _transport_for(self, spec: AccountSpec, address: str) -> int:
        """The transport bound to `address` for the account's kind, created on first use."""
        assert self._endpoint is not None
        if spec.transport != "tls":
            if address == self.settings.bind_address:
                return self._transports[spec.transport]
            key = f"{spec.transport}@{address}"
            if key not in self._transports:
                v6 = ":" in address
                kind = {
                    ("udp", False): pj.PJSIP_TRANSPORT_UDP,
                    ("tcp", False): pj.PJSIP_TRANSPORT_TCP,
                    ("udp", True): pj.PJSIP_TRANSPORT_UDP6,
                    ("tcp", True): pj.PJSIP_TRANSPORT_TCP6,
                }[(spec.transport, v6)]
                transport = pj.TransportConfig()
                transport.port = (
                    self.settings.udp_port if spec.transport == "udp" else self.settings.tcp_port
                )
                transport.boundAddress = address
                self._transports[key] = self._endpoint.transportCreate(kind, transport)
            return self._transports[key]
        ca_file = (
            spec.ca_file
            or self.settings.ca_file
            or next((f for f in SYSTEM_CA_FILES if Path(f).exists()), None)
        )
        if ca_file is None and spec.verify_server:
            raise StackError("TLS needs CA certificates; none were found", kind="unavailable")
        key = f"tls@{address}:{ca_file or ''}:{spec.verify_server}"
        if key not in self._transports:
            self._transports[key] = self._tls_transport(
                ca_file or "", verify=spec.verify_server, address=address
            )
        return self._transports[key]

    def _drop_account(self, account: SipAccount) -> None:
        for call_id, call in list(self.calls.items()):
            if call.account is account:
                self.hangup_now(call_id, None)
        self._poll(1.0, lambda: not any(c.account is account for c in self.calls.values()))
        for key in [key for key in self.buddies if key[0] == account.account_id]:
            del self.buddies[key]
        account.shutdown()

    async def remove_account(self, account_id: str) -> None:
        def command() -> None:
            self._drop_account(self._find_account(account_id))
            del self.accounts[account_id]
            self._specs.pop(account_id, None)
            self._realms.pop(account_id, None)

        await self._call(command)

    async def make_call(
        self, account_id: str, uri: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> str:
        def command() -> str:
            account = self._find_account(account_id)
            if len(self.calls) >= self.settings.max_calls:
                raise StackError(
                    f"{self.settings.max_calls} calls are already up", kind="too_many_calls"
                )
            call = SipCall(self, account, new_id())
            self.calls[call.call_id] = call
            self._update_mic()
            param = pj.CallOpParam(True)
            for name, value in headers:
                header = pj.SipHeader()
                header.hName, header.hValue = name, value
                param.txOption.headers.append(header)
            try:
                call.makeCall(uri, param)
            except pj.Error:
                self.calls.pop(call.call_id, None)
                raise
            return call.call_id

        return await self._call(command)

    async def answer(self, call_id: str) -> None:
        def command() -> None:
            param = pj.CallOpParam(True)
            param.statusCode = 200
            self._find_call(call_id).answer(param)

        await self._call(command)

    async def hangup(self, call_id: str, status_code: int | None = None) -> None:
        def command() -> None:
            self._find_call(call_id)
            self.hangup_now(call_id, status_code)

        await self._call(command)

    async def hold(self, call_id: str) -> None:
        await self._call(lambda: self._find_call(call_id).setHold(pj.CallOpParam(True)))

    async def resume(self, call_id: str) -> None:
        def command() -> None:
            param = pj.CallOpParam(True)
            param.opt.flag = pj.PJSUA_CALL_UNHOLD
            self._find_call(call_id).reinvite(param)

        await self._call(command)

    async def set_muted(self, call_id: str, muted: bool) -> None:
        def command() -> None:
            call = self._find_call(call_id)
            call.muted = muted
            self._update_mic()
            if call.audio is None:
                return
            source = self._voice_source()
            if muted:
                source.stopTransmit(call.audio)
            else:
                source.startTransmit(call.audio)
            channels = self.channel_recorders.get(call_id)
            if channels is not None:
                recording_files.hear_user(channels, source, heard=not muted)

        await self._call(command)

    async def send_dtmf(self, call_id: str, digits: str, method: DtmfMethod) -> None:
        def info(call: SipCall) -> None:
            param = pj.CallSendDtmfParam()
            param.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            param.digits = digits
            call.sendDtmf(param)

        def command() -> None:
            call = self._find_call(call_id)
            if self._sounds is not None:
                self._sounds.keys(digits)
            if method == "info":
                info(call)
                return
            try:
                call.dialDtmf(digits)
            except pj.Error:
                if method == "rfc2833":
                    raise
                info(call)  # the far end negotiated no telephone-event

        await self._call(command)

    async def transfer(self, call_id: str, uri: str) -> None:
        await self._call(lambda: self._find_call(call_id).xfer(uri, pj.CallOpParam(True)))

    async def transfer_replaces(self, call_id: str, consult_call_id: str) -> None:
        def command() -> None:
            call, consult = self._find_call(call_id), self._find_call(consult_call_id)
            call.xferReplaces(consult, pj.CallOpParam(True))

        await self._call(command)

    async def bridge(self, call_id: str, other_call_id: str) -> None:
        def command() -> None:
            call, other = self._find_call(call_id), self._find_call(other_call_id)
            self.bridges.setdefault(call_id, set()).add(other_call_id)
            self.bridges.setdefault(other_call_id, set()).add(call_id)
            if call.audio is not None and other.audio is not None:
                call.audio.startTransmit(other.audio)
                other.audio.startTransmit(call.audio)

        await self._call(command)

    async def send_call_message(self, call_id: str, text: str) -> None:
        def command() -> None:
            param = pj.SendInstantMessageParam()
            param.content = text
            param.contentType = "text/plain"
            self._find_call(call_id).sendInstantMessage(param)

        await self._call(command)

    async def start_recording(self, call_id: str, path: Path) -> None:
        def command() -> None:
            call = self._find_call(call_id)
            if call_id in self.recorders:
                return
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(str(path))
            self.recorders[call_id] = recorder
            self.channel_recorders[call_id] = recording_files.create_channel_recorders(path)
            if call.audio is not None:
                call.audio.startTransmit(recorder)
                self._voice_source().startTransmit(recorder)
            self._tap_channels(call)

        await self._call(command)

    def _tap_channels(self, call: SipCall) -> None:
        """Feeds a recorded call's two channel files: the far end and the user (SIP thread)."""
        channels = self.channel_recorders.get(call.call_id)
        if channels is None or call.audio is None:
            return
        user = None if call.muted else self._voice_source()
        clock = self._endpoint.audDevManager().getCaptureDevMedia() if self._endpoint else None
        if clock is not None:
            recording_files.tap(channels, user=user, far=call.audio, clock=clock)

    async def stop_recording(self, call_id: str) -> None:
        def command() -> None:
            recorder = self.recorders.pop(call_id, None)
            call = self.calls.get(call_id)
            channels = self.channel_recorders.pop(call_id, None)
            if channels is not None:
                assert self._endpoint is not None
                recording_files.untap(
                    channels,
                    user=self._voice_source(),
                    far=call.audio if call is not None else None,
                    clock=self._endpoint.audDevManager().getCaptureDevMedia(),
                )
            del channels  # both channel files are finished when their recorders go
            if recorder is None:
                return
            with contextlib.suppress(pj.Error):
                if call is not None and call.audio is not None:
                    call.audio.stopTransmit(recorder)
                self._voice_source().stopTransmit(recorder)
            del recorder  # the WAV is finished when the recorder is destroyed

        await self._call(command)

    def _buddy(self, account_id: str, uri: str, *, subscribe: bool) -> SipBuddy:
        key = (account_id, uri)
        buddy = self.buddies.get(key)
        if buddy is None:
            config = pj.BuddyConfig()
            config.uri = uri
            config.subscribe = subscribe
            buddy = SipBuddy(self, account_id, uri)
            buddy.create(self._find_account(account_id), config)
            self.buddies[key] = buddy
        elif subscribe:
            buddy.subscribePresence(True)
        return buddy

    async def send_pager(self, account_id: str, uri: str, text: str) -> str:
        def command() -> str:
            buddy = self._buddy(account_id, uri, subscribe=False)
            message_id = new_id()
            param = pj.SendInstantMessageParam()
            param.content = text
            param.contentType = "text/plain"
            self._pagers.append((account_id, uri, text, message_id))
            buddy.sendInstantMessage(param)
            return message_id

        return await self._call(command)

    async def subscribe_presence(self, account_id: str, uri: str) -> None:
        await self._call(lambda: self._buddy(account_id, uri, subscribe=True))

    async def unsubscribe_presence(self, account_id: str, uri: str) -> None:
        def command() -> None:
            buddy = self.buddies.pop((account_id, uri), None)
            if buddy is not None:
                with contextlib.suppress(pj.Error):
                    buddy.subscribePresence(False)

        await self._call(command)

    async def set_presence(self, account_id: str, status: PresenceState, note: str) -> None:
        def command() -> None:
            presence = pj.PresenceStatus()
            presence.status = (
                pj.PJSUA_BUDDY_STATUS_OFFLINE
                if status == "offline"
                else pj.PJSUA_BUDDY_STATUS_ONLINE
            )
            presence.activity = {
                "away": pj.PJRPID_ACTIVITY_AWAY,
                "busy": pj.PJRPID_ACTIVITY_BUSY,
            }.get(status, pj.PJRPID_ACTIVITY_UNKNOWN)
            presence.note = note
            self._find_account(account_id).setOnlineStatus(presence)

        await self._call(command)


def _host_port(local_name: str) -> str:
    """'::1:5060' (as PJSIP names an IPv6 transport) → '[::1]:5060'; IPv4 unchanged."""
    host, _, port = local_name.rpartition(":")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


@contextlib.contextmanager
def _logged(what: str) -> Iterator[None]:
    try:
        yield
    except Exception:
        log.exception("%s failed", what)
