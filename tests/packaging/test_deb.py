"""The `.deb` from `make dist`: its system-wide manifests are exactly the install table's
Linux system rows, each naming the packaged bundle, and the bundle it unpacks runs.

The package is unpacked with `dpkg-deb -x` into a temporary directory; it is never
installed on this machine (that would write /etc and /opt).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from rolecall import __version__
from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID
from rolecall.install.table import rows_for
from support.bundle import DIST


def _deb() -> Path:
    found = sorted(DIST.glob("rolecall_*.deb"))
    if not found:
        pytest.fail(f"no .deb in {DIST}: run `make dist`")
    return found[-1]


def test_deb_holds_the_tables_system_manifests_and_a_working_bundle(tmp_path: Path) -> None:
    deb = _deb()
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Package: rolecall" in fields and f"Version: {__version__}" in fields

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    expected = {PurePosixPath(row.manifest_dir) for row in rows_for("linux", "system")}
    found = {
        PurePosixPath("/") / p.parent.relative_to(root)
        for p in root.rglob("com.rolecall.host.json")
    }
    assert found == expected
    for directory in expected:
        manifest = json.loads(
            (root / directory.relative_to("/") / "com.rolecall.host.json").read_text()
        )
        assert manifest["path"] == "/opt/rolecall/rolecall"
        if "mozilla" in str(directory):
            assert manifest["allowed_extensions"] == [GECKO_EXTENSION_ID]
        else:
            assert manifest["allowed_origins"] == [f"chrome-extension://{CHROMIUM_EXTENSION_ID}/"]
    assert (root / "usr/bin/rolecall").readlink() == Path("/opt/rolecall/rolecall")
    version = subprocess.run(
        [str(root / "opt/rolecall/rolecall"), "--version"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert version.strip() == f"rolecall {__version__}"
