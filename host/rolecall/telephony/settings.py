"""Daemon-wide SIP settings from `config/telephony.json` (every key optional).

Keys: `bind_address`, `udp_port`, `tcp_port`, `tls_port`, `ca_file`, `stun_servers`,
`capture_wav`, `presence_server`, `max_calls`, `log_level`, `register_retry_first_s`,
`register_retry_s`, `media_timeout_s`. The file is read once, when the daemon starts: the
SIP endpoint is created with it. `bind_address` is 127.0.0.1 unless set: the daemon's own
transports are then reachable from this machine only (see `sip_exposure.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rolecall import __version__
from rolecall.paths import Home
from rolecall.telephony.stack import StackSettings


class TelephonySettingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bind_address: str = "127.0.0.1"
    """Loopback: nothing else reaches the daemon's own transports (accounts with a
    registrar listen on the address that routes to it)."""
    udp_port: int = Field(default=0, ge=0, le=65535)
    tcp_port: int = Field(default=0, ge=0, le=65535)
    tls_port: int | None = Field(default=None, ge=0, le=65535)
    ca_file: str | None = None
    stun_servers: list[str] = Field(default_factory=list, max_length=8)
    capture_wav: str | None = None
    presence_server: bool = False
    max_calls: int = Field(default=4, ge=1, le=4)
    log_level: int = Field(default=3, ge=0, le=6)
    register_retry_first_s: int = Field(default=5, ge=1, le=3600)
    register_retry_s: int = Field(default=30, ge=5, le=3600)
    media_timeout_s: int = Field(default=30, ge=0, le=3600)


def load_settings(home: Home) -> StackSettings:
    """The settings in effect: the file's values over the defaults."""
    path = home.config_dir / "telephony.json"
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raw = {}
    data = TelephonySettingsFile.model_validate(raw)
    return StackSettings(
        bind_address=data.bind_address,
        udp_port=data.udp_port,
        tcp_port=data.tcp_port,
        tls_port=data.tls_port,
        ca_file=data.ca_file,
        stun_servers=tuple(data.stun_servers),
        user_agent=f"Rolecall/{__version__}",
        capture_wav=Path(data.capture_wav) if data.capture_wav else None,
        recordings_dir=home.data_dir / "recordings",
        presence_server=data.presence_server,
        max_calls=data.max_calls,
        log_level=data.log_level,
        register_retry_first_s=data.register_retry_first_s,
        register_retry_s=data.register_retry_s,
        media_timeout_s=data.media_timeout_s,
    )
