"""Everything the demo runs besides the browser, started in order and stopped by pid.

`DemoStack.start()` brings up: the demo CRM web app, the demo dataset (its documents
served by that app) loaded into the store of a demo `ROLECALL_HOME`, the demo PBX
(Kamailio, where installed) and the demo callees, the daemon under that home, and the
demo's SIP account in it (registered at the PBX, or dialling the callees directly),
whose dial plan sends every number to the callees. `stop()` ends each process it
started, by its pid, newest first.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rolecall.client import DaemonClient, DaemonError
from rolecall.demo.callees import Callees
from rolecall.demo.cast import DEMO_USER, Person, cast_of
from rolecall.demo.crm_app import CrmApp
from rolecall.demo.dataset import demo_dataset
from rolecall.demo.processes import LOOPBACK, Children, free_port
from rolecall.demo.registrar import Registrar, kamailio_modules
from rolecall.demo.sound import DemoSound
from rolecall.paths import Home
from rolecall.protocol.records import Dataset
from rolecall.protocol.telephony import AccountConfig, DialPlanConfig
from rolecall.store.store import Store
from rolecall.telephony.account_store import AccountStore

ACCOUNT_ID = "demo"
DEMO_OPPORTUNITY = "opp-acme-platform"
"""The deal the tour calls about."""


@dataclass
class DemoStack:
    home: Home
    workdir: Path
    direct: bool = False
    """Reach the callees directly even when Kamailio is installed."""
    children: Children = field(default_factory=Children)
    crm: CrmApp | None = None
    dataset: Dataset | None = None
    cast: tuple[Person, ...] = ()
    callees: Callees | None = None
    registrar: Registrar | None = None
    daemon_pid: int | None = None
    sound: DemoSound | None = None
    """The demo's own sound server for the daemon (headless), else the user's or none."""
    sip_port: int = 0

    @property
    def crm_url(self) -> str:
        assert self.crm is not None
        return self.crm.url

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "ROLECALL_HOME": os.fspath(self.home.root)}

    def client(self) -> DaemonClient:
        return DaemonClient.open(self.home, start=False, name="rolecall-demo")

    def start(self, log: Any = print) -> None:
        self.home.ensure()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.crm = CrmApp().start()
        self.dataset = demo_dataset(self.home.data_dir / "documents", self.crm.documents_url)
        self.crm.serve(self.dataset)
        store = Store(self.home.data_dir / "rolecall.db")
        try:
            store.load(self.dataset)
        finally:
            store.close()
        log(
            f"demo CRM: {self.crm.url} ({len(self.dataset.opportunities)} opportunities, "
            f"{len(self.dataset.contacts)} contacts, {len(self.dataset.documents)} documents)"
        )

        self.cast = cast_of(self.dataset)
        modules = None if self.direct else kamailio_modules()
        self.callees = Callees(
            self.workdir / "callees", self.cast, with_registrar=modules is not None
        )
        self.sip_port = free_port()
        if modules is not None:
            self.registrar = Registrar(self.workdir / "pbx", self.callees.catch_all_address)
            self.registrar.start(self.children, modules)
            log(f"demo PBX: Kamailio on {self.registrar.address}")
            callback = f"sip:{DEMO_USER}@{LOOPBACK}"
        else:
            why = "--direct" if self.direct else "Kamailio is not installed"
            log(f"demo PBX: none ({why}); the callees are reached directly")
            callback = f"sip:{DEMO_USER}@{LOOPBACK}:{self.sip_port}"
        self.callees.start(
            self.children,
            registrar=self.registrar.uri if self.registrar else None,
            callback_uri=callback,
        )
        for process in self.callees.processes:
            names = ", ".join(p.name for p in process.people)
            log(f"demo callees on {process.address} (pid {process.pid}): {names}")

        self._write_account()
        if self.sound is not None:
            self.sound.start()
            log("demo sound: a private PulseAudio (speaker spk, microphone mic)")
        self._start_daemon()
        self._wait_account()

    def _start_daemon(self, timeout: float = 20.0) -> None:
        settings = {"bind_address": LOOPBACK, "udp_port": self.sip_port, "tcp_port": self.sip_port}
        (self.home.config_dir / "telephony.json").write_text(json.dumps(settings))
        process = self.children.start(
            "daemon",
            [sys.executable, "-m", "rolecall", "daemon"],
            log=self.home.log_dir / "demo-daemon.out",
            env=self._daemon_env(),
        )
        self.daemon_pid = process.pid
        deadline = time.monotonic() + timeout
        while not self.home.socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the daemon did not start; see {self.home.daemon_log}")
            time.sleep(0.05)

    def _daemon_env(self) -> dict[str, str]:
        if self.sound is None:
            return self.env
        return {
            **self.sound.env,
            "ROLECALL_HOME": os.fspath(self.home.root),
            "ROLECALL_AUDIO": "on",
        }

    def _write_account(self) -> None:
        """The demo account, in the daemon's account file before the daemon starts (so it
        is there from the start, as a configured user's account is)."""
        assert self.callees is not None
        domain = self.registrar.address if self.registrar else self.callees.catch_all_address
        account = AccountConfig(
            id=ACCOUNT_ID,
            uri=f"sip:{DEMO_USER}@{LOOPBACK}",
            display_name="You (Rolecall demo)",
            registrar=self.registrar.uri if self.registrar else None,
            no_answer_timeout_s=30,
            dial_plan=DialPlanConfig(default_region="US", domain=domain),
        )
        AccountStore(self.home.config_dir / "accounts.json").save([account])

    def _wait_account(self, timeout: float = 20.0) -> None:
        """Until the daemon has the demo account (registered, where there is a PBX)."""
        deadline = time.monotonic() + timeout
        wanted = "registered" if self.registrar else "none"
        mine: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                with self.client() as client:
                    states = client.request("account.list")["accounts"]
            except (OSError, DaemonError):
                states = []  # the socket is up just before the SIP stack
            mine = next((a for a in states if a["config"]["id"] == ACCOUNT_ID), {})
            if mine.get("registration") == wanted:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the daemon never had the demo account ready: {mine}")

    def stop(self) -> list[str]:
        """Stops every process this stack started (by pid) and the web app."""
        stopped = self.children.stop_all()
        if self.crm is not None:
            self.crm.close()
            stopped.append("demo CRM web app")
            self.crm = None
        return stopped
