"""The demo's PBX: Kamailio as registrar and proxy on 127.0.0.1, where it is installed.

The configuration (`kamailio.cfg` beside this module) takes registrations from anyone
on loopback, routes calls by user part (a number or an extension) to whoever registered
it, and sends numbers nobody registered to the demo's catch-all callee. Kamailio runs
in the foreground in its own session (so its workers share its process group), as root
without CAP_NET_RAW so every socket it opens is bound to 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from importlib import resources
from pathlib import Path

from rolecall.demo.processes import LOOPBACK, Children, free_port

MODULE_DIRS = (
    Path("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
    Path("/usr/lib/aarch64-linux-gnu/kamailio/modules"),
    Path("/usr/lib/kamailio/modules"),
    Path("/usr/lib64/kamailio/modules"),
)


def kamailio_modules() -> Path | None:
    """Kamailio's module directory, when Kamailio is installed."""
    if shutil.which("kamailio") is None:
        return None
    return next((d for d in MODULE_DIRS if (d / "registrar.so").exists()), None)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((LOOPBACK, port)) == 0


class Registrar:
    """One Kamailio on 127.0.0.1:`port`, its files in `workdir`."""

    def __init__(self, workdir: Path, fallback: str) -> None:
        self.workdir = workdir
        self.fallback = fallback
        self.port = free_port()

    @property
    def uri(self) -> str:
        return f"sip:{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self, children: Children, modules: Path, timeout: float = 10.0) -> None:
        rundir = self.workdir / "run"
        rundir.mkdir(parents=True, exist_ok=True)
        template = resources.files("rolecall.demo").joinpath("kamailio.cfg").read_text()
        config = self.workdir / "kamailio.cfg"
        config.write_text(
            template.replace("@@PORT@@", str(self.port))
            .replace("@@MODULES@@", f"{modules}/")
            .replace("@@FALLBACK@@", self.fallback)
        )
        args = ["kamailio", "-f", str(config), "-P", str(rundir / "kamailio.pid")]
        if os.geteuid() == 0 and shutil.which("setpriv"):
            args = ["setpriv", "--bounding-set", "-net_raw", *args]
        args += ["-Y", str(rundir), "-w", str(rundir), "-E", "-DD", "-m", "32", "-M", "4"]
        process = children.start("kamailio", args, log=self.workdir / "kamailio.log")
        deadline = time.monotonic() + timeout
        while not _listening(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (self.workdir / "kamailio.log").read_text(errors="replace")
                raise RuntimeError(f"Kamailio did not start on {self.address}:\n{log[-2000:]}")
            time.sleep(0.05)
