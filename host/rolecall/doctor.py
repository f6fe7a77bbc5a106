"""`rolecall doctor`: is the host registered right, and does it really answer?

For each selected browser location it checks the manifest (present, valid JSON, the
right `name` and `type`, an absolute executable `path`, our extension allowed), then
starts that `path` exactly as the browser would and says hello (see
`rolecall.install.probe`); a launcher script must still name a program that exists.
Then it checks the daemon's run directory (0700) and socket (0600), the OS keyring that
holds SIP passwords, and, asked of the running daemon, the SIP registration of every
account with a registrar and where each account listens and whose requests it takes;
then that the chosen microphone and speaker open and the microphone hears something
(`rolecall.doctor_audio`), and each CRM connection (`crm_checks`). Every failure comes
with a fix in plain words. Exit status 0
when every check passes.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from rolecall.doctor_audio import audio_findings
from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID, HOST_NAME
from rolecall.install.launcher import is_ours, launcher_target
from rolecall.install.manifests import Target, chromium_origin, read_manifest
from rolecall.install.probe import ProbeResult, browser_args, probe_host
from rolecall.install.registry import Registry, system_registry
from rolecall.install.selection import Selection, SelectionError, add_selectors, select
from rolecall.paths import Home, resolve_home


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False
    """Passed, with something the user should know (and a fix): it does not fail."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `doctor` to the `rolecall` command."""
    parser = subparsers.add_parser(
        "doctor",
        help="check the browser registration and that the host answers",
        description="Checks each selected browser's host manifest, starts the host as the "
        "browser would and says hello, then checks the daemon's socket. Exit status 0 "
        "when everything passes.",
    )
    add_selectors(parser)
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--require-audio",
        action="store_true",
        help="fail, not warn, when the computer has no microphone or speaker",
    )
    parser.set_defaults(func=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    try:
        selection = select(args, "doctor")
    except SelectionError as exc:
        print(f"rolecall: {exc}", file=sys.stderr)
        return 2
    checks = diagnose(selection, system_registry(), require_audio=args.require_audio)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        print(render(checks))
    return 0 if checks and all(c.ok for c in checks) else 1


def render(checks: list[Check]) -> str:
    lines: list[str] = []
    for c in checks:
        detail = c.detail.replace("\n", "\n      ")
        label = "FAIL" if not c.ok else "warn" if c.warning else "ok  "
        lines.append(f"{label}  {c.check}: {detail}")
        if (not c.ok or c.warning) and c.fix:
            lines.append(f"      fix: {c.fix}")
    failed = sum(not c.ok for c in checks)
    lines.append(
        f"{failed} of {len(checks)} checks failed" if failed else f"all {len(checks)} checks passed"
    )
    return "\n".join(lines)


def diagnose(
    selection: Selection, registry: Registry, *, require_audio: bool = False
) -> list[Check]:
    """Every check, in order: per location, then the daemon's run directory and socket."""
    checks: list[Check] = []
    if not selection.targets:
        looked = ", ".join(selection.looked_for)
        checks.append(
            Check(
                "browsers",
                False,
                f"no browser found (looked for {looked}) and no Rolecall manifest installed",
                "run `rolecall install --browser NAME` for the browser you use",
            )
        )
    probes: dict[tuple[str, ...], ProbeResult] = {}
    daemon_home: str | None = None
    for target in selection.targets:
        found, reply = _check_target(target, selection, registry, probes)
        checks += found
        if reply is not None:
            daemon_home = daemon_home or reply["result"]["daemon"]["home"]
    home = Home(Path(daemon_home)) if daemon_home else resolve_home()
    checks += runtime_checks(home.root)
    checks.append(keyring_check(home))
    checks += registration_checks(home)
    checks += [Check(*finding) for finding in audio_findings(home, required=require_audio)]
    checks += crm_checks(home)
    return checks


def _check_target(
    target: Target,
    selection: Selection,
    registry: Registry,
    probes: dict[tuple[str, ...], ProbeResult],
) -> tuple[list[Check], dict[str, Any] | None]:
    name = target.label
    reinstall = f"run `{selection.install_command(target.browser.name)}`"
    path = Path(target.manifest_path)
    checks: list[Check] = []
    if target.registry_hive and target.registry_key:
        key = f"{target.registry_hive}\\{target.registry_key}"
        value = registry.read_default(target.registry_hive, target.registry_key)
        if value is None:
            return [Check(f"{name}: registry", False, f"no value at {key}", reinstall)], None
        if PurePath(value) != target.manifest_path:
            path = Path(value)
        checks.append(Check(f"{name}: registry", True, f"{key} = {value}"))
    if not path.is_file():
        checks.append(Check(f"{name}: manifest", False, f"no manifest at {path}", reinstall))
        return checks, None
    checks.append(Check(f"{name}: manifest", True, str(path)))
    try:
        manifest = read_manifest(path)
    except ValueError as exc:
        detail = f"{path} is not valid JSON: {exc}"
        return [*checks, Check(f"{name}: manifest content", False, detail, reinstall)], None
    except OSError as exc:
        detail = f"cannot read {path}: {exc.strerror or exc}"
        return [*checks, Check(f"{name}: manifest content", False, detail, reinstall)], None
    if not isinstance(manifest, dict):
        detail = f"{path} holds JSON but not an object"
        return [*checks, Check(f"{name}: manifest content", False, detail, reinstall)], None
    checks.append(_content_check(name, manifest, reinstall))
    host, path_check = _path_check(name, manifest, path, reinstall)
    checks.append(path_check)
    checks.append(_allowed_check(name, target, manifest, reinstall))
    if host is None:
        return checks, None
    args = browser_args(target.browser.family, path)
    key_args = (str(host), *args)
    if key_args not in probes:
        probes[key_args] = probe_host(host, args)
    answer = host_check(name, host, args, probes[key_args])
    checks.append(answer)
    result = probes[key_args]
    return checks, (result.reply if result.outcome == "ok" else None)


def _content_check(name: str, manifest: dict[str, Any], reinstall: str) -> Check:
    problems = []
    if manifest.get("name") != HOST_NAME:
        problems.append(f"name is {manifest.get('name')!r}, not {HOST_NAME!r}")
    if manifest.get("type") != "stdio":
        problems.append(f"type is {manifest.get('type')!r}, not 'stdio'")
    if problems:
        return Check(f"{name}: manifest content", False, "; ".join(problems), reinstall)
    return Check(f"{name}: manifest content", True, f"name {HOST_NAME}, type stdio")


def _path_check(
    name: str, manifest: dict[str, Any], manifest_path: Path, reinstall: str
) -> tuple[Path | None, Check]:
    label = f"{name}: host path"
    value = manifest.get("path")
    if not isinstance(value, str) or not value:
        return None, Check(label, False, "the manifest has no path", reinstall)
    host = Path(value)
    if not host.is_absolute():
        if sys.platform != "win32":  # Windows allows a path relative to the manifest
            return None, Check(label, False, f"path {value!r} is not absolute", reinstall)
        host = manifest_path.parent / host
    if not host.exists():
        detail = f"path {host} does not exist"
        return None, Check(label, False, detail, f"{reinstall} to write the launcher again")
    if not host.is_file():
        return None, Check(label, False, f"path {host} is not a file", reinstall)
    if sys.platform != "win32" and not os.access(host, os.X_OK):
        fix = f"run `chmod +x {host}`, or {reinstall}"
        return None, Check(label, False, f"path {host} is not executable", fix)
    if is_ours(host):
        runs = launcher_target(host)
        if runs is not None and not Path(runs).is_file():
            detail = (
                f"the launcher {host} runs {runs}, which no longer exists "
                "(Rolecall was moved, upgraded or removed)"
            )
            return None, Check(label, False, detail, f"{reinstall} from the Rolecall you use now")
    return host, Check(label, True, str(host))


def _allowed_check(name: str, target: Target, manifest: dict[str, Any], reinstall: str) -> Check:
    label = f"{name}: extension allowed"
    if target.browser.family == "firefox":
        field, wanted = "allowed_extensions", GECKO_EXTENSION_ID
    else:
        field, wanted = "allowed_origins", chromium_origin(CHROMIUM_EXTENSION_ID)
    listed = manifest.get(field)
    if isinstance(listed, list) and wanted in listed:
        return Check(label, True, f"{field} lists {wanted}")
    return Check(label, False, f"{field} does not list {wanted} (it is {listed!r})", reinstall)


def host_check(name: str, host: Path, args: list[str], result: ProbeResult) -> Check:
    """What the host's answer to hello says, in plain words."""
    label = f"{name}: host answers"
    by_hand = f"run `{host} {' '.join(args)}` in a terminal to see what it says"
    stderr = f"\nits stderr:\n{result.stderr_tail}" if result.stderr_tail else ""
    lingered = "; it did not exit when its stdin closed and was killed" if result.killed else ""
    if result.outcome == "ok" and result.reply is not None:
        answer = result.reply["result"]
        version = answer.get("host", {}).get("version")
        daemon = answer.get("daemon", {})
        detail = (
            f"Rolecall {version} answered hello (protocol {answer.get('protocol')}); "
            f"daemon pid {daemon.get('pid')}, home {daemon.get('home')}{lingered}"
        )
        return Check(label, True, detail)
    if result.outcome == "error_reply" and result.reply is not None:
        error = result.reply.get("error") or {}
        code, message = error.get("code"), error.get("message")
        details = error.get("details") or {}
        if code == "daemon_unavailable":
            log = details.get("log") or "(empty)"
            home = details.get("home") or str(resolve_home().root)
            return Check(
                label,
                False,
                f"the host runs, but the daemon failed: {message}\ndaemon log:\n{log}",
                f"read {Home(Path(home)).daemon_log}; `rolecall daemon` run in a terminal "
                "shows the failure directly",
            )
        return Check(label, False, f"the host answered with error {code}: {message}", by_hand)
    if result.outcome == "junk":
        return Check(
            label,
            False,
            f"the host wrote {result.first_bytes!r} on stdout, which is not a "
            f"native-messaging frame ({result.error}): something prints on stdout{stderr}",
            f"only framed messages may go to stdout: check {host} and whatever it runs "
            "(shell start-up files, sitecustomize, a module that prints when imported)",
        )
    if result.outcome == "spawn_failed":
        return Check(
            label,
            False,
            f"{host} could not be started: {result.error}",
            f"make it a program or a script starting with #!, or {by_hand}",
        )
    if result.outcome == "exited":
        return Check(
            label,
            False,
            f"the host exited (status {result.exit_status}) without answering{stderr}",
            by_hand,
        )
    return Check(label, False, f"no answer within the time limit{lingered}{stderr}", by_hand)


def runtime_checks(root: Path) -> list[Check]:
    """The daemon's run directory (0700, ours) and socket (0600)."""
    if sys.platform == "win32":
        return []
    home = Home(root)
    start = (
        "the native host starts the daemon when a browser connects (see the checks "
        "above), or run `rolecall daemon`"
    )
    checks: list[Check] = []
    run_dir = home.run_dir
    if not run_dir.is_dir():
        checks.append(
            Check("run directory", False, f"{run_dir} does not exist: no daemon has run", start)
        )
    else:
        info = run_dir.stat()
        problems = []
        if stat.S_IMODE(info.st_mode) != 0o700:
            problems.append(f"mode {stat.S_IMODE(info.st_mode):o}, not 700")
        if info.st_uid != os.getuid():
            problems.append(f"owned by uid {info.st_uid}, not {os.getuid()}")
        if problems:
            fix = f"run `chmod 700 {run_dir}` (it must be yours)"
            checks.append(Check("run directory", False, f"{run_dir}: {'; '.join(problems)}", fix))
        else:
            checks.append(Check("run directory", True, f"{run_dir}, mode 700"))
    sock = home.socket_path
    try:
        info = sock.lstat()
    except OSError:
        detail = f"no daemon socket at {sock}: the daemon is not running"
        return [*checks, Check("daemon socket", False, detail, start)]
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISSOCK(info.st_mode):
        fix = f"stop the daemon and remove {sock}; the daemon makes a new one"
        return [*checks, Check("daemon socket", False, f"{sock} is not a socket", fix)]
    if mode != 0o600:
        fix = "run `rolecall stop`; the daemon makes the socket 0600 when it starts"
        return [*checks, Check("daemon socket", False, f"{sock} has mode {mode:o}, not 600", fix)]
    return [*checks, Check("daemon socket", True, f"{sock}, mode 600")]


KEYRING_FIX = (
    "SIP passwords are kept in the OS keyring: install and unlock one (GNOME Keyring or "
    "KWallet on Linux; macOS and Windows have one built in), then log out and in again"
)


def keyring_check(home: Home) -> Check:
    """Can the OS keyring be read (where account passwords live)?"""
    from rolecall.secrets import SecretStore, SecretStoreUnavailable

    store = SecretStore(home)
    try:
        store.get("doctor-check")
    except SecretStoreUnavailable as exc:
        return Check("keyring", False, f"{exc} (backend {store.backend_name})", KEYRING_FIX)
    return Check("keyring", True, f"readable ({store.backend_name})")


ANY_ADDRESS = ("0.0.0.0:", "[::]:", ":::")  # recognised, never bound


def exposure_check(account: dict[str, Any]) -> Check:
    """Where an account listens, whose requests it takes and what realm its password answers."""
    account_id = account["config"]["id"]
    listen = str(account.get("listen") or "unknown")
    detail = f"listens on {listen}; takes INVITE, MESSAGE and SUBSCRIBE from "
    detail += str(account.get("accepts_from") or "unknown")
    if account.get("realm"):
        detail += f"; its password answers realm {account['realm']} only"
    if any(marker in listen for marker in ANY_ADDRESS):
        fix = (
            "this account listens on every interface: set a registrar, or a bind address "
            "of one interface (`rolecall account add … --bind ADDRESS`)"
        )
        if account_id == "local":
            fix = "set `bind_address` in telephony.json to 127.0.0.1 (the default)"
        return Check(f"SIP account {account_id}: exposure", False, detail, fix)
    return Check(f"SIP account {account_id}: exposure", True, detail)


def registration_checks(home: Home) -> list[Check]:
    """Each account with a registrar: is it registered? Asked of the running daemon."""
    from rolecall.client import DaemonClient
    from rolecall.telephony.registration_advice import registration_advice

    try:
        with DaemonClient.open(home, start=False) as client:
            accounts: list[dict[str, Any]] = client.request("account.list")["accounts"]
    except OSError:
        return []  # the socket check above already says the daemon is not running
    checks: list[Check] = [exposure_check(account) for account in accounts]
    for account in accounts:
        state = account.get("registration")
        account_id = account["config"]["id"]
        label = f"SIP account {account_id}: registration"
        registrar = account["config"].get("registrar")
        if state == "none":
            continue
        if state == "registered":
            detail = f"registered at {registrar} (expires in {account.get('expires_s')} s)"
            checks.append(Check(label, True, detail))
            continue
        code = account.get("status_code")
        why = f"{code} {account.get('reason') or ''}".strip() if code else "no answer yet"
        detail = f"{state} at {registrar}: {why}"
        fix = account.get("advice") or registration_advice(code, account_id)
        checks.append(Check(label, False, detail, fix))
    return checks


def connection_line(connection: dict[str, Any]) -> str:
    """One CRM connection, for people: state, who, which org, expiry, last write-back."""
    state = str(connection["state"]).replace("_", " ")
    parts = [state]
    if connection.get("user"):
        parts.append(f"as {connection['user']}")
    if connection.get("org"):
        parts.append(f"org {connection['org']}")
    expires = connection.get("expires_at")
    if expires is not None:
        when = datetime.fromtimestamp(float(expires), UTC).strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"access token until {when}")
    last = connection.get("last_write_back")
    parts.append(f"last write-back {last[:19].replace('T', ' ')}" if last else "no write-back yet")
    if connection.get("pending"):
        parts.append(f"{connection['pending']} waiting")
    line = ", ".join(parts)
    if connection.get("detail"):
        line += f"\n{connection['detail']}"
    return line


