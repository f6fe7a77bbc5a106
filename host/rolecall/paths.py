"""Where Rolecall keeps its state: one directory, `$ROLECALL_HOME` or the user data dir.

Layout: `config/` (settings), `data/` (SQLite), `run/` (socket, lock; 0700),
`logs/`. Importing this module stays cheap: the shim resolves paths on every launch.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "ROLECALL_HOME"
SOCKET_PATH_LIMIT = 100
"""sun_path holds 104–108 bytes depending on the OS; stay under the smallest."""


@dataclass(frozen=True)
class Home:
    """The state directory and the well-known paths inside it."""

    root: Path

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
    def lock_path(self) -> Path:
        return self.run_dir / "daemon.lock"

    @property
    def daemon_log(self) -> Path:
        return self.log_dir / "daemon.log"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    def ensure(self) -> None:
        """Creates the directories; `run/` is private to the user (0700), checked after."""
        self.root.mkdir(parents=True, exist_ok=True)
        for directory in (self.config_dir, self.data_dir, self.log_dir, self.bin_dir):
            directory.mkdir(exist_ok=True)
        self.run_dir.mkdir(mode=0o700, exist_ok=True)
        if sys.platform != "win32":
            info = self.run_dir.stat()
            if info.st_uid != os.getuid():
                raise PermissionError(f"{self.run_dir} belongs to another user")
            if stat.S_IMODE(info.st_mode) != 0o700:
                self.run_dir.chmod(0o700)
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
