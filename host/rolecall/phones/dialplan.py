"""Dial text: what the user clicked or typed becomes the SIP URI to INVITE, or a DialError.

This module owns the boundary between the (hostile) web page and the SIP stack: nothing
reaches an INVITE unless it parsed here as a valid phone number, a short internal code,
or a strict SIP URI. It is pure: no I/O, no pjsua2.

What is accepted (`parse_target`):

- Phone numbers in everyday formats: spaces, dots, dashes (any Unicode dash), slashes,
  parentheses, a leading `+`, the default region's trunk prefix (`0…`) and
  international dialling prefix (`00…`, `011…`), any one script of Unicode decimal
  digits (full-width, Arabic-Indic, ...; not mixed scripts), non-breaking and other
  Unicode spaces. They must be possible and valid per `phonenumbers`; they are sent in
  international form (see `DialPlan`) to `DialPlan.domain`.
- An extension to send as DTMF after answer, at the end of a number: `x123`, `ext 123`,
  `ext. 123`, `extension 123`, `;ext=123`, or `,123` (commas are pauses; any number of
  them). 1-15 digits.
- Short codes: 2-6 plain digits (`1001`), or `*` and 1-5 digits (`*97`), with no
  separators and no `+`, as plain text, `tel:1001` or `callto:1001`: internal extensions
  and PBX feature codes, sent as they are (no outbound prefix, no region check) to
  `DialPlan.domain`, with `e164=None`. Anything longer must be a valid number.
- `tel:` URIs (RFC 3966): a global number (`tel:+1-415-555-0132`) or, leniently, a
  local number without `phone-context` (parsed in the default region, as web pages write
  `tel:0301234567`; `tel://` is refused). Percent-escapes are decoded, then checked
  again. Parameters: `ext=` (the extension) and `phone-context=+<digits>` (on local
  numbers only; prepended to the number, as phonenumbers does). Every other parameter
  (`isub`, `postd`, `tgrp`, a domain-name `phone-context`, ...) is refused: it would
  change what is dialled.
- `callto:` with a phone number (`callto:+14155550132`, `callto://+14155550132`),
  percent-decoded, then read exactly like a plain number. Skype names are refused.
- `sip:`/`sips:` URIs of the form `user@host[:port]` only: user of RFC 3261 unreserved
  characters `[A-Za-z0-9-_.!~*'()&=+$,]` and `%HH` escapes of printable ASCII; host a DNS
  name, dotted IPv4 or `[IPv6]`; port 1-65535. No password, parameters or headers. The
  scheme and host are lower-cased, escapes upper-cased; the user part is kept as given.

What is refused, checked in this order: more than `MAX_INPUT_LENGTH` characters; control,
format (bidi overrides, zero-width, BOM, ...), surrogate, private-use, unassigned and
line/paragraph-separator characters, and `< > " \\ ?` and the backtick anywhere -
refused, never stripped, since a hostile page could hide digits with them; empty text;
then whatever the syntax above does not allow, including dates (2024-01-15, 15.01.2024,
01/15/2024), which some regions would otherwise read as valid numbers. Every result's
`uri` finally has to match `SAFE_URI_PATTERN` as a whole, or it is refused too (defence
in depth). The `region` argument is checked before anything else.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal, get_args

from rolecall import phones

__all__ = [
    "MAX_INPUT_LENGTH",
    "REASONS",
    "SAFE_URI_PATTERN",
    "DialError",
    "DialPlan",
    "DialReason",
    "DialTarget",
    "parse_target",
]

MAX_INPUT_LENGTH: Final = 256
"""Longer input is refused before it is looked at."""

DialReason = Literal[
    "empty",
    "too_long",
    "forbidden_character",
    "unsupported_scheme",
    "unsupported_parameter",
    "not_a_number",
    "letters_in_number",
    "invalid_number",
    "invalid_extension",
    "invalid_uri",
    "no_domain",
    "invalid_region",
    "invalid_plan",
]
"""Why something was refused (`DialError.reason`):

- `empty`: nothing but whitespace.
- `too_long`: more than `MAX_INPUT_LENGTH` characters.
- `forbidden_character`: control, invisible or bidi characters anywhere; `< > " \\ ?` or a
  backtick anywhere; whitespace in a SIP URI; `;` in a number other than `;ext=`.
- `unsupported_scheme`: a scheme other than sip, sips, tel, callto.
- `unsupported_parameter`: a SIP URI parameter, or a tel: parameter other than `ext` and
  a `+digits` `phone-context`.
- `not_a_number`: characters a phone number never has (`@ : $ #`, symbols, `*` outside a
  short code, `+` other than first), no digits, mixed digit scripts, a date.
