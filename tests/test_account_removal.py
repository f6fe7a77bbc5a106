"""Removing an account takes its password out of the keyring, whatever state it is in.

A real daemon on a private home with the test-only file keyring: an account that
loaded, and one that is saved but could not be loaded (the SIP stack refuses its address), are both
removed from the account file and the keyring; clients hear of the removal.
"""

from __future__ import annotations

import json

import pytest

from rolecall.client import DaemonClient, DaemonError
from rolecall.paths import Home
from rolecall.secrets import SecretStore
from rolecall.telephony.account_store import secret_name
from support.calls import wait_event
from support.daemons import start_daemon, stop_daemon


def secrets_file(home: Home) -> dict[str, str]:
    path = home.config_dir / "test-only-secrets.json"
    return json.loads(path.read_text()) if path.exists() else {}


def test_removing_a_loaded_account_deletes_its_password_and_says_so(daemon) -> None:
    home = daemon.home
    with DaemonClient.open(home, start=False) as client:
        account = {"id": "desk", "uri": "sip:desk@127.0.0.1", "username": "desk"}
        status = client.request("account.set", {"account": account, "password": "pa55"})
        assert status["account"]["has_password"] and status["account"]["advice"] == ""
        announced = wait_event(client, "account.registration", lambda p: p["account_id"] == "desk")
        assert announced["state"] == "none"  # no registrar: this event is all others get
        assert secrets_file(home) == {"rolecall\0sip:desk": "pa55"}
        client.request("account.remove", {"account_id": "desk"})
        removed = wait_event(client, "account.registration", lambda p: p["account_id"] == "desk")
        assert removed["state"] == "unregistered" and removed["reason"] == "removed"
        assert secrets_file(home) == {}
        ids = [a["config"]["id"] for a in client.request("account.list")["accounts"]]
        assert ids == ["local"]
    assert json.loads((home.config_dir / "accounts.json").read_text()) == []


def test_an_account_that_could_not_load_is_still_removable_with_its_password(
    rc_home: Home,
) -> None:
    # Valid for the account file, refused by the SIP stack (an address with no host).
    broken = {"id": "old", "uri": "sip:old@@", "username": "old"}
    (rc_home.config_dir / "accounts.json").write_text(json.dumps([broken]))
    SecretStore(rc_home).set(secret_name("old"), "hunter2")
    running = start_daemon(rc_home)
    try:
        with DaemonClient.open(rc_home, start=False) as client:
            ids = [a["config"]["id"] for a in client.request("account.list")["accounts"]]
            assert "old" not in ids, "the broken account was expected not to load"
            client.request("account.remove", {"account_id": "old"})
            assert secrets_file(rc_home) == {}
            assert json.loads((rc_home.config_dir / "accounts.json").read_text()) == []
            with pytest.raises(DaemonError) as gone:
                client.request("account.remove", {"account_id": "old"})
            assert gone.value.code == "not_found"
    finally:
        stop_daemon(running)
