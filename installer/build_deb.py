"""`make dist`: a Debian package of the host bundle, `dist/rolecall_<version>_<arch>.deb`.

The package holds the bundle in `/opt/rolecall/`, the command `/usr/bin/rolecall` (a
link to it) and one system-wide host manifest per browser, at the locations the install
table gives for Linux system scope (`host/rolecall/install/table.py`; Brave and Vivaldi
share Chromium's), each naming `/opt/rolecall/rolecall`. dpkg owns every file, so
removing the package removes them all: install and uninstall are symmetric by
construction. Built with `dpkg-deb --root-owner-group`, so no root is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "host"))

from rolecall import __version__  # noqa: E402
from rolecall.install.manifests import allowed_ids, build_manifest, targets_for  # noqa: E402
from rolecall.install.table import BROWSERS, Context  # noqa: E402

PREFIX = PurePosixPath("/opt/rolecall")
EXECUTABLE = PREFIX / "rolecall"


def debian_version(version: str) -> str:
    """PEP 440 pre-releases sort before the release in dpkg only with `~` (0.2.0~rc1)."""
    return re.sub(r"(\d)(a|b|rc|\.dev)(\d+)", r"\1~\2\3", version)


def system_manifests() -> dict[PurePosixPath, dict[str, object]]:
    """Every system-wide manifest file the table has on Linux, and what it says."""
    ctx = Context(
        os="linux",
        home=PurePosixPath("/nonexistent"),
        rolecall_home=PurePosixPath("/nonexistent"),
        program_data=PurePosixPath("/nonexistent"),
    )
    found: dict[PurePosixPath, dict[str, object]] = {}
    for name, browser in BROWSERS.items():
        for target in targets_for(ctx, name, "system", probe_disk=False):
            manifest = build_manifest(browser.family, str(EXECUTABLE), allowed_ids([]))
            found.setdefault(PurePosixPath(target.manifest_path), manifest)
    return found


def control(version: str, arch: str, installed_kib: int) -> str:
    return (
        "Package: rolecall\n"
        f"Version: {debian_version(version)}\n"
        f"Architecture: {arch}\n"
        "Maintainer: Rolecall <support@rolecall.app>\n"
        f"Installed-Size: {installed_kib}\n"
        "Depends: libc6 (>= 2.36)\n"
        "Section: net\n"
        "Priority: optional\n"
        "Homepage: https://rolecall.app\n"
        "Description: Rolecall host: click-to-call from CRM pages over SIP\n"
        " The native messaging host and daemon behind the Rolecall browser extension,\n"
        " registered for Chrome, Chromium, Edge, Brave, Vivaldi and Firefox for every\n"
        " user of the machine.\n"
    )


def stage(bundle: Path, root: Path) -> None:
    opt = root / PREFIX.relative_to("/")
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / "rolecall").symlink_to(EXECUTABLE)
    for path, manifest in system_manifests().items():
        target = root / path.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        target.chmod(0o644)
    for directory, _dirs, _files in os.walk(root):
        Path(directory).chmod(0o755)


def build_deb(bundle: Path, out_dir: Path) -> Path:
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"rolecall_{debian_version(__version__)}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="rolecall-deb-") as temp:
        root = Path(temp) / "root"
        root.mkdir()
        stage(bundle, root)
        size_kib = sum(p.lstat().st_size for p in root.rglob("*")) // 1024
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(control(__version__, arch, size_kib))
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(deb)],
            check=True,
            capture_output=True,
        )
    return deb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "rolecall")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    if not (args.bundle / "rolecall").is_file():
        raise SystemExit(f"no bundle in {args.bundle}: run `make dist`")
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is not installed (Debian: apt-get install dpkg)")
    deb = build_deb(args.bundle, args.out)
    print(f"package {deb}: {deb.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
