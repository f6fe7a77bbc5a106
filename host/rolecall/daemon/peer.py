"""Who is on the other end of a Unix socket: the peer's uid, from the kernel.

The check fails closed: a peer whose credentials cannot be read is refused.
"""

from __future__ import annotations

import socket
import struct
import sys


def may_connect(sock: socket.socket | None, own_uid: int) -> bool:
    """True only when the kernel says the peer is `own_uid`; any doubt refuses it."""
    if sock is None:
        return sys.platform == "win32"  # named pipes carry their own ACL
    try:
        uid = peer_uid(sock)
    except OSError:
        return False
    if uid is None:
        return sys.platform == "win32"
    return uid == own_uid


def peer_uid(sock: socket.socket) -> int | None:
    """The connecting process's uid, or None where the platform cannot tell."""
    if sys.platform.startswith("linux"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return int(uid)
    if sys.platform == "darwin":
        # struct xucred: u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]
        local_peercred = getattr(socket, "LOCAL_PEERCRED", 0x001)
        raw = sock.getsockopt(0, local_peercred, struct.calcsize("IIh16I"))
        _version, uid = struct.unpack_from("II", raw)
        return int(uid)
    return None
