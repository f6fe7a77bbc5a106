"""Running the daemon: the instance lock, logging, signals, serve until told to stop."""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import signal
import sys
from datetime import timedelta

from rolecall import __version__
from rolecall.audio.engine import AudioEngine
from rolecall.audio.settings import load_audio_settings
from rolecall.calllog.writer import CallLogger
from rolecall.context.page_deals import PageDeals
from rolecall.context.service import ContextService
from rolecall.crm.connectors.base import Connector, ConnectorError
from rolecall.crm.connectors.config import load_config
from rolecall.crm.factory import make_connector
from rolecall.crm.oauth.connections import CrmConnections
from rolecall.crm.outbox import Outbox, OutboxWorker, sync_item
from rolecall.daemon.audio_handlers import audio_handlers, state_publisher
from rolecall.daemon.context_handlers import context_handlers
from rolecall.daemon.core_handlers import core_handlers
from rolecall.daemon.crm_handlers import connection_events, crm_handlers
from rolecall.daemon.lock import AlreadyRunning, InstanceLock
from rolecall.daemon.memory_handlers import memory_handlers
from rolecall.daemon.server import DaemonServer
from rolecall.daemon.telephony_handlers import telephony_handlers
from rolecall.daemon.transcript_handlers import (
    CallTranscripts,
    SummaryWriteBacks,
    transcript_handlers,
)
from rolecall.daemon_link import EXIT_ALREADY_RUNNING, EXIT_UNSAFE_HOME
from rolecall.paths import Home, UnsafeHome
from rolecall.protocol.telephony import CallInfo
from rolecall.secrets import SecretStore, SecretStoreUnavailable
from rolecall.store.page_memory import PageMemory
from rolecall.store.page_settings import load_settings as load_context_settings
from rolecall.store.page_settings import save_settings as save_context_settings
from rolecall.store.store import Store
from rolecall.telephony.pjsua2_stack import Pjsua2Stack
from rolecall.telephony.service import TelephonyService
from rolecall.telephony.settings import load_settings
from rolecall.telephony.stack import StackError

log = logging.getLogger("rolecall.daemon")


def _connectors(
    home: Home, secrets: SecretStore, connections: CrmConnections
) -> dict[str, Connector]:
    """Every configured CRM that can be reached; one without a token does not stop the rest.
    A CRM signed in with OAuth gets its self-refreshing tokens."""
    try:
        configs = load_config(home).connectors
    except ConnectorError as exc:
        log.error("CRM connectors off: %s", exc.message)
        return {}
    found: dict[str, Connector] = {}
    for config in configs:
        try:
            found[config.name] = make_connector(config, secrets, tokens=connections.tokens(config))
        except ConnectorError as exc:
            log.error("%s write-backs wait: %s", config.name, exc.message)
        except SecretStoreUnavailable as exc:  # a locked or missing keyring: calls go on
            log.error("%s write-backs wait: the keyring cannot be read: %s", config.name, exc)
    return found


def _connector_origins(home: Home) -> list[str]:
    """The sites of the configured CRMs' pages (HubSpot's pages are not on its API host)."""
    try:
        configs = load_config(home).connectors
    except ConnectorError:
        return []
    found = []
    for config in configs:
        url = getattr(config, "instance_url", None) or getattr(config, "org_url", None)
        found.append(url if url else "https://app.hubspot.com")
    return found


def _wrapup_s(home: Home) -> int:
    try:
        return load_config(home).wrapup_s
    except ConnectorError:
        return 0


