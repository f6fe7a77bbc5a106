"""Free loopback ports for SIP peers: free on both UDP and TCP, never handed out twice.

Ports are picked at random below the kernel's ephemeral range, so they do not collide with
the source ports of outgoing connections, and checked by binding (and releasing) a UDP and a
TCP socket on 127.0.0.1. A process-wide lock and a record of ports already handed out keep
parallel callers in one process apart; randomness keeps parallel processes mostly apart.
"""

from __future__ import annotations

import os
import random
import socket
import threading
from pathlib import Path

from support.sip import LOOPBACK

_lock = threading.Lock()
_handed_out: set[int] = set()
_LOWEST = 20000


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def port_is_free(port: int) -> bool:
    """True when 127.0.0.1:`port` can be bound for both UDP and TCP right now."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                return False
    return True


def free_ports(count: int = 1, *, consecutive: bool = False) -> list[int]:
    """`count` free ports; with `consecutive`, a block port, port+1, … (for RTP/RTCP ranges)."""
    high = _ephemeral_low() - count
    with _lock:
        for _ in range(2000):
            if consecutive:
                base = random.randrange(_LOWEST, high) & ~1  # even base, RTP convention
                candidates = list(range(base, base + count))
            else:
                candidates = random.sample(range(_LOWEST, high), count)
            if any(p in _handed_out for p in candidates):
                continue
            if all(port_is_free(p) for p in candidates):
                _handed_out.update(candidates)
                return candidates
    raise RuntimeError(f"no {count} free loopback ports found")


def free_port() -> int:
    """One free UDP+TCP port on 127.0.0.1."""
    return free_ports(1)[0]


def _listening(table: str, port: int, tcp_listen: bool) -> bool:
    """True when /proc/net/`table` has a socket bound to 127.0.0.1:`port` (LISTEN for TCP)."""
    wanted = f"0100007F:{port:04X}"
    try:
        lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[1] == wanted and (not tcp_listen or fields[3] == "0A"):
            return True
    return False


def udp_bound(port: int) -> bool:
    """True when something has bound UDP 127.0.0.1:`port`."""
    return _listening("udp", port, tcp_listen=False)


def tcp_listening(port: int) -> bool:
    """True when something listens on TCP 127.0.0.1:`port`."""
    return _listening("tcp", port, tcp_listen=True)


def _decode(address: str) -> str:
    host, port = address.split(":")
    if len(host) == 8:  # IPv4, little-endian hex
        ip = ".".join(str(int(host[i : i + 2], 16)) for i in (6, 4, 2, 0))
    else:
        ip = f"[{host}]"  # IPv6, left raw: anything here is already not 127.0.0.1
    return f"{ip}:{int(port, 16)}"


def bound_addresses(pids: list[int]) -> set[str]:
    """Local addresses ("udp 127.0.0.1:5060") of every IP socket the processes `pids` hold."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table in ("udp", "tcp", "udp6", "tcp6", "raw", "raw6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                found.add(f"{table} {_decode(fields[1])}")
    return found
