"""`make dist`: builds the host bundle `dist/rolecall/` with PyInstaller and checks it.

Runs PyInstaller on `installer/rolecall.spec` (work files in `build/pyinstaller/`), then
checks that the bundle starts (`rolecall --version` prints this version) and that
pjsua2 and its shared libraries made it in, and prints the bundle's size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "installer" / "rolecall.spec"
sys.path.insert(0, str(REPO / "host"))

from rolecall import __version__  # noqa: E402


def tree_size(root: Path) -> tuple[int, int]:
    """Bytes and files under `root`, symlinks counted as links (not followed)."""
    total = files = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_file():
            total += path.lstat().st_size
            files += 1
    return total, files


def build(dist: Path, work: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ],
        check=True,
        cwd=REPO,
    )
    return dist / "rolecall"


def check(bundle: Path) -> None:
    executable = bundle / ("rolecall.exe" if sys.platform == "win32" else "rolecall")
    version = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    if version != f"rolecall {__version__}":
        raise SystemExit(f"the bundle says {version!r}, not rolecall {__version__}")
    internal = bundle / "_internal"
    if not list(internal.glob("pjsua2/_pjsua2*")):
        raise SystemExit("pjsua2's extension module is missing from the bundle")
    if sys.platform.startswith("linux") and not list(internal.glob("pjsua2_python.libs/libssl*")):
        raise SystemExit("pjsua2's shared libraries (pjsua2_python.libs) are missing")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dist", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller")
    args = parser.parse_args()
    bundle = build(args.dist, args.work)
    check(bundle)
    size, files = tree_size(bundle)
    print(f"bundle {bundle}: rolecall {__version__}, {size / 1e6:.1f} MB in {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
