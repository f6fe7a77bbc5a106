"""Running the daemon: the instance lock, logging, signals, serve until told to stop."""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import signal
import sys

from rolecall import __version__
from rolecall.context.handlers import context_handlers
from rolecall.context.logger import CallLogger
from rolecall.context.service import ContextService
from rolecall.context.store import Store
from rolecall.daemon.core_handlers import core_handlers
from rolecall.daemon.lock import AlreadyRunning, InstanceLock
from rolecall.daemon.server import DaemonServer
from rolecall.daemon_link import EXIT_ALREADY_RUNNING
from rolecall.paths import Home
from rolecall.secrets import SecretStore
from rolecall.telephony.handlers import telephony_handlers
from rolecall.telephony.pjsua2_stack import Pjsua2Stack
from rolecall.telephony.service import TelephonyService
from rolecall.telephony.settings import load_settings
from rolecall.telephony.stack import StackError

log = logging.getLogger("rolecall.daemon")


async def _serve(home: Home) -> None:
    server = DaemonServer(home)
    store = Store(home.data_dir / "rolecall.db")
    call_log = CallLogger(store)
    interrupted = call_log.recover()
    if interrupted:
        log.warning(
            "%d call(s) were up when the daemon last stopped: logged as interrupted", interrupted
        )
    telephony = TelephonyService(
        home, Pjsua2Stack(load_settings(home)), server.emit, SecretStore(home), call_log.update
    )
    server.set_handlers(
        {
            **core_handlers(server),
            **telephony_handlers(telephony),
            **context_handlers(ContextService(store)),
        }
    )
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
    await server.close()
    store.close()


def run_daemon(home: Home) -> int:
    """Runs the daemon in this process until SIGTERM or `daemon.stop`; the exit status."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    faulthandler.enable()  # a crash in native code leaves every thread's stack in the log
    home.ensure()
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
