"""Protocol handlers for CRM connections: `crm.connect`, `crm.status`, `crm.disconnect`.

`crm.connect` answers at once with the authorization URL; the sign-in completes in the
background (the loopback listener waits in a worker thread), then the CRM's connector
is rebuilt with the new sign-in and the outbox is poked so waiting write-backs go out.
Every change is told with the `crm.connection` event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from rolecall.crm.connectors.base import Connector, ConnectorError
from rolecall.crm.factory import make_connector
from rolecall.crm.oauth.connections import CrmConnections
from rolecall.crm.oauth.sign_in import PendingSignIn
from rolecall.daemon.dispatch import Caller, Handler
from rolecall.protocol import crm
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.methods import Empty

log = logging.getLogger(__name__)


def crm_handlers(
    connections: CrmConnections,
    connectors: MutableMapping[str, Connector],
    poke: Callable[[], None],
) -> dict[str, Handler]:
    """Handlers over `connections`; `connectors` is the live map the outbox works with."""
    tasks: set[asyncio.Task[None]] = set()

    def rebuild(kind: str) -> None:
        config = connections.config(kind)
        if config is None:
            return
        try:
            connectors[kind] = make_connector(
                config, connections.secrets, tokens=connections.tokens(config)
            )
        except ConnectorError as exc:
            log.error("%s connector not rebuilt: %s", kind, exc.message)

    async def complete(pending: PendingSignIn) -> None:
        try:
            tokens = await asyncio.to_thread(connections.wait, pending)
        except ConnectorError as exc:
            log.warning("%s sign-in did not complete: %s", pending.kind, exc.message)
            return
        except Exception:
            log.exception("%s sign-in failed", pending.kind)
            return
        connections.complete(pending, tokens)
        rebuild(pending.kind)
        poke()

    async def connect(caller: Caller, params: crm.CrmConnectParams) -> crm.CrmConnectResult:
        try:
            pending = await asyncio.to_thread(
                connections.begin,
                params.crm,
                client_id=params.client_id,
                org_url=params.org_url,
            )
        except (ConnectorError, ValueError) as exc:
            message = exc.message if isinstance(exc, ConnectorError) else str(exc)
            raise ProtocolError(ErrorCode.INVALID_STATE, message[:500]) from None
        task = asyncio.get_running_loop().create_task(complete(pending))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return crm.CrmConnectResult(
            authorization_url=pending.url, connection=connections.status(params.crm)
        )

    async def status(caller: Caller, params: Empty) -> crm.CrmStatusResult:
        return crm.CrmStatusResult(connections=connections.statuses())

    async def disconnect(caller: Caller, params: crm.CrmRef) -> crm.CrmStatusResult:
        await asyncio.to_thread(connections.disconnect, params.crm)
        return crm.CrmStatusResult(connections=connections.statuses())

    handlers: dict[str, Any] = {
        "crm.connect": connect,
        "crm.status": status,
        "crm.disconnect": disconnect,
    }
    return handlers


def connection_events(
    connections: CrmConnections,
    emit: Callable[[str, Any], object],
    loop: asyncio.AbstractEventLoop,
) -> Callable[[str], None]:
    """A `CrmConnections` listener that emits `crm.connection` on the loop, from any thread."""

    def on_loop(kind: str) -> None:
        emit("crm.connection", crm.CrmConnectionPayload(connection=connections.status(kind)))

    def listener(kind: str) -> None:
        loop.call_soon_threadsafe(on_loop, kind)

    return listener
