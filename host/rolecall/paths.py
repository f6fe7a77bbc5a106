"""Where Rolecall keeps its state: one directory, `$ROLECALL_HOME` or the user data dir.

Layout: `config/` (settings), `data/` (SQLite), `run/` (socket, lock; 0700),
`logs/`. Every directory is 0700; the root and `config/` must belong to the user
and be writable by nobody else, or `ensure` refuses with `UnsafeHome`.
Importing this module stays cheap: the shim resolves paths on every launch.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

ENV_HOME = "ROLECALL_HOME"
SOCKET_PATH_LIMIT = 100
"""sun_path holds 104–108 bytes depending on the OS; stay under the smallest."""


class UnsafeHome(PermissionError):
    """The state directory belongs to someone else or others may write to it."""


def check_owned_private(directory: Path) -> None:
    """Refuses a directory another user owns or that group/others may write to."""
    if sys.platform == "win32":
        return
    info = directory.stat()
    if info.st_uid != os.getuid():
        raise UnsafeHome(
            f"{directory} belongs to uid {info.st_uid}, not to you; Rolecall will not use it"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeHome(
            f"{directory} is writable by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run `chmod 700 {directory}` and start again"
        )


class Home:
    """The state directory and the well-known paths inside it.

    A plain immutable value rather than a dataclass: every browser launch imports this
    module, and `dataclasses` (with `inspect`, `ast`, `dis`) would cost it ~5 ms.
    """

    __slots__ = ("root",)
    root: Path

    def __init__(self, root: Path) -> None:
        object.__setattr__(self, "root", root)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Home is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Home) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def __repr__(self) -> str:
        return f"Home(root={self.root!r})"

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "daemon.sock"

    @property
    def native_socket_path(self) -> Path:
        """Where the shim hands a browser's pipes to the daemon (`daemon/server_native.py`)."""
        return self.run_dir / "native.sock"

    @property
    def lock_path(self) -> Path:
        return self.run_dir / "daemon.lock"

    @property
    def daemon_log(self) -> Path:
        return self.log_dir / "daemon.log"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    def ensure(self) -> None:
        """Creates the directories private to the user (0700); refuses a home not safely ours.

        The root and `config/` are checked before anything is made inside them (`UnsafeHome`).
        Our own subdirectories with looser modes (from older versions) are narrowed to 0700;
        the root itself is never changed, only refused.
        """
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_owned_private(self.root)
        self.config_dir.mkdir(mode=0o700, exist_ok=True)
        check_owned_private(self.config_dir)
        for directory in (self.data_dir, self.log_dir, self.bin_dir, self.run_dir):
            directory.mkdir(mode=0o700, exist_ok=True)
        if sys.platform != "win32":
            for directory in (self.config_dir, self.data_dir, self.log_dir, self.run_dir):
                info = directory.lstat()
                if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode):
                    raise UnsafeHome(f"{directory} is not a directory of yours")
                if stat.S_IMODE(info.st_mode) != 0o700:
                    directory.chmod(0o700)
        if len(os.fsencode(self.socket_path)) > SOCKET_PATH_LIMIT:
            raise OSError(
                f"socket path {self.socket_path} is over {SOCKET_PATH_LIMIT} bytes; "
                f"set {ENV_HOME} to a shorter directory"
            )


def default_root() -> Path:
    """The platform's per-user data directory for Rolecall."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("rolecall", appauthor=False))


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Home:
    """The home to use: `explicit`, else `$ROLECALL_HOME`, else the platform default."""
    chosen = explicit or os.environ.get(ENV_HOME)
    return Home(Path(chosen).expanduser().absolute() if chosen else default_root())