async def _serve(home: Home) -> None:
    server = DaemonServer(home)
    secrets = SecretStore(home)
    store = Store(home.data_dir / "rolecall.db")
    outbox = Outbox(store)
    connections = CrmConnections(home, secrets, outbox)
    connections.listener = connection_events(connections, server.emit, asyncio.get_running_loop())
    connectors = _connectors(home, secrets, connections)
    worker = OutboxWorker(
        outbox,
        connectors,
        on_change=lambda item: server.emit("calllog.sync", {"item": sync_item(item)}),
    )

    wrapup = timedelta(seconds=_wrapup_s(home))

    transcripts = CallTranscripts(home, store, outbox, server.emit, wrapup)
    # the call log's write-back waits for the wrap-up, and for the call's transcript
    write_backs = SummaryWriteBacks(outbox, connectors, worker.poke, transcripts)
    page_deals = PageDeals(
        PageMemory(store.db),
        load_context_settings(home),
        lambda settings: save_context_settings(home, settings),
        _connector_origins(home),
        stored_record=lambda record_id: (
            store.opportunity(record_id) is not None or bool(store.contacts([record_id]))
        ),
    )
    if not page_deals.on:
        page_deals.memory.forget_all()  # turned off while the daemon was down
    call_log = CallLogger(
        store,
        on_ended=write_backs.call_ended,
        may_name=page_deals.may_name_records,
        on_write_failed=lambda call_id, reason: server.emit(
            "calllog.write_failed", {"call_id": call_id, "reason": reason}
        ),
    )
    interrupted = call_log.recover()
    if interrupted:
        log.warning(
            "%d call(s) were up when the daemon last stopped: logged as interrupted",
            len(interrupted),
        )
    # The user's microphone and speaker; ROLECALL_AUDIO=off keeps the daemon silent,
    # ROLECALL_AUDIO_STATS_S sets how often the buffers' counters are logged.
    voice = AudioEngine(
        load_audio_settings(home),
        state_publisher(asyncio.get_running_loop(), server.emit),
        use_portaudio=os.environ.get("ROLECALL_AUDIO", "on") != "off",
        stats_every_s=float(os.environ.get("ROLECALL_AUDIO_STATS_S", "60")),
    )
    await asyncio.get_running_loop().run_in_executor(None, voice.start)

    def call_changed(call: CallInfo) -> None:
        call_log.update(call)
        transcripts.call_changed(call)

    telephony = TelephonyService(
        home, Pjsua2Stack(load_settings(home), voice), server.emit, secrets, call_changed
    )
    transcripts.record = lambda call_id: telephony.calls.set_recording(call_id, True)
    for entry in interrupted:  # calls.list shows them ended, so a panel can say so
        telephony.calls.add_interrupted(
            entry.call_id,
            entry.direction,
            entry.number,
            entry.started_at.timestamp(),
            entry.ended_at.timestamp(),
        )
    server.set_handlers(
        {
            **core_handlers(server),
            **audio_handlers(home, voice),
            **telephony_handlers(
                telephony,
                lambda call, record, snapshot: page_deals.placed(
                    call.id, record, snapshot, call.e164
                ),
            ),
            **context_handlers(
                ContextService(store, memory=page_deals.memory, memory_on=lambda: page_deals.on),
                write_backs,
                page_deals=page_deals,
            ),
            **memory_handlers(page_deals),
            **crm_handlers(connections, connectors, worker.poke),
            **transcript_handlers(transcripts),
        }
    )
    transcripts.start()
    outbox_task = asyncio.get_running_loop().create_task(worker.run())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(signum, server.request_stop, signal.Signals(signum).name)
    await server.start()
    try:
        await telephony.start()
    except StackError as exc:
        log.error("telephony unavailable: %s", exc.message)
    log.info("rolecall daemon %s ready (home %s)", __version__, home.root)
    await server.wait_stopped()
    log.info("stopping: %s", server.stop_reason)
    await telephony.stop()
    await transcripts.jobs.stop()
    await asyncio.get_running_loop().run_in_executor(None, voice.stop)
    outbox_task.cancel()
    connections.listener = lambda kind: None  # sign-ins still waiting tell no one now
    connections.cancel_all()
    await server.close()
    store.close()


def run_daemon(home: Home) -> int:
    """Runs the daemon in this process until SIGTERM or `daemon.stop`; the exit status."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines hold query strings
    faulthandler.enable()  # a crash in native code leaves every thread's stack in the log
    os.umask(0o077)  # every file and directory the daemon makes is the user's alone
    try:
        home.ensure()
    except UnsafeHome as exc:
        log.error("%s", exc)
        return EXIT_UNSAFE_HOME
    lock = InstanceLock(home.lock_path)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        log.info("%s", exc)
        return EXIT_ALREADY_RUNNING
    try:
        asyncio.run(_serve(home))
    finally:
        lock.release()
    log.info("stopped")
    return 0
