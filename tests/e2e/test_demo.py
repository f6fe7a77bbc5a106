"""`make demo`'s headless run: it connects, leaves its screenshot, and stops what it started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.processes import pid_alive

pytestmark = pytest.mark.e2e


def test_headless_demo(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    result = subprocess.run(
        [sys.executable, "-m", "rolecall.demo", "--headless", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "side panel: connected (rolecall" in result.stdout
    assert (output / "sidepanel-connected.png").stat().st_size > 1000
    daemon_line = next(line for line in result.stdout.splitlines() if "daemon pid" in line)
    pid = int(daemon_line.split("daemon pid ")[1].split(";")[0])
    assert not pid_alive(pid)
    assert not (output / "chromium-profile").exists()
