"""`rolecall install` and `rolecall uninstall`: register the host with browsers, or undo it.

`install` writes the launcher (from the bundle without a pinned home: none, the
manifests name the bundle), then one manifest per selected location (and on Windows
the registry value pointing at it). A Flatpak browser's manifest names a copy of the
host inside its app directory instead (`sandbox`). `uninstall` removes the manifests
and registry values, the Flatpak copies, then the launcher once no manifest uses it,
then the directories left empty. Each file or value written or removed is printed on
its own line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rolecall.install.launcher import (
    bundle_executable,
    is_ours,
    launcher_command,
    launcher_file,
    write_launcher,
)
from rolecall.install.manifests import (
    Target,
    all_table_targets,
    allowed_ids,
    build_manifest,
    install_target,
    manifests_using,
    prune_empty,
    uninstall_target,
)
from rolecall.install.registry import Registry, system_registry
from rolecall.install.sandbox import install_host, remove_host
from rolecall.install.selection import Selection, SelectionError, add_selectors, select


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `install` and `uninstall` to the `rolecall` command."""
    install = subparsers.add_parser(
        "install",
        help="register the native messaging host with browsers",
        description="Writes the launcher into the Rolecall home and a host manifest "
        "where each selected browser looks for it. See docs/INSTALL.md.",
    )
    add_selectors(install)
    install.add_argument(
        "--extension-id",
        action="append",
        default=[],
        metavar="ID",
        help="also allow this Chromium extension id (repeatable; e.g. an unpacked build)",
    )
    install.set_defaults(func=run_install)

    uninstall = subparsers.add_parser(
        "uninstall",
        help="remove what install wrote",
        description="Removes the host manifests (and registry values), then the launcher "
        "once no manifest uses it, and the directories left empty.",
    )
    add_selectors(uninstall)
    uninstall.set_defaults(func=run_uninstall)


def _fail(message: str, status: int = 2) -> int:
    print(f"rolecall: {message}", file=sys.stderr)
    return status


def _os_error(exc: OSError, selection: Selection) -> int:
    where = exc.filename or ""
    if isinstance(exc, PermissionError):
        hint = (
            " (a --system install needs root or administrator rights)"
            if selection.scope == "system"
            else ""
        )
        return _fail(f"permission denied: {where}{hint}", 1)
    return _fail(f"{where}: {exc.strerror or exc}", 1)


def run_install(args: argparse.Namespace, registry: Registry | None = None) -> int:
    try:
        selection = select(args, "install")
        chromium_ids = allowed_ids(args.extension_id)
    except (SelectionError, ValueError) as exc:
        return _fail(str(exc))
    registry = registry or system_registry()
    bundle = bundle_executable()
    for reason in selection.skipped:
        print(reason)
    if not selection.targets:
        return _fail("nothing to install: every browser named was skipped")
    regular = [t for t in selection.targets if t.sandbox_dir is None]
    sandboxed = [t for t in selection.targets if t.sandbox_dir is not None]
    try:
        if regular:
            _install_regular(selection, regular, bundle, chromium_ids, registry)
        for target in sandboxed:
            _install_sandboxed(target, selection, bundle, chromium_ids, registry)
    except OSError as exc:
        return _os_error(exc, selection)
    return 0


def _install_regular(
    selection: Selection,
    targets: list[Target],
    bundle: Path | None,
    chromium_ids: list[str],
    registry: Registry,
) -> None:
    if bundle is not None and selection.pinned_home is None:
        host = bundle
        print(f"host {host} (this bundle; the manifests name it directly)")
    else:
        host = write_launcher(selection.launcher_dir, selection.ctx.os, selection.pinned_home)
        print(f"wrote launcher {host}")
    for target in targets:
        manifest = build_manifest(target.browser.family, str(host), chromium_ids)
        install_target(target, manifest, registry, print)
    if host == bundle:
        _remove_launcher(selection)  # one left by an earlier install from Python


def _install_sandboxed(
    target: Target,
    selection: Selection,
    bundle: Path | None,
    chromium_ids: list[str],
    registry: Registry,
) -> None:
    """A Flatpak browser: the host copied into its app directory, then the manifest."""
    assert target.sandbox_dir is not None
    app_dir = Path(str(target.sandbox_dir))
    manifest_dir = Path(str(target.manifest_path)).parent
    host = install_host(app_dir, manifest_dir, selection.ctx.os, bundle)
    what = "this bundle" if bundle is not None else "the launcher"
    print(f"copied host {host} ({what}, for {target.browser.name}: inside its sandbox)")
    if bundle is None:
        print(
            f"note: that launcher runs {launcher_command()[0]}, which the sandbox of "
            f"{target.browser.flatpak_id} sees only if it is inside {app_dir} or shared "
            "with it; for Flatpak browsers install from the bundle (installer/install.sh)"
        )
    manifest = build_manifest(target.browser.family, str(host), chromium_ids)
    install_target(target, manifest, registry, print)


def run_uninstall(args: argparse.Namespace, registry: Registry | None = None) -> int:
    try:
        selection = select(args, "uninstall")
    except SelectionError as exc:
        return _fail(str(exc))
    registry = registry or system_registry()
    try:
        found = [uninstall_target(t, registry, print) for t in selection.targets]
        found += [
            remove_host(Path(str(t.sandbox_dir)), print)
            for t in selection.targets
            if t.sandbox_dir is not None
        ]
        launcher_gone = _remove_launcher(selection)
    except OSError as exc:
        return _os_error(exc, selection)
    if not any(found) and not launcher_gone:
        print("nothing of Rolecall's was found there")
    return 0


def _remove_launcher(selection: Selection) -> bool:
    """Removes our launcher when no manifest we know of still points at it."""
    launcher = launcher_file(selection.launcher_dir, selection.ctx.os)
    if not launcher.is_file() or not is_ours(launcher):
        return False
    users = manifests_using(launcher, [*all_table_targets(selection.ctx), *selection.targets])
    if users:
        print(f"kept launcher {launcher}: still used by {', '.join(map(str, users))}")
        return False
    launcher.unlink()
    print(f"removed launcher {launcher}")
    for directory in prune_empty(launcher.parent, selection.launcher_anchor):
        print(f"removed empty directory {directory}")
    return True
