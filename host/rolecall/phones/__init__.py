"""The one phone-number rule: text → E.164 (with an explicit strictness), and back to text.

Every part of the host that reads or writes a number goes through here, on top of
`phonenumbers`. Callers choose how strict to be:

- `"possible"`: the length fits the country's plan. CRM connectors read numbers this
  way, so a contact whose number is merely unusual still matches a caller.
- `"valid"`: possible, and in a range the country actually assigns. The context
  service and the dial plan read numbers this way: a number is dialled, or a caller
  matched by it, only when it can exist.

An E.164 result always has the form `+` then 7 to 15 digits, the first not 0. A number
is shown in one format: international (`Number.display`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import phonenumbers

__all__ = [
    "E164_PATTERN",
    "NotANumber",
    "Number",
    "Strictness",
    "e164_of_uri",
    "is_e164",
    "is_region",
    "national_digits",
    "parse",
    "region_of",
    "to_e164",
    "variants",
]

Strictness = Literal["possible", "valid"]

E164_PATTERN: Final = r"^\+[1-9][0-9]{6,14}$"
_E164: Final = re.compile(E164_PATTERN)


class NotANumber(ValueError):
    """Text that is not a phone number: `unparsable`, or `invalid` under the strictness."""

    def __init__(self, reason: Literal["unparsable", "invalid"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Number:
    """A number that passed: E.164, its international display form, its region (if any)."""

    e164: str
    display: str
    region: str | None


def _accepts(number: phonenumbers.PhoneNumber, strictness: Strictness) -> bool:
    if not phonenumbers.is_possible_number(number):
        return False
    return strictness == "possible" or phonenumbers.is_valid_number(number)


def parse(text: str, region: str | None, *, strictness: Strictness) -> Number:
    """`text` as a number; national forms are read in `region` (None: `+` forms only)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise NotANumber("unparsable") from None
    if not _accepts(number, strictness):
        raise NotANumber("invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not _E164.match(e164):
        raise NotANumber("invalid")
    return Number(
        e164=e164,
        display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        region=phonenumbers.region_code_for_number(number),
    )


def to_e164(text: str, region: str | None, *, strictness: Strictness) -> str | None:
    """`text` in E.164, or None when it is not a number under `strictness`."""
    try:
        return parse(text, region, strictness=strictness).e164
    except NotANumber:
        return None


def is_e164(text: str) -> bool:
    """True when `text` has the E.164 form (it says nothing of validity)."""
    return isinstance(text, str) and _E164.match(text) is not None


def is_region(code: str) -> bool:
    """True when `code` is a region (ISO 3166 alpha-2) whose numbers can be read."""
    return code in phonenumbers.SUPPORTED_REGIONS


def region_of(e164: str) -> str | None:
    """The region an E.164 number belongs to, or None (non-geographic, unknown)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None
    return str(region) if region is not None and is_region(region) else None


def variants(e164: str) -> list[str]:
    """How people write the number: E.164, international and national formatting."""
    number = phonenumbers.parse(e164, None)
    out = [e164]
    for fmt in (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
    ):
        text = phonenumbers.format_number(number, fmt)
        if text not in out:
            out.append(text)
    return out


def national_digits(e164: str) -> str:
    """The number's digits without its country code (what a national search matches)."""
    return str(phonenumbers.parse(e164, None).national_number)


_SIP_USER_E164: Final = re.compile(r"sips?:(\+[1-9][0-9]{6,14})@")


def e164_of_uri(uri: str) -> str | None:
    """The number of a SIP URI whose user part is in E.164 (`sip:+14155550132@host`)."""
    match = _SIP_USER_E164.search(uri)
    return match.group(1) if match else None
