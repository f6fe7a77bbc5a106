"""Starting the demo's callees (`rolecall.demo.callee` processes) and reading their record.

With a registrar (Kamailio), the cast is split over three processes, each registering its
people's numbers there: the person who answers with the catch-all (whose address is
where the registrar sends numbers nobody registered), the busy / unanswered / ringing-back
people, and the colleague. Without one, a single process holds everyone and is reached
directly: its accounts are matched by the number in the request, and the catch-all is
its default account. Either way each process keeps its own record of every call in a
JSON-lines file, which the demo reports from and the tests check.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolecall.demo.cast import Person
from rolecall.demo.processes import LOOPBACK, Children, free_port, free_port_block
from rolecall.demo.voice import speech_wav

Event = dict[str, Any]


@dataclass
class CalleeProcess:
    name: str
    people: tuple[Person, ...]
    port: int
    events_path: Path
    pid: int | None = None

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"


class Callees:
    """The callee processes of one demo run, their files in `workdir`."""

    def __init__(self, workdir: Path, cast: tuple[Person, ...], *, with_registrar: bool) -> None:
        self.workdir = workdir
        self.cast = cast
        if with_registrar:
            groups = [
                ("people", [p for p in cast if p.behaviour == "answer"]),
                (
                    "unavailable",
                    [p for p in cast if p.behaviour in ("busy", "no_answer", "call_back")],
                ),
                ("colleague", [p for p in cast if p.behaviour == "colleague"]),
            ]
        else:
            groups = [("everyone", list(cast))]
        self.processes = [
            CalleeProcess(name, tuple(people), free_port(), workdir / f"{name}.events.jsonl")
            for name, people in groups
            if people
        ]
        self.voices: dict[str, str] = {}

    @property
    def catch_all_address(self) -> str:
        """Where calls to numbers nobody registered (or, directly, every call) go."""
        for process in self.processes:
            if any(p.catch_all for p in process.people):
                return process.address
        return self.processes[0].address

    def start(
        self,
        children: Children,
        *,
        registrar: str | None,
        callback_uri: str,
        timeout: float = 20.0,
    ) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        wavs: dict[str, str] = {}
        for person in self.cast:
            if person.says:
                path = self.workdir / "voices" / f"{person.key}.wav"
                self.voices[person.key] = speech_wav(person.says, path)
                wavs[person.key] = str(path)
        for process in self.processes:
            config = {
                "port": process.port,
                "rtp_port": free_port_block(64),
                "events": str(process.events_path),
                "registrar": registrar,
                "callback_uri": callback_uri,
                "max_call_s": 90,
                "people": [{**p.to_json(), "wav": wavs.get(p.key)} for p in process.people],
            }
            config_path = self.workdir / f"{process.name}.json"
            config_path.write_text(json.dumps(config, indent=2))
            child = children.start(
                f"callee {process.name}",
                [sys.executable, "-m", "rolecall.demo.callee", str(config_path)],
                log=self.workdir / f"{process.name}.log",
            )
            process.pid = child.pid
        users = {u for p in self.cast for u in p.users}

        def started(found: list[Event]) -> bool:
            ready = sum(1 for e in found if e["event"] == "ready")
            registered = {
                e.get("user") for e in found if e["event"] == "registered" and e.get("code") == 200
            }
            return ready >= len(self.processes) and (registrar is None or registered >= users)

        self.wait(started, timeout, f"the demo callees did not start (logs in {self.workdir})")

    def events(self) -> list[Event]:
        """Every process's record so far, in time order."""
        found: list[Event] = []
        for process in self.processes:
            try:
                lines = process.events_path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                continue
            for line in lines:
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line being written
        return sorted(found, key=lambda e: float(e.get("t", 0)))

    def wait(
        self, check: Callable[[list[Event]], bool], timeout: float, failure: str = ""
    ) -> list[Event]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.events()
            if check(found):
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(failure or "the callees never did what was waited for")
            time.sleep(0.05)
