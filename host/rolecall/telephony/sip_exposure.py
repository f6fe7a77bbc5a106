"""Who may reach an account's SIP stack, and whom its password is given to.

Pure rules, no pjsua2: where an account's transport listens (loopback unless the account
needs otherwise: the local address that routes to its registrar, or its explicit bind
address), which source addresses may send it requests (a registered account takes
INVITE, MESSAGE and SUBSCRIBE only from its registrar and outbound proxy, as desk
phones do with "accept SIP from proxy only"), and which digest realm its password
answers (never `*`: the registrar's own realm, learnt from its first challenge).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
ANY_REALM = "*"
_URI_HOST = re.compile(r"^sips?:(?:[^@;?>]+@)?(\[[^\]]+\]|[^;?>:]+)(?::(\d{1,5}))?")
_REALM = re.compile(
    r"^(?:WWW|Proxy)-Authenticate\s*:\s*Digest\b[^\r\n]*?\brealm\s*=\s*\"([^\"]*)\"",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class SourceRule:
    """Which peers may start a dialogue or send a request to an account."""

    trusted: frozenset[str]
    """Source IP addresses allowed; empty: see `loopback_only`."""
    loopback_only: bool = True
    """With no trusted servers: only this machine (False: anyone reaching the listener)."""

    def allows(self, source: str) -> bool:
        """`source` is the packet's "ip:port" (or "[v6]:port") as the stack saw it."""
        host = host_of_address(source)
        if self.trusted:
            return host in self.trusted
        return not self.loopback_only or is_loopback(host)

    def also_trusting(self, source: str) -> SourceRule:
        """This rule, also trusting `source` ("ip:port") if it trusts named servers."""
        host = host_of_address(source)
        if not self.trusted or not host:
            return self
        return SourceRule(frozenset(self.trusted - {"unresolved"} | {host}), self.loopback_only)

    def describe(self) -> str:
        if self.trusted:
            return "only " + ", ".join(sorted(self.trusted)) + " (its registrar/outbound proxy)"
        if self.loopback_only:
            return "only this machine (loopback)"
        return "any peer that reaches its bind address"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uri_host_port(uri: str | None) -> tuple[str, int] | None:
    """The host and port (5060 if none) of a SIP URI, or None."""
    match = _URI_HOST.match((uri or "").strip().strip("<>"))
    if match is None:
        return None
    return match.group(1).strip("[]"), int(match.group(2) or 5060)


def host_of_address(address: str) -> str:
    """'1.2.3.4:5060' → '1.2.3.4'; '[::1]:5060' → '::1'."""
    text = address.strip()
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def resolve(host: str) -> set[str]:
    """Every IP address `host` names (itself if it is one); empty when it does not resolve."""
    try:
        return {str(ipaddress.ip_address(host))}
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except OSError:
        return set()
    return {str(info[4][0]) for info in infos}


def route_address(host: str, port: int) -> str:
    """The local address the kernel would send from to reach host:port (no packet is sent).

    Loopback when the host does not resolve: nothing outside this machine can reach us.
    """
    for address in sorted(resolve(host)):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((address, port))
            except OSError:
                continue
            return str(probe.getsockname()[0])
    return LOOPBACK


def bind_address_for(
    registrar: str | None, proxy: str | None, explicit: str | None, default: str
) -> str:
    """Where an account's transport listens.

    An explicit bind address wins; a registered account listens on the address that routes
    to its outbound proxy (else registrar); any other account on the daemon's default
    (loopback unless configured).
    """
    if explicit:
        return explicit
    server = uri_host_port(proxy) or uri_host_port(registrar)
    if server is None:
        return default
    return route_address(*server)


def source_rule(registrar: str | None, proxy: str | None, explicit_bind: str | None) -> SourceRule:
    """A registered account trusts only its registrar's and proxy's addresses; a direct
    account only this machine, unless it was given a bind address to be reached on."""
    if registrar is None:
        return SourceRule(
            frozenset(), loopback_only=not explicit_bind or is_loopback(explicit_bind)
        )
    trusted: set[str] = set()
    for uri in (registrar, proxy):
        server = uri_host_port(uri)
        if server is not None:
            trusted |= resolve(server[0])
    if not trusted:  # the registrar does not resolve: trust nobody rather than everybody
        trusted = {"unresolved"}  # a marker no source address equals
    return SourceRule(frozenset(trusted))


def realm_of_challenge(message: str) -> str | None:
    """The realm of the first Digest challenge in a 401/407 response, or None."""
    match = _REALM.search(message.replace("\r\n", "\n"))
    return match.group(1) if match else None


def realm_for(realm: str, uri: str) -> str | None:
    """The realm credentials answer: the one configured unless it is `*`, else the host of
    the account's own address (what most registrars use). None: no realm at all."""
    if realm and realm != ANY_REALM:
        return realm
    host = uri_host_port(uri)
    return host[0] if host else None


def realm_learnable(realm: str, registrar: str | None) -> bool:
    """Whether a registrar challenging with another realm may correct `realm_for`'s guess
    (only when the user configured none: `*`)."""
    return registrar is not None and (not realm or realm == ANY_REALM)