- `letters_in_number`: letters, as in vanity numbers (1-800-FLOWERS) or Skype names.
- `invalid_number`: not a possible and valid number per phonenumbers.
- `invalid_extension`: an extension that is not 1-15 digits.
- `invalid_uri`: a malformed tel: or SIP URI (user, host, port, escapes).
- `no_domain`: a number but `DialPlan.domain` is None, so there is nowhere to send it.
- `invalid_region`: the `region` argument is not a region phonenumbers knows.
- `invalid_plan`: a `DialPlan` field is invalid (raised by `DialPlan` itself).
"""

REASONS: Final[tuple[DialReason, ...]] = get_args(DialReason)

_SIP_USER = r"(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-F]{2})+"
_DNS_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TOP_LABEL = r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = rf"(?:{_DNS_LABEL}\.)*{_TOP_LABEL}"
_IPV4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
_IPV6_REF = r"\[[0-9a-f:.]+\]"
_HOST = rf"(?:{_HOSTNAME}|{_IPV4}|{_IPV6_REF})"
_PORT = r"[1-9][0-9]{0,4}"

SAFE_URI_PATTERN: Final = re.compile(
    rf"sips?:{_SIP_USER}@{_HOST}(?::{_PORT})?",
    re.ASCII,
)
"""Every `DialTarget.uri` matches this as a whole: safe verbatim in a Request-URI and,
inside `<>`, in a To: header (no whitespace, quotes, angle brackets, `;` or `?`)."""

_MAX_EXTENSION_DIGITS: Final = 15
_MAX_NUMBER_DIGITS: Final = 20
"""E.164 has at most 15 digits; trunk and international prefixes add a few."""

_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_FORBIDDEN_ASCII: Final = frozenset('<>"\\?`')

_DASHES: Final = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_FULLWIDTH_PUNCTUATION: Final = {
    "\uff0b": "+",
    "\uff08": "(",
    "\uff09": ")",
    "\uff0e": ".",
    "\uff0f": "/",
}

_SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_SHORT_CODE_RE: Final = re.compile(r"[0-9]{2,6}|\*[0-9]{1,5}", re.ASCII)
_EXTENSION_RE: Final = re.compile(
    r"(?:;ext=| *(?:,+|(?:extension|extn|ext|x)\.?:?) *)([0-9]+) *\Z", re.ASCII | re.IGNORECASE
)
_NUMBER_CHARS_RE: Final = re.compile(r"[0-9 ()./+-]", re.ASCII)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)[0-9]{2}"
_DATE_RE: Final = re.compile(
    rf"{_YEAR}([-./]){_MONTH}\1{_DAY}|{_DAY}([-./]){_MONTH}\2{_YEAR}|{_MONTH}([-./]){_DAY}\3{_YEAR}",
    re.ASCII,
)
"""2024-01-15, 15.01.2024, 01/15/2024: digits a page shows that could pass as a number."""
_VISUAL_DIGITS_RE: Final = re.compile(r"[0-9().-]+", re.ASCII)
_PHONE_CONTEXT_RE: Final = re.compile(r"\+[0-9().-]*[0-9][0-9().-]*", re.ASCII)
_ESCAPE_RE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_SIP_USER_RE: Final = re.compile(_SIP_USER, re.ASCII)
_HOSTNAME_RE: Final = re.compile(_HOSTNAME, re.ASCII)
_IPV4_RE: Final = re.compile(_IPV4, re.ASCII)
_PORT_RE: Final = re.compile(_PORT, re.ASCII)
_DIGITS_RE: Final = re.compile(r"[0-9]*", re.ASCII)


class DialError(ValueError):
    """Refused before anything was sent: `reason` (one of `REASONS`) and a plain `message`."""

    def __init__(self, reason: DialReason, message: str) -> None:
        super().__init__(message)
        self.reason: DialReason = reason
        self.message = message


@dataclass(frozen=True)
class DialPlan:
    """How numbers become SIP URIs for one account.

    A number is always sent in international form: `outbound_prefix`, then `+` (when
    `keep_plus`) or `international_prefix` (or nothing), then country code and national
    number, `@domain`. E.g. `+49 30 1234567` gives `sip:+49301234567@domain`, or with
    `outbound_prefix="9", keep_plus=False, international_prefix="011"`
    `sip:901149301234567@domain`. `international_prefix` is ignored while `keep_plus`.
    """

    default_region: str = "US"
    """ISO 3166 alpha-2 (upper case) for numbers written without `+` or an IDD prefix."""
    outbound_prefix: str = ""
    """0-6 digits prepended to every dialled number (not to short codes), e.g. "9"."""
    keep_plus: bool = True
    domain: str | None = None
    """host[:port] numbers and short codes are sent to; None: only SIP URIs can be dialled."""
    international_prefix: str | None = None
    """1-4 digits replacing `+` when `keep_plus` is False, e.g. "00" or "011"."""

    def __post_init__(self) -> None:
        if not isinstance(self.default_region, str) or not _is_known_region(self.default_region):
            raise DialError("invalid_plan", f"unknown default region {self.default_region!r}")
        if not _is_digits(self.outbound_prefix, 0, 6):
            raise DialError("invalid_plan", "the outbound prefix must be 0 to 6 digits")
        if not isinstance(self.keep_plus, bool):
            raise DialError("invalid_plan", "keep_plus must be True or False")
        if self.international_prefix is not None and not _is_digits(
            self.international_prefix, 1, 4
        ):
            raise DialError("invalid_plan", "the international prefix must be 1 to 4 digits")
        if self.domain is not None and (
            not isinstance(self.domain, str) or _canonical_hostport(self.domain) is None
        ):
            raise DialError("invalid_plan", f"the domain {self.domain!r} is not a host[:port]")


@dataclass(frozen=True)
class DialTarget:
    """What to INVITE, and how to show it."""

    uri: str
    """The Request-URI, e.g. `sip:+14155550132@pbx.example.com`; matches SAFE_URI_PATTERN."""
    kind: Literal["number", "sip"]
    e164: str | None
    """`+14155550132` for phone numbers; None for short codes and SIP URIs."""
    display: str
    """International format (`+1 415-555-0132`) for numbers, the code for short codes, the
    URI for SIP URIs."""
    extension: str | None
    """Digits to send as DTMF once answered."""
    region: str | None
    """The number's region code (e.g. "US", "001" for non-geographic); None otherwise."""
    original: str
    """The input, trimmed."""


