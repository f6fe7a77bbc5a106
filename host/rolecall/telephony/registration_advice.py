"""What to do about a failed SIP registration, in plain words, per status code.

One text per outcome, used by `rolecall doctor` and sent with every account's status
and `account.registration` event, so the terminal and the options page say the same.
"""

from __future__ import annotations

_SET_AGAIN = (
    "enter them again in Rolecall's options (Phone), or run "
    "`rolecall account add {id} --uri … --registrar … --username NAME --password-stdin`"
)

_ADVICE = {
    401: "the registrar refused the username or password: " + _SET_AGAIN,
    403: "the registrar refused the username or password: " + _SET_AGAIN,
    404: "the registrar does not know this user: check the account's SIP address "
    "(Rolecall's options, Phone, or `rolecall account list`) with your PBX administrator",
    407: "the registrar asks for a password that was not accepted: " + _SET_AGAIN,
    408: "the registrar did not answer: check its address and port, and that this "
    "computer reaches it (VPN, firewall)",
    503: "the registrar is unavailable or unreachable: check its address, your network, "
    "or ask your PBX administrator",
}

_UNKNOWN = (
    "check the registrar address and your credentials (Rolecall's options, Phone, or "
    "`rolecall account list`); the daemon log says more"
)

NO_PASSWORD = "this account has a username but no password in the keyring: " + _SET_AGAIN


def registration_advice(status_code: int | None, account_id: str) -> str:
    """The fix for a registration that ended with `status_code` (None: no answer yet)."""
    text = _ADVICE.get(status_code or 0, _UNKNOWN)
    return text.format(id=account_id)


def advice_for(
    state: str, status_code: int | None, account_id: str, *, has_password: bool = True
) -> str:
    """'' while nothing is wrong; else what to do (`state` is a `RegistrationState` value)."""
    if state != "failed":
        return ""
    if not has_password and status_code in (401, 403, 407):
        return NO_PASSWORD.format(id=account_id)
    return registration_advice(status_code, account_id)
