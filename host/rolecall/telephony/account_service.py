"""SIP accounts on the asyncio side: the saved ones, their passwords, registration state.

It adds the built-in local account and the saved ones to the stack at start-up, saves
and removes accounts (passwords in the keyring, the rest in `accounts.json`), picks the
account a request means, tracks each account's registration (the stack retries failed
registrations itself) and applies an account's dial plan to a target.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from rolecall.paths import Home
from rolecall.phones.dialplan import DialError, DialPlan, DialTarget, parse_target
from rolecall.protocol.errors import ErrorCode, ProtocolError
from rolecall.protocol.telephony import AccountConfig, AccountStatus, RegistrationState
from rolecall.secrets import SecretStore, SecretStoreUnavailable
from rolecall.telephony.account_store import LOCAL_ACCOUNT_ID, AccountStore, secret_name
from rolecall.telephony.failures import not_found, stack_failure
from rolecall.telephony.registration_advice import advice_for
from rolecall.telephony.stack import (
    AccountExposure,
    AccountSpec,
    RegistrationChanged,
    SipStack,
    StackError,
)

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any] | BaseModel], int]
_HOST = re.compile(r"^sips?:(?:[^@]+@)?([^;?>]+)")


@dataclass
class AccountRecord:
    config: AccountConfig
    has_password: bool
    registration: RegistrationState
    status_code: int | None = None
    reason: str = ""
    expires_s: int | None = None
    exposure: AccountExposure | None = None

    def status(self) -> AccountStatus:
        exposure = self.exposure
        return AccountStatus(
            config=self.config,
            has_password=self.has_password,
            registration=self.registration,
            status_code=self.status_code,
            reason=self.reason,
            expires_s=self.expires_s,
            advice=self.advice(),
            listen=exposure.listen if exposure else "",
            accepts_from=exposure.accepts_from if exposure else "",
            realm=exposure.realm if exposure else "",
        )

    def advice(self) -> str:
        return advice_for(
            self.registration.value,
            self.status_code,
            self.config.id,
            has_password=self.has_password,
        )


def _host_of(uri: str | None) -> str | None:
    match = _HOST.match(uri or "")
    return match.group(1) if match else None


def account_spec(config: AccountConfig) -> AccountSpec:
    """What the stack needs of an account's configuration."""
    return AccountSpec(
        account_id=config.id,
        uri=config.uri,
        registrar=config.registrar,
        proxy=config.proxy,
        username=config.username,
        realm=config.realm,
        transport=config.transport,
        verify_server=config.verify_server,
        ca_file=config.ca_file,
        srtp=config.srtp,
        use_stun=config.stun_server is not None,
        register=config.auto_register,
        bind_address=config.bind_address,
    )


SRTP_NEEDS_TLS = (
    "SRTP needs TLS: its keys travel in the SIP messages (SDES), which UDP and TCP send in "
    "clear; choose transport TLS, or set SRTP off"
)


def check_account(config: AccountConfig) -> None:
    """Refuses settings that would pretend to protect what they do not."""
    if config.srtp != "off" and config.transport != "tls":
        raise ProtocolError(
            ErrorCode.INVALID_MESSAGE, SRTP_NEEDS_TLS, {"field": "srtp", "reason": "srtp_needs_tls"}
        )


def dial_target(text: str, account: AccountRecord, region: str | None) -> DialTarget:
    """The account's dial plan's verdict on `text`: a target, or `invalid_target`."""
    config = account.config
    plan = config.dial_plan
    domain = plan.domain or _host_of(config.registrar)
    if config.id != LOCAL_ACCOUNT_ID:  # the local account's own host is this machine
        domain = domain or _host_of(config.uri)
    try:
        return parse_target(
            text,
            DialPlan(
                default_region=plan.default_region,
                outbound_prefix=plan.outbound_prefix,
                keep_plus=plan.keep_plus,
                domain=domain,
                international_prefix=plan.international_prefix,
            ),
            region=region,
        )
    except DialError as exc:
        raise ProtocolError(ErrorCode.INVALID_TARGET, str(exc), {"reason": exc.reason}) from None


