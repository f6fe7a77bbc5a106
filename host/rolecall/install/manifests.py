"""Host manifests: what they say, where each goes, and writing and removing them.

A `Target` is one manifest file for one browser (a row of the table made concrete, or
`<user data dir>/NativeMessagingHosts/` for an isolated profile), with its registry
key on Windows. Writing is atomic (a temporary file renamed into place); removal is
symmetric: the file, the registry value when it still points at our file, and the
directories above it that are left empty, up to the row's anchor.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from rolecall.atomic_file import atomic_write
from rolecall.identity import (
    CHROMIUM_EXTENSION_ID,
    GECKO_EXTENSION_ID,
    HOST_DESCRIPTION,
    HOST_NAME,
)
from rolecall.install.registry import Registry
from rolecall.install.table import (
    BROWSERS,
    MANIFEST_FILE,
    SCOPES,
    Browser,
    Context,
    Family,
    Scope,
    expand,
    has_location,
    location,
    rows_for,
)

CHROMIUM_ID = re.compile(r"[a-p]{32}")
"""A Chromium extension id: 32 letters from a to p."""

Say = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    """One manifest file to write or remove, for one browser."""

    browser: Browser
    scope: str
    """`user`, `system` or `user-data-dir`."""
    manifest_path: PurePath
    anchor: PurePath
    registry_hive: str | None = None
    registry_key: str | None = None
    shared_with: tuple[str, ...] = ()
    """Other browsers that read the same file (or registry key)."""
    sandbox_dir: PurePath | None = None
    """A Flatpak browser's app directory: its manifest names a host copied into it."""

    @property
    def label(self) -> str:
        return f"{self.browser.name} ({self.scope})"

    @property
    def note(self) -> str:
        """`(for chromium, user)`, naming the browsers that share the location too."""
        shared = f"; also read by {', '.join(self.shared_with)}" if self.shared_with else ""
        return f"(for {self.browser.name}, {self.scope}{shared})"


def chromium_origin(extension_id: str) -> str:
    return f"chrome-extension://{extension_id}/"


def allowed_ids(extra: Sequence[str]) -> list[str]:
    """The pinned Chromium id first, then the extra ones, each once; `ValueError` if bad."""
    ids = [CHROMIUM_EXTENSION_ID]
    for extension_id in extra:
        if not CHROMIUM_ID.fullmatch(extension_id):
            raise ValueError(f"{extension_id!r} is not a Chromium extension id (32 letters a to p)")
        if extension_id not in ids:
            ids.append(extension_id)
    return ids


def build_manifest(family: Family, launcher: str, chromium_ids: Sequence[str]) -> dict[str, Any]:
    """The manifest's JSON object for one browser family."""
    manifest: dict[str, Any] = {
        "name": HOST_NAME,
        "description": HOST_DESCRIPTION,
        "path": launcher,
        "type": "stdio",
    }
    if family == "firefox":
        manifest["allowed_extensions"] = [GECKO_EXTENSION_ID]
    else:
        manifest["allowed_origins"] = [chromium_origin(i) for i in chromium_ids]
    return manifest


def _sharers(ctx: Context, browser: str, scope: Scope) -> tuple[str, ...]:
    row = location(ctx.os, browser, scope)
    return tuple(
        other.browser
        for other in rows_for(ctx.os, scope)
        if other.browser != browser
        and (other.manifest_dir, other.registry_key) == (row.manifest_dir, row.registry_key)
    )


