"""`rolecall autostart`: the systemd user unit written into a temporary XDG config dir
(never the real user's systemd), checked by `systemd-analyze verify` and by running its
ExecStart as the daemon; the launchd agent and the Windows Run value as data.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from rolecall.autostart import (
    AGENT_LABEL,
    RUN_KEY,
    RUN_VALUE,
    disable,
    enable,
    entry_for,
    launchd_plist,
    status,
)
from rolecall.install.registry import MemoryRegistry
from rolecall.paths import Home
from support.daemons import wait_for_socket
from support.processes import stop_pid

REPO = Path(__file__).resolve().parent.parent
ROLECALL = REPO / ".venv" / "bin" / "rolecall"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")


def _env(tmp_path: Path, rc_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ROLECALL_"))}
    return {
        **env,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "ROLECALL_HOME": str(rc_home),
        "ROLECALL_KEYRING": "file",
        "ROLECALL_AUDIO": "off",  # no sound server client files in the config folder
    }


def _autostart(env: dict[str, str], action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROLECALL), "autostart", action, "--no-activate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_systemd_unit_enable_runs_the_daemon_and_disable_leaves_nothing(
    tmp_path: Path, rc_home: Home
) -> None:
    env = _env(tmp_path, rc_home.root)
    (tmp_path / "home").mkdir()
    (tmp_path / "config").mkdir()
    assert _autostart(env, "status").returncode == 1

    enabled = _autostart(env, "enable")
    assert enabled.returncode == 0, enabled.stderr
    unit = tmp_path / "config/systemd/user/rolecall.service"
    link = tmp_path / "config/systemd/user/default.target.wants/rolecall.service"
    assert enabled.stdout.splitlines() == [f"wrote unit {unit}", f"enabled it: {link}"]
    assert link.resolve() == unit
    text = unit.read_text()
    assert f'Environment="ROLECALL_HOME={rc_home.root}"' in text
    assert "WantedBy=default.target" in text and "RestartPreventExitStatus=3" in text
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert verified.returncode == 0, verified.stderr
    status_run = _autostart(env, "status")
    assert status_run.returncode == 0 and f"on: {unit}" in status_run.stdout

    # What systemd would run at login starts a real daemon on that home.
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    assert argv[-1] == "daemon" and Path(argv[0]).is_file()
    rc_home.ensure()
    with rc_home.daemon_log.open("ab") as log:
        daemon = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    try:
        wait_for_socket(rc_home, timeout=20)
    finally:
        stop_pid(daemon.pid)
        daemon.wait(10)

    disabled = _autostart(env, "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert f"removed {unit}" in disabled.stdout
    assert sorted(p.name for p in (tmp_path / "config").rglob("*")) == []
    assert _autostart(env, "disable").stdout.strip() == "autostart was not enabled"


def test_a_unit_we_did_not_write_is_left_alone(tmp_path: Path) -> None:
    entry = entry_for("linux", tmp_path / "home", tmp_path / "config")
    assert entry.path is not None
    entry.path.parent.mkdir(parents=True)
    entry.path.write_text("[Service]\nExecStart=/usr/bin/true\n")
    said = disable(entry, MemoryRegistry(), activate=False)
    assert said == [f"left {entry.path}: it was not written by rolecall"]
    assert entry.path.is_file()


def test_launchd_agent(tmp_path: Path) -> None:
    entry = entry_for("darwin", tmp_path, None)
    assert entry.path == tmp_path / "Library/LaunchAgents" / f"{AGENT_LABEL}.plist"
    agent = plistlib.loads(
        launchd_plist(["/Applications/Rolecall/rolecall", "daemon"], "/Users/ann/rc", tmp_path)
    )
    assert agent["Label"] == AGENT_LABEL
    assert agent["ProgramArguments"] == ["/Applications/Rolecall/rolecall", "daemon"]
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["EnvironmentVariables"] == {"ROLECALL_HOME": "/Users/ann/rc"}
    assert "ROLECALL_HOME" not in str(launchd_plist(["x", "daemon"], None, tmp_path))


def test_windows_run_value_set_and_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLECALL_HOME", raising=False)
    registry = MemoryRegistry()
    entry = entry_for("win32", Path("C:/Users/ann"), None)
    assert enable(entry, registry, activate=False) == [f"set registry HKCU\\{RUN_KEY}\\{RUN_VALUE}"]
    value = registry.read_value("HKCU", RUN_KEY, RUN_VALUE)
    assert value is not None and value.endswith('"daemon"')
    assert status(entry, registry)[0] is True
    assert disable(entry, registry, activate=False) == [
        f"removed registry HKCU\\{RUN_KEY}\\{RUN_VALUE}"
    ]
    assert registry.named == {} and status(entry, registry)[0] is False
