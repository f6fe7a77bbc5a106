"""Which presence subscriptions an account may hold.

A subscription is a SIP dialogue the stack keeps up with the target's server, so CRM
data must not be able to aim it anywhere: a target must pass the account's dial plan and
be in the account's own domain (its address's host, its dial plan's domain, its
registrar's or outbound proxy's host), and an account watches at most `PRESENCE_LIMIT`
people at once (the side panel asks only for the people on screen).
"""

from __future__ import annotations

from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.telephony.account_service import AccountRecord, dial_target
from rolecall.telephony.sip_exposure import uri_host_port

PRESENCE_LIMIT = 50


def account_domains(record: AccountRecord) -> set[str]:
    """The hosts (lower case, no port) that belong to the account."""
    config = record.config
    hosts = set()
    for uri in (config.uri, config.registrar, config.proxy):
        found = uri_host_port(uri)
        if found is not None:
            hosts.add(found[0].lower())
    if config.dial_plan.domain:
        found = uri_host_port(f"sip:{config.dial_plan.domain}")
        if found is not None:
            hosts.add(found[0].lower())
    return hosts


class PresenceWatch:
    """The presence subscriptions each account holds, within the rules above."""

    def __init__(self, limit: int = PRESENCE_LIMIT) -> None:
        self.limit = limit
        self._watched: dict[str, set[str]] = {}

    def admit(self, record: AccountRecord, uri: str) -> None:
        """Raises a typed `ProtocolError` unless `record` may watch `uri`."""
        target = dial_target(uri, record, None)  # INVALID_TARGET: the dial plan refuses it
        host = uri_host_port(target.uri)
        domains = account_domains(record)
        if host is None or host[0].lower() not in domains:
            raise ProtocolError(
                ErrorCode.INVALID_TARGET,
                "presence is watched only within the account's domain "
                f"({', '.join(sorted(domains))})",
                {"reason": "foreign_domain"},
            )
        watched = self._watched.get(record.config.id, set())
        if uri not in watched and len(watched) >= self.limit:
            raise ProtocolError(
                ErrorCode.INVALID_STATE,
                f"an account watches at most {self.limit} people's presence; "
                "stop watching one first",
                {"reason": "presence_limit", "limit": self.limit},
            )

    def added(self, account_id: str, uri: str) -> None:
        self._watched.setdefault(account_id, set()).add(uri)

    def removed(self, account_id: str, uri: str) -> None:
        self._watched.get(account_id, set()).discard(uri)

    def count(self, account_id: str) -> int:
        return len(self._watched.get(account_id, set()))