class AccountService:
    """Every account the stack knows, with its registration state."""

    def __init__(self, home: Home, stack: SipStack, emit: Emit, secrets: SecretStore) -> None:
        self._stack = stack
        self._emit = emit
        self._secrets = secrets
        self._store = AccountStore(home.config_dir / "accounts.json")
        self.records: dict[str, AccountRecord] = {}

    async def add_local_and_saved(self, local_host: str) -> None:
        """Adds the built-in local account, then every saved one that the stack takes."""
        local = AccountConfig(
            id=LOCAL_ACCOUNT_ID, uri=f"sip:rolecall@{local_host}", display_name="Rolecall"
        )
        await self._add(local, None)
        for config in self._store.load():
            try:
                check_account(config)  # saved before SRTP over UDP/TCP was refused
                await self._add(config, self._password(config.id))
            except (ProtocolError, StackError) as exc:
                log.error("account %s could not be added: %s", config.id, exc)

    def _password(self, account_id: str) -> str | None:
        try:
            return self._secrets.get(secret_name(account_id))
        except SecretStoreUnavailable as exc:
            log.warning("password for %s unavailable: %s", account_id, exc)
            return None

    async def _add(self, config: AccountConfig, password: str | None) -> AccountRecord:
        registering = config.registrar is not None and config.auto_register
        record = AccountRecord(
            config=config,
            has_password=password is not None,
            registration=(RegistrationState.REGISTERING if registering else RegistrationState.NONE),
        )
        self.records[config.id] = record
        try:
            record.exposure = await self._stack.add_account(account_spec(config), password)
        except StackError as exc:
            del self.records[config.id]
            raise stack_failure(exc) from None
        return record

    async def set_account(self, config: AccountConfig, password: str | None) -> AccountStatus:
        if config.id == LOCAL_ACCOUNT_ID:
            raise ProtocolError(
                ErrorCode.INVALID_MESSAGE, f"'{LOCAL_ACCOUNT_ID}' is built in; pick another id"
            )
        check_account(config)
        try:
            if password is not None:
                self._secrets.set(secret_name(config.id), password)
            elif (known := self.records.get(config.id)) is not None and known.has_password:
                # Replacing an account that has a password keeps it; an account without
                # one never touches the keyring (machines without one can still add it).
                password = self._secrets.get(secret_name(config.id))
        except SecretStoreUnavailable as exc:
            raise ProtocolError(ErrorCode.UNAVAILABLE, str(exc)) from None
        record = await self._add(config, password)
        stored = [a for a in self._store.load() if a.id != config.id]
        self._store.save([*stored, config])
        if record.registration == RegistrationState.NONE:
            # No registrar, so no registration event will follow: other clients learn of
            # the account from this one (accounts that register announce their result).
            self._emit_registration(record)
        return record.status()

    async def remove_account(self, account_id: str) -> None:
        """Removes the account from the stack, the account file and the keyring.

        An account that is saved but could not be loaded (e.g. a CA file gone) is
        removable too, so its password never outlives it.
        """
        saved = self._store.load()
        known = account_id in self.records or any(a.id == account_id for a in saved)
        if account_id == LOCAL_ACCOUNT_ID or not known:
            raise not_found(f"removable account {account_id!r}")
        record = self.records.get(account_id)
        if record is not None:
            try:
                await self._stack.remove_account(account_id)
            except StackError as exc:
                raise stack_failure(exc) from None
            del self.records[account_id]
        self._store.save([a for a in saved if a.id != account_id])
        try:
            self._secrets.delete(secret_name(account_id))
        except SecretStoreUnavailable as exc:
            # The account is gone; the password could not be: say so loudly, never quietly.
            log.error("password of %s could not be deleted from the keyring: %s", account_id, exc)
            raise ProtocolError(
                ErrorCode.UNAVAILABLE,
                f"account {account_id} was removed, but its password is still in the keyring: "
                f"{exc}",
            ) from None
        if record is not None:
            record.registration = RegistrationState.UNREGISTERED
            record.status_code = None
            record.reason = "removed"
            record.expires_s = None
            self._emit_registration(record)

    def account_list(self) -> list[AccountStatus]:
        return [record.status() for record in self.records.values()]

    def pick(self, account_id: str | None) -> AccountRecord:
        """The account named, or with none named the first configured one (else local)."""
        if not self.records:
            raise ProtocolError(ErrorCode.UNAVAILABLE, "the SIP stack is not running")
        if account_id is None:
            configured = [a for a in self.records.values() if a.config.id != LOCAL_ACCOUNT_ID]
            return configured[0] if configured else self.records[LOCAL_ACCOUNT_ID]
        record = self.records.get(account_id)
        if record is None:
            raise not_found(f"account {account_id!r}")
        return record

    def on_registration(self, event: RegistrationChanged) -> None:
        record = self.records.get(event.account_id)
        if record is None:
            return
        if event.active and 200 <= event.status_code < 300:
            state = RegistrationState.REGISTERED
        elif 200 <= event.status_code < 300:
            state = RegistrationState.UNREGISTERED
        else:
            state = RegistrationState.FAILED
        record.registration = state
        record.status_code = event.status_code
        record.reason = event.reason
        record.expires_s = event.expires_s if event.active else None
        if event.realm and record.exposure is not None and record.config.username:
            record.exposure = replace(record.exposure, realm=event.realm)
        self._emit_registration(record)

    def _emit_registration(self, record: AccountRecord) -> None:
        self._emit(
            "account.registration",
            {
                "account_id": record.config.id,
                "state": record.registration.value,
                "status_code": record.status_code,
                "reason": record.reason,
                "expires_s": record.expires_s,
                "advice": record.advice(),
            },
        )