def targets_for(
    ctx: Context, browser: str, scope: Scope, *, probe_disk: bool = True
) -> list[Target]:
    """The table's manifest files for one browser and scope on `ctx.os`.

    Extra directories (Firefox's `/usr/lib64/…`) count only when their anchor exists,
    which is looked up on disk unless `probe_disk` is false. None when the table has no
    row (a Flatpak browser off Linux or system-wide).
    """
    if not has_location(ctx.os, browser, scope):
        return []
    row = location(ctx.os, browser, scope)
    shared = _sharers(ctx, browser, scope)
    targets = [
        Target(
            BROWSERS[browser],
            scope,
            expand(row.manifest_dir, ctx) / MANIFEST_FILE,
            expand(row.anchor, ctx),
            row.registry_hive,
            row.registry_key,
            shared,
            expand(row.sandbox_dir, ctx) if row.sandbox_dir else None,
        )
    ]
    for directory, anchor in row.also_dirs:
        if probe_disk and Path(str(expand(anchor, ctx))).is_dir():
            targets.append(
                Target(
                    BROWSERS[browser],
                    scope,
                    expand(directory, ctx) / MANIFEST_FILE,
                    expand(anchor, ctx),
                    shared_with=shared,
                )
            )
    return targets


def user_data_dir_target(browser: str, user_data_dir: Path) -> Target:
    """`<DIR>/NativeMessagingHosts/`: what a Chromium-family browser started with
    `--user-data-dir DIR` reads instead of the per-user location. Uninstall removes DIR
    too if that leaves it empty: an empty profile directory holds nothing."""
    directory = user_data_dir.expanduser().absolute()
    return Target(
        BROWSERS[browser],
        "user-data-dir",
        directory / "NativeMessagingHosts" / MANIFEST_FILE,
        directory.parent,
    )


def all_table_targets(ctx: Context) -> list[Target]:
    """Every manifest file the table knows on this OS, both scopes."""
    return [
        target
        for scope in SCOPES
        for browser in BROWSERS
        for target in targets_for(ctx, browser, scope)
    ]


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Writes the manifest atomically (mode 0644), creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text.encode("utf-8"), 0o644)


def read_manifest(path: Path) -> Any:
    """The manifest's JSON value; `OSError` or `ValueError` when it cannot be read."""
    return json.loads(path.read_text(encoding="utf-8"))


def prune_empty(start: Path, anchor: Path) -> list[Path]:
    """Removes `start` and its parents while they are empty, stopping below `anchor`.

    When `anchor` is not above `start` (say `$XDG_CONFIG_HOME` is elsewhere), only
    `start` itself may go.
    """
    stop = anchor if anchor in start.parents else start.parent
    removed: list[Path] = []
    current = start
    while current != stop and stop in current.parents:
        try:
            current.rmdir()
        except OSError:
            break
        removed.append(current)
        current = current.parent
    return removed


def install_target(target: Target, manifest: dict[str, Any], registry: Registry, say: Say) -> None:
    path = Path(target.manifest_path)
    write_manifest(path, manifest)
    say(f"wrote manifest {path} {target.note}")
    if target.registry_hive and target.registry_key:
        registry.write_default(target.registry_hive, target.registry_key, str(path))
        say(f"set registry {target.registry_hive}\\{target.registry_key} = {path}")


def uninstall_target(target: Target, registry: Registry, say: Say) -> bool:
    """Removes what `install_target` wrote; True when anything was there."""
    path = Path(target.manifest_path)
    found = False
    if target.registry_hive and target.registry_key:
        name = f"{target.registry_hive}\\{target.registry_key}"
        current = registry.read_default(target.registry_hive, target.registry_key)
        if current is not None and PurePath(current) == target.manifest_path:
            registry.delete_key(target.registry_hive, target.registry_key)
            say(f"removed registry {name} {target.note}")
            found = True
        elif current is not None:
            say(f"left registry {name}: it points to {current}, not to {path}")
    if path.is_file() or path.is_symlink():
        path.unlink()
        say(f"removed manifest {path} {target.note}")
        found = True
    if found:
        for directory in prune_empty(path.parent, Path(target.anchor)):
            say(f"removed empty directory {directory}")
    return found


def manifests_using(launcher: Path, candidates: Iterable[Target]) -> list[Path]:
    """The manifest files among `candidates` whose `path` is `launcher`."""
    users: list[Path] = []
    for target in candidates:
        path = Path(target.manifest_path)
        with contextlib.suppress(OSError, ValueError):
            manifest = read_manifest(path)
            if isinstance(manifest, dict) and manifest.get("path") == str(launcher):
                users.append(path)
    return users