def parse_target(text: str, plan: DialPlan, *, region: str | None = None) -> DialTarget:
    """Turn clicked or typed `text` into a `DialTarget`, or raise `DialError`.

    `region` (case-insensitive) overrides `plan.default_region` for this one input, e.g.
    the country of the CRM record the number was found on.
    """
    number_region = plan.default_region if region is None else _check_region(region)
    if len(text) > MAX_INPUT_LENGTH:
        raise DialError("too_long", f"longer than {MAX_INPUT_LENGTH} characters")
    _check_characters(text)
    original = text.strip()
    if not original:
        raise DialError("empty", "nothing to dial")
    target = _parse_trimmed(original, plan, number_region)
    if not SAFE_URI_PATTERN.fullmatch(target.uri):
        raise DialError("invalid_uri", "the resulting SIP URI failed the final safety check")
    return target


def _parse_trimmed(original: str, plan: DialPlan, region: str) -> DialTarget:
    scheme_match = _SCHEME_RE.match(original)
    if scheme_match is None:
        return _dial_number_text(original, original, plan, region)
    scheme = scheme_match.group(1).lower()
    rest = original[scheme_match.end() :]
    if scheme in ("sip", "sips"):
        return _parse_sip(scheme, rest, original)
    if scheme == "tel":
        return _parse_tel(rest, original, plan, region)
    if scheme == "callto":
        body = _percent_decode(rest.removeprefix("//"))
        return _dial_number_text(body, original, plan, region)
    raise DialError("unsupported_scheme", f"{scheme}: links cannot be dialled")


# --- characters ---------------------------------------------------------------------


def _check_characters(text: str) -> None:
    for char in text:
        if char in _FORBIDDEN_ASCII or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            raise DialError("forbidden_character", f"contains the character {_describe(char)}")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _normalise(text: str) -> str:
    """Unicode digits, dashes, spaces and full-width punctuation to their ASCII forms."""
    out: list[str] = []
    digit_sets: set[int] = set()
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is not None:
            digit_sets.add(ord(char) - value)
            out.append(str(value))
        elif char in _DASHES:
            out.append("-")
        elif char in _FULLWIDTH_PUNCTUATION:
            out.append(_FULLWIDTH_PUNCTUATION[char])
        elif unicodedata.category(char) == "Zs":
            out.append(" ")
        else:
            out.append(char)
    if len(digit_sets) > 1:
        raise DialError("not_a_number", "mixes digits from different scripts")
    return "".join(out)


