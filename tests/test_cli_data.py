"""`rolecall demo-data load`, `import`, `export` and `context` on a real home and daemon."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.daemons import RunningDaemon, rolecall_env

VALID_EXPORT = Path(__file__).parent / "data" / "import" / "valid"
BROKEN_EXPORT = Path(__file__).parent / "data" / "import" / "broken"


def rolecall(daemon: RunningDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rolecall", *args],
        env=rolecall_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_data_shows_up_in_the_daemons_context(daemon: RunningDaemon) -> None:
    loaded = rolecall(daemon, "demo-data", "load")
    assert loaded.returncode == 0, loaded.stderr
    assert "10 opportunities, 43 contacts, 37 documents" in loaded.stdout
    shown = rolecall(daemon, "context", "--opportunity", "opp-kessler-plant", "--json")
    context = json.loads(shown.stdout)["context"]
    roles = [group["role"] for group in context["groups"]]
    order = ["decision_maker", "economic_buyer", "executive_sponsor", "technical_buyer",
             "evaluator", "influencer", "business_user", "other", "none"]  # fmt: skip
    assert roles == [r for r in order if r in roles] and len(roles) >= 3
    for document in context["documents"]:
        assert Path(document["local_path"]).stat().st_size == document["size_bytes"]


def test_import_then_export_round_trip(daemon: RunningDaemon, tmp_path: Path) -> None:
    imported = rolecall(daemon, "import", str(VALID_EXPORT))
    assert imported.returncode == 0, imported.stderr
    assert "0 row(s) skipped" in imported.stdout
    out = tmp_path / "export.json"
    assert rolecall(daemon, "export", "--format", "json", str(out)).returncode == 0
    again = rolecall(daemon, "import", str(out))
    assert again.returncode == 0 and imported.stdout.split(";")[0] in again.stdout
    csv_dir = tmp_path / "csv"
    assert rolecall(daemon, "export", "--format", "csv", str(csv_dir)).returncode == 0
    header = (csv_dir / "OpportunityContactRole.csv").read_text().splitlines()[0]
    assert header == '"Id","OpportunityId","ContactId","Role","IsPrimary"'


def test_broken_rows_are_reported_by_line_and_the_rest_imported(daemon: RunningDaemon) -> None:
    result = rolecall(daemon, "import", str(BROKEN_EXPORT))
    assert result.returncode == 3
    assert ".csv line " in result.stderr or ".csv:" in result.stderr, result.stderr
    assert "row(s) skipped" in result.stdout and "imported" in result.stdout
