"""`rolecall doctor` run as the real CLI: what it reports when things are missing or broken,
and that it passes, with the host's version, once the host is installed and answers.

The passing test spawns the real host, which starts the real daemon; the daemon is then
stopped with `rolecall stop`, and killed by its pid only if it is still there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rolecall import __version__
from rolecall.identity import CHROMIUM_EXTENSION_ID, HOST_NAME
from rolecall.paths import Home
from support.daemons import prepare_home, start_daemon, stop_daemon
from support.sip.sipp import SippPeer

REPO = Path(__file__).resolve().parent.parent
ROLECALL = REPO / ".venv" / "bin" / "rolecall"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX hosts and sockets")


@dataclass
class Sandbox:
    home: Path
    rc_home: Path
    profile: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROLECALL), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def doctor_json(self, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
        result = self.run("doctor", *args, "--json")
        checks = json.loads(result.stdout)
        assert all(set(c) == {"check", "ok", "detail", "fix", "warning"} for c in checks)
        return result.returncode, {c["check"]: c for c in checks}

    def write_manifest(self, **fields: Any) -> Path:
        manifest = {
            "name": HOST_NAME,
            "description": "test",
            "type": "stdio",
            "allowed_origins": [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"],
            **fields,
        }
        path = self.profile / "NativeMessagingHosts" / f"{HOST_NAME}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest))
        return path


def _sandbox(tmp_path: Path, rc_home: Path) -> Sandbox:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ROLECALL_"))}
    # No OS keyring runs on test machines: the test-only file backend stands in for it.
    env.update(HOME=str(tmp_path / "home"), ROLECALL_HOME=str(rc_home), ROLECALL_KEYRING="file")
    (tmp_path / "home").mkdir()
    return Sandbox(tmp_path / "home", rc_home, tmp_path / "profile", env)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    rc_home = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp"))  # socket paths stay short
    prepare_home(Home(rc_home))  # the daemon it starts keeps SIP on loopback
    try:
        yield _sandbox(tmp_path, rc_home)
    finally:
        shutil.rmtree(rc_home, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")  # a zombie still answers kill(0)
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


def _stop_daemon(box: Sandbox, pid: int | None) -> None:
    """`rolecall stop`, then make sure that pid is gone (killing it only if it lingers)."""
    if pid is None:
        status = box.run("status", "--json")
        if status.returncode != 0:
            return
        pid = int(json.loads(status.stdout)["pid"])
    box.run("stop")
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


CHROMIUM_UDD = "chromium (user-data-dir)"


def test_nothing_installed_fails_with_the_install_fix(sandbox: Sandbox) -> None:
    status, checks = sandbox.doctor_json("--browser", "chromium")
    assert status == 1
    missing = checks["chromium (user): manifest"]
    assert not missing["ok"]
    assert "no manifest at" in missing["detail"]
    assert ".config/chromium/NativeMessagingHosts" in missing["detail"]
    assert missing["fix"] == "run `rolecall install --browser chromium`"
    # with no browser named and none found
    status, checks = sandbox.doctor_json()
    assert status == 1
    assert not checks["browsers"]["ok"]
    assert "rolecall install --browser" in checks["browsers"]["fix"]
    assert not checks["daemon socket"]["ok"]


def test_installed_host_passes_and_reports_its_version(sandbox: Sandbox) -> None:
    profile = str(sandbox.profile)
    installed = sandbox.run("install", "--browser", "chromium", "--user-data-dir", profile)
    assert installed.returncode == 0, installed.stderr
    pid: int | None = None
    # No sound server here: the sound checks warn (test_doctor_audio.py has one), all pass.
    sandbox.env["PULSE_SERVER"] = f"unix:{sandbox.home}/no-sound-server"
    try:
        result = sandbox.run("doctor", "--browser", "chromium", "--user-data-dir", profile)
        assert f"Rolecall {__version__} answered hello" in result.stdout, result.stdout
        match = re.search(r"daemon pid (\d+)", result.stdout)
        assert match is not None
        pid = int(match.group(1))
        assert re.search(r"^all \d+ checks passed$", result.stdout, re.MULTILINE), result.stdout
        assert re.search(r"^warn  microphone: ", result.stdout, re.MULTILINE), result.stdout
        status, checks = sandbox.doctor_json("--browser", "chromium", "--user-data-dir", profile)
        assert status == 0
        warned = {name for name, c in checks.items() if c["warning"]}
        assert warned == {"microphone", "speaker"}, checks
        assert all(c["ok"] for c in checks.values()), checks
        assert "sound server" in checks["microphone"]["fix"]
        assert checks["daemon socket"]["ok"] and "mode 600" in checks["daemon socket"]["detail"]
        assert checks["run directory"]["ok"] and "mode 700" in checks["run directory"]["detail"]
        assert f"daemon pid {pid}" in checks[f"{CHROMIUM_UDD}: host answers"]["detail"]
    finally:
        _stop_daemon(sandbox, pid)
    assert pid is not None and not _alive(pid)


def test_missing_host_path(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.write_manifest(path=str(tmp_path / "gone" / "rolecall-native-host"))
    status, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert status == 1
    assert checks[f"{CHROMIUM_UDD}: manifest"]["ok"]
    host_path = checks[f"{CHROMIUM_UDD}: host path"]
    assert not host_path["ok"]
    assert (
        host_path["detail"] == f"path {tmp_path / 'gone' / 'rolecall-native-host'} does not exist"
    )
    assert "rolecall install --browser chromium --user-data-dir" in host_path["fix"]
    assert f"{CHROMIUM_UDD}: host answers" not in checks  # nothing to start


def test_not_executable_and_relative_paths(sandbox: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "host.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    sandbox.write_manifest(path=str(script))
    _, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert checks[f"{CHROMIUM_UDD}: host path"]["detail"] == f"path {script} is not executable"
    assert "chmod +x" in checks[f"{CHROMIUM_UDD}: host path"]["fix"]
    sandbox.write_manifest(path="bin/host.sh")
    _, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert "is not absolute" in checks[f"{CHROMIUM_UDD}: host path"]["detail"]


def test_bad_manifests(sandbox: Sandbox) -> None:
    path = sandbox.write_manifest(path="/bin/true", name="com.other.host", type="pipe")
    _, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    content = checks[f"{CHROMIUM_UDD}: manifest content"]
    assert not content["ok"]
    assert "name is 'com.other.host'" in content["detail"] and "type is 'pipe'" in content["detail"]
    sandbox.write_manifest(path="/bin/true", allowed_origins=["chrome-extension://other/"])
    _, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    allowed = checks[f"{CHROMIUM_UDD}: extension allowed"]
    assert not allowed["ok"] and CHROMIUM_EXTENSION_ID in allowed["detail"]
    path.write_text('{"name": ')
    status, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert status == 1
    assert "is not valid JSON" in checks[f"{CHROMIUM_UDD}: manifest content"]["detail"]


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        # prints, then waits for stdin like a host
        ('echo "Welcome to my shell!"\nexec cat >/dev/null', repr(b"Welcome to my shell!\n")),
        ('echo "Welcome to my shell!"', repr(b"Welcome to my shell!\n")),  # prints and exits
        ("printf hi", repr(b"hi")),  # fewer bytes than a frame header
    ],
)
def test_junk_on_stdout_is_diagnosed(
    sandbox: Sandbox, tmp_path: Path, body: str, shown: str
) -> None:
    script = tmp_path / "noisy-host"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    sandbox.write_manifest(path=str(script))
    started = time.monotonic()
    status, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert time.monotonic() - started < 12  # diagnosed at once, not after the 15 s limit
    assert status == 1
    answer = checks[f"{CHROMIUM_UDD}: host answers"]
    assert not answer["ok"]
    assert "something prints on stdout" in answer["detail"]
    assert answer["detail"].startswith(f"the host wrote {shown} on stdout")
    assert "stdout" in answer["fix"]


def test_daemon_that_cannot_start_is_reported(tmp_path: Path) -> None:
    """A home whose socket path is too long: the host answers `daemon_unavailable`."""
    long_home = Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp")) / ("x" * 120)
    box = _sandbox(tmp_path, long_home)
    try:
        installed = box.run("install", "--browser", "chromium", "--user-data-dir", str(box.profile))
        assert installed.returncode == 0, installed.stderr
        status, checks = box.doctor_json("--user-data-dir", str(box.profile))
        assert status == 1
        answer = checks[f"{CHROMIUM_UDD}: host answers"]
        assert not answer["ok"]
        assert answer["detail"].startswith("the host runs, but the daemon failed")
        assert "daemon log" in answer["detail"]
        assert "daemon.log" in answer["fix"]
    finally:
        shutil.rmtree(long_home.parent, ignore_errors=True)


def test_host_that_exits_without_answering(sandbox: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "broken-host"
    script.write_text("#!/bin/sh\necho 'ModuleNotFoundError: rolecall' >&2\nexit 3\n")
    script.chmod(0o755)
    sandbox.write_manifest(path=str(script))
    status, checks = sandbox.doctor_json("--user-data-dir", str(sandbox.profile))
    assert status == 1
    answer = checks[f"{CHROMIUM_UDD}: host answers"]
    assert answer["detail"].startswith("the host exited (status 3) without answering")
    assert "ModuleNotFoundError: rolecall" in answer["detail"]
    assert answer["fix"] == (
        f"run `{script} chrome-extension://{CHROMIUM_EXTENSION_ID}/` in a terminal "
        "to see what it says"
    )


def test_launcher_naming_a_program_that_is_gone(sandbox: Sandbox) -> None:
    profile = str(sandbox.profile)
    assert (
        sandbox.run("install", "--browser", "chromium", "--user-data-dir", profile).returncode == 0
    )
    launcher = sandbox.rc_home / "bin" / "rolecall-native-host"
    text = launcher.read_text()
    moved = "\n".join(
        'exec /opt/old-venv/bin/python -m rolecall native-host "$@"'
        if line.startswith("exec ")
        else line
        for line in text.splitlines()
    )
    launcher.write_text(moved + "\n")
    status, checks = sandbox.doctor_json("--browser", "chromium", "--user-data-dir", profile)
    assert status == 1
    host_path = checks[f"{CHROMIUM_UDD}: host path"]
    assert not host_path["ok"]
    assert "runs /opt/old-venv/bin/python, which no longer exists" in host_path["detail"]
    assert "rolecall install --browser chromium" in host_path["fix"]


def test_keyring_unavailable_is_reported_with_a_fix(sandbox: Sandbox) -> None:
    sandbox.env.pop("ROLECALL_KEYRING", None)
    sandbox.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    _, checks = sandbox.doctor_json("--browser", "chromium")
    keyring = checks["keyring"]
    assert not keyring["ok"]
    assert "keyring" in keyring["detail"] and "Keyring" in keyring["detail"]
    assert "GNOME Keyring or KWallet" in keyring["fix"]
    sandbox.env["ROLECALL_KEYRING"] = "file"
    _, checks = sandbox.doctor_json("--browser", "chromium")
    assert checks["keyring"]["ok"]


def test_socket_permission_and_failing_registration(sandbox: Sandbox) -> None:
    home = Home(sandbox.rc_home)
    running = start_daemon(home)
    registrar = SippPeer("registrar_auth", keys={"user": "alice", "password": "right"}).start()
    try:
        added = subprocess.run(
            [
                *(str(ROLECALL), "account", "add", "office", "--uri", "sip:alice@rolecall.test"),
                *("--registrar", f"sip:{registrar.address}", "--username", "alice"),
                "--password-stdin",
            ],
            input="wrong\n", env=sandbox.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode != 0 or "403" in added.stdout, added.stdout + added.stderr
        home.socket_path.chmod(0o666)
        status, checks = sandbox.doctor_json("--browser", "chromium")
        assert status == 1
        sock = checks["daemon socket"]
        assert not sock["ok"] and "has mode 666, not 600" in sock["detail"]
        assert "rolecall stop" in sock["fix"]
        registration = checks["SIP account office: registration"]
        assert not registration["ok"]
        assert registration["detail"].startswith(f"failed at sip:{registrar.address}: 403")
        assert "username or password" in registration["fix"]
        assert "rolecall account add office" in registration["fix"]
        assert "SIP account local: registration" not in checks  # no registrar: nothing to check
    finally:
        registrar.cleanup()
        stop_daemon(running)