def _percent_decode(text: str) -> str:
    """Decode %HH (UTF-8), then apply the character checks again to what came out."""
    if "%" not in text:
        return text
    raw = bytearray()
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            escape = _ESCAPE_RE.match(text, index)
            if escape is None:
                raise DialError("invalid_uri", "a % that is not followed by two hex digits")
            raw.append(int(escape.group(1), 16))
            index = escape.end()
        else:
            raw.extend(char.encode("utf-8"))
            index += 1
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DialError("invalid_uri", "percent-escapes that are not UTF-8") from None
    _check_characters(decoded)
    return decoded


def _is_digits(value: object, least: int, most: int) -> bool:
    return (
        isinstance(value, str)
        and least <= len(value) <= most
        and _DIGITS_RE.fullmatch(value) is not None
    )


# --- numbers ------------------------------------------------------------------------


def _is_known_region(region: str) -> bool:
    return phones.is_region(region)


def _check_region(region: str) -> str:
    upper = region.strip().upper() if isinstance(region, str) else ""
    if not _is_known_region(upper):
        raise DialError("invalid_region", f"unknown region {region!r}")
    return upper


def _dial_number_text(text: str, original: str, plan: DialPlan, region: str) -> DialTarget:
    """A plain number, possibly with an extension, or a short code."""
    text = _normalise(text).strip()
    if _SHORT_CODE_RE.fullmatch(text):
        return _short_code(text, original, plan)
    if _DATE_RE.fullmatch(text):
        raise DialError("not_a_number", "looks like a date, not a phone number")
    extension: str | None = None
    found = _EXTENSION_RE.search(text)
    if found is not None:
        extension = _check_extension(found.group(1))
        text = text[: found.start()].rstrip()
    return _dial_number(_number_digits(text), extension, original, plan, region)


def _short_code(code: str, original: str, plan: DialPlan) -> DialTarget:
    host = _require_domain(plan)
    return DialTarget(
        uri=f"sip:{code}@{host}",
        kind="number",
        e164=None,
        display=code,
        extension=None,
        region=None,
        original=original,
    )


def _check_extension(digits: str) -> str:
    if not 1 <= len(digits) <= _MAX_EXTENSION_DIGITS:
        raise DialError(
            "invalid_extension", f"an extension has 1 to {_MAX_EXTENSION_DIGITS} digits"
        )
    return digits


def _number_digits(text: str) -> str:
    """The digits of a number written with separators, `+` first when it had one."""
    if any(char.isalpha() for char in text):
        raise DialError("letters_in_number", "contains letters; only digits can be dialled")
    if ";" in text:
        raise DialError("forbidden_character", "';' is only allowed as ';ext=' in a number")
    if "@" in text:
        raise DialError("not_a_number", "contains '@': SIP addresses need a sip: prefix")
    for char in text:
        if not _NUMBER_CHARS_RE.fullmatch(char):
            raise DialError("not_a_number", f"a phone number cannot contain {char!r}")
    significant = text.replace("(", "").replace(" ", "")
    if "+" in text and (text.count("+") > 1 or not significant.startswith("+")):
        raise DialError("not_a_number", "'+' can only come first")
    digits = "".join(char for char in text if char.isdigit())
    if not digits:
        raise DialError("not_a_number", "contains no digits")
    if len(digits) > _MAX_NUMBER_DIGITS:
        raise DialError("invalid_number", "too many digits for a phone number")
    return ("+" if "+" in text else "") + digits


def _dial_number(
    digits: str, extension: str | None, original: str, plan: DialPlan, region: str
) -> DialTarget:
    """`digits` is `+` and digits, or digits in `region`'s national or IDD form."""
    try:
        number = phones.parse(digits, region, strictness="valid")
    except phones.NotANumber as exc:
        if exc.reason == "unparsable":
            raise DialError("invalid_number", "not a phone number in any region") from None
        raise DialError("invalid_number", "not a valid phone number") from None
    e164 = number.e164
    host = _require_domain(plan)
    international = "+" if plan.keep_plus else plan.international_prefix or ""
    return DialTarget(
        uri=f"sip:{plan.outbound_prefix}{international}{e164[1:]}@{host}",
        kind="number",
        e164=e164,
        display=number.display,
        extension=extension,
        region=number.region,
        original=original,
    )


def _require_domain(plan: DialPlan) -> str:
    if plan.domain is None:
        raise DialError("no_domain", "no SIP domain is set up to send phone numbers to")
    host = _canonical_hostport(plan.domain)
    if host is None:  # DialPlan checked it; kept for the type checker
        raise DialError("invalid_plan", "the dial plan's domain is not a host[:port]")
    return host


# --- tel: ---------------------------------------------------------------------------


