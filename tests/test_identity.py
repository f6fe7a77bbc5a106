"""The built extension, the host and the README agree on ids and version."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from rolecall import __version__
from rolecall.identity import CHROMIUM_EXTENSION_ID, GECKO_EXTENSION_ID, HOST_NAME

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "extension" / "dist"


def chromium_id_of(key: str) -> str:
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


def test_chromium_build_key_gives_the_pinned_id() -> None:
    manifest = json.loads((DIST / "chromium" / "manifest.json").read_text())
    assert chromium_id_of(manifest["key"]) == CHROMIUM_EXTENSION_ID
    assert manifest["version"] == __version__
    assert "nativeMessaging" in manifest["permissions"]


def test_firefox_build_carries_the_gecko_id() -> None:
    manifest = json.loads((DIST / "firefox" / "manifest.json").read_text())
    assert manifest["browser_specific_settings"]["gecko"]["id"] == GECKO_EXTENSION_ID
    assert "key" not in manifest
    assert manifest["version"] == __version__


def test_host_name_is_a_valid_native_messaging_name() -> None:
    assert HOST_NAME.replace(".", "").replace("_", "").isalnum() and HOST_NAME.islower()


def test_readme_states_the_extension_id() -> None:
    assert CHROMIUM_EXTENSION_ID in (REPO / "README.md").read_text()
