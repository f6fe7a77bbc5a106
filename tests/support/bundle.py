"""The packages `make dist` builds, for tests that run them instead of the venv.

`BUNDLE` is the PyInstaller host (`dist/rolecall/rolecall`); `extension_package` finds
`dist/rolecall-{chromium,firefox}-<version>.{zip,xpi}`. A missing package fails the
test with the command that builds it: these tests exist to check the packages.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from rolecall import __version__

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
BUNDLE = DIST / "rolecall" / "rolecall"


def require_bundle() -> Path:
    if not BUNDLE.is_file():
        pytest.fail(f"no host bundle at {BUNDLE}: run `make dist`")
    return BUNDLE


def extension_package(target: str) -> Path:
    suffix = "zip" if target == "chromium" else "xpi"
    path = DIST / f"rolecall-{target}-{__version__}.{suffix}"
    if not path.is_file():
        pytest.fail(f"no extension package at {path}: run `make dist`")
    return path


def unpack(package: Path, into: Path) -> Path:
    """Unzips an extension package into `into` (a directory Chromium loads unpacked)."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    return into


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without ROLECALL_* and XDG_* variables, plus `extra`.

    ROLECALL_AUDIO is kept (the tests' default is off: a sound server's client would
    leave its own files in a throwaway home; the audio tests turn it on).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ROLECALL_"))}
    return {**env, "ROLECALL_AUDIO": os.environ.get("ROLECALL_AUDIO", "off"), **extra}


def run_bundle(
    *args: str, env: dict[str, str], timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """`dist/rolecall/rolecall ARGS…`, output captured."""
    return subprocess.run(
        [str(require_bundle()), *args], env=env, capture_output=True, text=True, timeout=timeout
    )