def _parse_tel(body: str, original: str, plan: DialPlan, region: str) -> DialTarget:
    if body.startswith("//"):
        raise DialError("invalid_uri", "tel: is followed by the number, not by //")
    number_part, *params = body.split(";")
    number_text = _normalise(_percent_decode(number_part)).strip()
    if not params and _SHORT_CODE_RE.fullmatch(number_text):
        return _short_code(number_text, original, plan)
    extension: str | None = None
    context: str | None = None
    seen: set[str] = set()
    for param in params:
        name, equals, raw_value = param.partition("=")
        name = name.lower()
        if not equals or not name or not raw_value:
            raise DialError("invalid_uri", f"malformed tel: parameter {param!r}")
        if name in seen:
            raise DialError("invalid_uri", f"tel: parameter {name!r} given twice")
        seen.add(name)
        value = _normalise(_percent_decode(raw_value))
        if name == "ext":
            extension = _tel_extension(value)
        elif name == "phone-context":
            context = _tel_phone_context(value)
        else:
            raise DialError("unsupported_parameter", f"tel: parameter {name!r} is not supported")
    digits = _number_digits(number_text)
    if context is not None:
        if digits.startswith("+"):
            raise DialError("invalid_uri", "phone-context is only allowed on local numbers")
        digits = context + digits
    return _dial_number(digits, extension, original, plan, region)


def _tel_extension(value: str) -> str:
    if not _VISUAL_DIGITS_RE.fullmatch(value):
        raise DialError("invalid_extension", "a tel: extension is digits only")
    return _check_extension("".join(char for char in value if char.isdigit()))


def _tel_phone_context(value: str) -> str:
    if not _PHONE_CONTEXT_RE.fullmatch(value):
        raise DialError(
            "unsupported_parameter", "only a +digits phone-context is supported, not a domain"
        )
    return "+" + "".join(char for char in value if char.isdigit())


# --- sip: and sips: -----------------------------------------------------------------


def _parse_sip(scheme: str, body: str, original: str) -> DialTarget:
    if any(char.isspace() for char in body):
        raise DialError("forbidden_character", "a SIP URI cannot contain whitespace")
    if ";" in body:
        raise DialError("unsupported_parameter", "SIP URI parameters are not accepted")
    if not body.isascii():
        raise DialError("invalid_uri", "a SIP URI must be plain ASCII")
    user, at, hostport = body.partition("@")
    if not at or not user or not hostport:
        raise DialError("invalid_uri", "a SIP URI needs the form sip:user@host")
    canonical_user = _canonical_user(user)
    host = _canonical_hostport(hostport)
    if host is None:
        raise DialError(
            "invalid_uri",
            "the host must be a DNS name, IPv4 or [IPv6] address, and any port 1-65535",
        )
    uri = f"{scheme}:{canonical_user}@{host}"
    return DialTarget(
        uri=uri,
        kind="sip",
        e164=None,
        display=uri,
        extension=None,
        region=None,
        original=original,
    )


def _canonical_user(user: str) -> str:
    """Check the user part; upper-case its escapes, which must be printable ASCII."""
    pieces = _ESCAPE_RE.split(user)
    # split() alternates: text, escape hex, text, ...
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            if not 0x20 <= int(piece, 16) <= 0x7E:
                raise DialError("invalid_uri", "the user part escapes a control or non-ASCII byte")
            out.append("%" + piece.upper())
        else:
            if "%" in piece:
                raise DialError("invalid_uri", "a % that is not followed by two hex digits")
            out.append(piece)
    canonical = "".join(out)
    if not _SIP_USER_RE.fullmatch(canonical):
        raise DialError("invalid_uri", "the user part has characters a SIP URI cannot carry")
    return canonical


def _canonical_hostport(text: str) -> str | None:
    """`host[:port]` lower-cased, or None unless it is a DNS name, IPv4 or [IPv6]."""
    if not text.isascii():
        return None
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            return None
        host = _canonical_ipv6(text[1:close])
        port_part = text[close + 1 :]
    else:
        host_text, colon, port_text = text.partition(":")
        host = _canonical_host(host_text)
        port_part = colon + port_text
    if host is None:
        return None
    if not port_part:
        return host
    port = port_part[1:]
    if not port_part.startswith(":") or not _PORT_RE.fullmatch(port) or int(port) > 65535:
        return None
    return f"{host}:{port}"


def _canonical_host(text: str) -> str | None:
    host = text.lower()
    if _IPV4_RE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return None
        return host
    if len(host) <= 253 and _HOSTNAME_RE.fullmatch(host):
        return host
    return None


def _canonical_ipv6(text: str) -> str | None:
    if "%" in text or not text:
        return None
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return None
    return f"[{text.lower()}]"