def _crm_connections(home: Home) -> list[dict[str, Any]]:
    """Asked of the running daemon; with none, read from the config and the keyring."""
    from rolecall.client import DaemonClient

    try:
        with DaemonClient.open(home, start=False) as client:
            found: list[dict[str, Any]] = client.request("crm.status")["connections"]
            return found
    except OSError:
        pass
    from rolecall.crm.oauth.connections import CrmConnections
    from rolecall.secrets import SecretStore

    return [c.model_dump(mode="json") for c in CrmConnections(home, SecretStore(home)).statuses()]


def crm_checks(home: Home) -> list[Check]:
    """One finding per configured or signed-in CRM; nothing when none is."""
    try:
        connections = _crm_connections(home)
    except Exception as exc:  # a broken config or keyring: say so, do not stop the doctor
        return [Check("CRM connections", False, str(exc)[:300], "check config/crm.json")]
    checks: list[Check] = []
    for connection in connections:
        kind = connection["crm"]
        ok = connection["state"] in ("signed_in", "token", "connecting")
        fix = (
            ""
            if ok
            else f"run `rolecall crm connect {kind}` (or Connect in the options page's "
            "CRM connections)"
        )
        checks.append(Check(f"CRM {kind}", ok, connection_line(connection), fix))
    return checks
