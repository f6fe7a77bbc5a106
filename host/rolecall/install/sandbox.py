"""Hosts for Flatpak browsers: a copy of the host inside the app's own directory.

A Flatpak browser sees `~/.var/app/<id>/` at its usual absolute path, but neither the
rest of the home directory nor the host system's `/usr`, so the manifest it reads must
name an executable inside that directory. `install_host` copies there what a regular
manifest would name: the PyInstaller bundle (copied, never hard-linked: a link
would let a process in the sandbox rewrite the host outside it), or, from a Python
installation, the launcher script (which works only if the sandbox can see that
interpreter). The copy goes in `<app>/data/rolecall/host/`,
beside the Rolecall home the host uses inside the sandbox (`$XDG_DATA_HOME/rolecall`),
with a record file listing the directories `install` created. `remove_host` removes the
copy, then those directories once empty, and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from rolecall.atomic_file import atomic_write
from rolecall.install.launcher import script_for
from rolecall.install.manifests import prune_empty
from rolecall.install.table import LAUNCHER_NAME, OSName

HOST_SUBDIR = Path("data", "rolecall", "host")
"""The copy's directory, relative to the app directory."""
RECORD = ".rolecall-install.json"
RECORD_MARK = "Rolecall host copy for a Flatpak browser, written by `rolecall install`."

Say = Callable[[str], None]


def host_dir(app_dir: Path) -> Path:
    return app_dir / HOST_SUBDIR


def data_anchor(app_dir: Path) -> Path:
    """`<app>/data`, made by Flatpak itself: pruning the copy's parents stops below it."""
    return app_dir / "data"


def read_record(directory: Path) -> dict[str, object] | None:
    """The record in a copy `install_host` wrote; None for anything else."""
    if directory.is_symlink() or not directory.is_dir():
        return None
    try:
        record = json.loads((directory / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("what") != RECORD_MARK:
        return None
    return record


def _created_dirs(record: dict[str, object] | None, app_dir: Path) -> list[Path]:
    """The record's directories, only those strictly inside `app_dir`."""
    listed = record.get("created_dirs") if record else None
    if not isinstance(listed, list):
        return []
    return [Path(d) for d in listed if isinstance(d, str) and app_dir in Path(d).parents]


def missing_dirs(app_dir: Path, ends: Iterable[Path]) -> list[Path]:
    """The directories from below `app_dir` down to each of `ends` that do not exist yet."""
    missing: list[Path] = []
    for end in ends:
        for directory in [end, *end.parents]:
            if directory == app_dir or app_dir not in directory.parents:
                break
            if not directory.exists() and directory not in missing:
                missing.append(directory)
    return missing


def install_host(app_dir: Path, manifest_dir: Path, os_name: OSName, bundle: Path | None) -> Path:
    """Copies the host into `app_dir` (replacing an earlier copy); the executable's path.

    `bundle` is the PyInstaller executable when running from one: its whole folder is
    copied. Otherwise the launcher script is written, without a pinned `ROLECALL_HOME`
    (a path outside the app directory would not exist in the sandbox). `manifest_dir`
    is where the manifest will go, so the directories made for it are recorded too.
    """
    target = host_dir(app_dir)
    previous = read_record(target)
    if previous is None and (target.exists() or target.is_symlink()):
        raise FileExistsError(errno.EEXIST, "not a copy written by rolecall install", str(target))
    created = _created_dirs(previous, app_dir)
    created += [d for d in missing_dirs(app_dir, [target, manifest_dir]) if d not in created]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".host.", suffix=".tmp", dir=target.parent))
    try:
        if bundle is not None:
            shutil.copytree(
                bundle.parent,
                staging,
                symlinks=True,
                dirs_exist_ok=True,
                copy_function=shutil.copy2,
            )
            executable = bundle.name
        else:
            script = script_for(os_name, None).encode("utf-8")
            atomic_write(staging / LAUNCHER_NAME, script, 0o755)
            executable = LAUNCHER_NAME
        source = str(bundle.parent if bundle is not None else "launcher script")
        record = {
            "what": RECORD_MARK,
            "executable": executable,
            "copied_from": source,
            "created_dirs": [str(d) for d in created],
        }
        atomic_write(staging / RECORD, (json.dumps(record, indent=2) + "\n").encode(), 0o644)
        staging.chmod(0o755)
        if previous is not None:
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target / executable


def remove_host(app_dir: Path, say: Say) -> bool:
    """Removes the copy `install_host` made and the directories it created, once empty.

    True when a copy was there. A directory at the copy's place that `install` did not
    write is left alone and reported.
    """
    target = host_dir(app_dir)
    record = read_record(target)
    if record is None:
        if target.exists() or target.is_symlink():
            say(f"left {target}: not a copy written by rolecall install")
        return False
    shutil.rmtree(target)
    say(f"removed host copy {target}")
    for directory in prune_empty(target.parent, data_anchor(app_dir)):
        say(f"removed empty directory {directory}")
    for directory in sorted(_created_dirs(record, app_dir), key=lambda d: -len(d.parts)):
        with contextlib.suppress(OSError):
            if directory.is_dir() and not directory.is_symlink():
                directory.rmdir()  # only when empty
                say(f"removed empty directory {directory}")
    return True
