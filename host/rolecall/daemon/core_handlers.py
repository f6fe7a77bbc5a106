"""The daemon's own methods: hello, ping, daemon.status, daemon.stop."""

from __future__ import annotations

import os
import time
from typing import Any

from rolecall import __version__
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.daemon.server import DaemonServer
from rolecall.protocol.envelope import PROTOCOL_VERSION
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.methods import (
    CAPABILITIES,
    DaemonInfo,
    DaemonStatusResult,
    DaemonStopParams,
    Empty,
    HelloParams,
    HelloResult,
    HostInfo,
    PingParams,
    PingResult,
)


def core_handlers(server: DaemonServer) -> dict[str, Handler]:
    """Handlers bound to one server."""

    async def hello(caller: Caller, params: HelloParams) -> HelloResult:
        common = set(params.protocols) & {PROTOCOL_VERSION}
        if not common:
            raise ProtocolError(
                ErrorCode.UNSUPPORTED_VERSION,
                f"the host speaks protocol {PROTOCOL_VERSION}; the client speaks "
                f"{sorted(params.protocols)}",
                {"supported": [PROTOCOL_VERSION], "host_version": __version__},
            )
        baseline = server.last_event_seq
        if not caller.greeted:
            caller.greeted = True
            server.emit("daemon.clients", {"clients": server.greeted_clients})
        return HelloResult(
            host=HostInfo(version=__version__),
            protocol=max(common),
            capabilities=list(CAPABILITIES),
            daemon=DaemonInfo(
                pid=os.getpid(), started_at=server.started_at, home=os.fspath(server.home.root)
            ),
            client_id=caller.client_id,
            last_event_seq=baseline,
        )

    async def ping(caller: Caller, params: PingParams) -> PingResult:
        return PingResult(echo=params.echo, at=time.time())

    async def status(caller: Caller, params: Empty) -> DaemonStatusResult:
        return DaemonStatusResult(
            version=__version__,
            pid=os.getpid(),
            started_at=server.started_at,
            uptime_s=time.time() - server.started_at,
            clients=server.greeted_clients,
        )

    async def stop(caller: Caller, params: DaemonStopParams) -> Empty:
        server.request_stop(params.reason)
        return Empty()

    handlers: dict[str, Any] = {
        "hello": hello,
        "ping": ping,
        "daemon.status": status,
        "daemon.stop": stop,
    }
    return handlers
