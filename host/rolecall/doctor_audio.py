"""`rolecall doctor`'s sound checks: do the chosen microphone and speaker open, and does
the microphone hear anything?

Asked of the running daemon (`audio.devices`, then `audio.test`, which plays a short tone
on the speaker and measures the microphone meanwhile). Each finding is a tuple
`(check, ok, detail, fix, warning)`; `rolecall.doctor` turns them into its checks.

A computer with no sound device at all (a desk where calls are heard elsewhere, a server)
is a warning, not a failure: calls still connect, and the text says what the user will
and will not hear. It fails when audio is required (`rolecall doctor --require-audio`),
and a device the user chose by name that is gone always fails.
"""

from __future__ import annotations

from typing import Any

from rolecall.client import DaemonClient
from rolecall.paths import Home

Finding = tuple[str, bool, str, str, bool]

QUIET_DBFS = -70.0
"""Below this the microphone hears nothing: muted, unplugged, or not allowed."""

PICK = (
    "pick another one with `rolecall audio set --{role} NAME` (or `default`), "
    "or in the options page's Sound section"
)
SERVER = (
    "check that a sound server runs (PulseAudio or PipeWire on Linux) and that the "
    "device is plugged in and allowed; `rolecall audio devices` lists what the host sees"
)


def audio_findings(home: Home, seconds: float = 1.0, *, required: bool = False) -> list[Finding]:
    """The sound checks; nothing when no daemon runs (the socket check says so)."""
    try:
        with DaemonClient.open(home, start=False) as client:
            listed: dict[str, Any] = client.request("audio.devices")
            tested: dict[str, Any] = client.request("audio.test", {"seconds": seconds})
    except OSError:
        return []
    except Exception as exc:  # the daemon answered with an error
        detail = f"the daemon could not check the sound devices: {exc}"
        return [("sound", False, detail, SERVER, False)]
    return device_findings(listed, tested, required=required)


def device_findings(
    listed: dict[str, Any], tested: dict[str, Any], *, required: bool = False
) -> list[Finding]:
    """What `audio.devices` and `audio.test` answered, as findings with fixes."""
    chosen, state = listed["chosen"], listed["state"]
    names = {d["name"] for d in listed["devices"]}
    findings: list[Finding] = []
    for role, label, in_use, missing in (
        ("input", "microphone", state["input"], state["no_microphone"]),
        ("output", "speaker", state["output"], state["no_speaker"]),
    ):
        wanted = chosen[role]
        fix = f"{SERVER}; or {PICK.format(role=role)}"
        if missing or in_use is None:
            why = (
                f"the chosen {label} {wanted!r} is not there"
                if wanted and wanted not in names
                else f"no {label} could be opened"
            )
            effect = (
                "nobody hears you through this computer"
                if role == "input"
                else "you hear nothing on this computer"
            )
            # Nothing chosen and nothing there: a desk without sound, told, not failed.
            warn = not required and not wanted
            findings.append((label, warn, f"{why}: calls still connect, but {effect}", fix, warn))
            continue
        if wanted and wanted != in_use:
            detail = f"the chosen {label} {wanted!r} did not open; {in_use} is used instead"
            fix = f"plug it in, or {PICK.format(role=role)}"
            findings.append((label, False, detail, fix, False))
            continue
        how = f"chosen {wanted!r}" if wanted else "the system default"
        findings.append((label, True, f"{in_use} opens ({how})", "", False))
    return findings + _level(state, tested)


def _level(state: dict[str, Any], tested: dict[str, Any]) -> list[Finding]:
    if tested.get("input") is None or state["no_microphone"]:
        return []
    level = float(tested["mic_level_dbfs"])
    detail = f"{tested['input']} peaked at {level:.0f} dBFS during the test tone"
    if level < QUIET_DBFS:
        fix = (
            "the microphone hears nothing: unmute it (in the system's sound settings or "
            f"on the device), or {PICK.format(role='input')}"
        )
        return [("microphone level", False, detail + " (silence)", fix, False)]
    return [("microphone level", True, detail, "", False)]
