"""The dial plan: real-world numbers from many countries, SIP URIs, and hostile input.

Every expected E.164 below was written by hand and checked against phonenumbers itself
(`test_table_agrees_with_phonenumbers`), never computed from the code under test.
"""

from __future__ import annotations

import dataclasses
import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolecall.phones.dialplan import (
    MAX_INPUT_LENGTH,
    REASONS,
    SAFE_URI_PATTERN,
    DialError,
    DialPlan,
    DialTarget,
    parse_target,
)

DOMAIN = "pbx.example.com"

# country (the expected DialTarget.region) -> (input, default region, E.164, extension)
NUMBERS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "CN": [
        ("+86 138 0013 8000", "US", "+8613800138000", None),
        ("138 0013 8000", "CN", "+8613800138000", None),
        ("13800138000", "CN", "+8613800138000", None),
        ("00 86 138 0013 8000", "CN", "+8613800138000", None),
        ("+86 10 6552 9988", "US", "+861065529988", None),
        ("010-6552 9988", "CN", "+861065529988", None),
        ("(010) 6552-9988", "CN", "+861065529988", None),
        ("+86 21 6321 8800", "US", "+862163218800", None),
        ("＋８６ １３８ ００１３ ８０００", "US", "+8613800138000", None),
    ],
    "HK": [
        ("+852 2123 4567", "US", "+85221234567", None),
        ("2123 4567", "HK", "+85221234567", None),
        ("+852 9123 4567", "US", "+85291234567", None),
    ],
    "TW": [
        ("+886 2 2345 6789", "US", "+886223456789", None),
        ("02-2345-6789", "TW", "+886223456789", None),
        ("0912 345 678", "TW", "+886912345678", None),
    ],
    "JP": [
        ("+81 3-1234-5678", "US", "+81312345678", None),
        ("03-1234-5678", "JP", "+81312345678", None),
        ("090-1234-5678", "JP", "+819012345678", None),
        ("０３−１２３４−５６７８", "JP", "+81312345678", None),
    ],
    "KR": [
        ("+82 2-312-3456", "US", "+8223123456", None),
        ("010-1234-5678", "KR", "+821012345678", None),
    ],
    "SG": [
        ("+65 6123 4567", "US", "+6561234567", None),
        ("9123 4567", "SG", "+6591234567", None),
    ],
    "IN": [
        ("+91 98765 43210", "US", "+919876543210", None),
        ("098765 43210", "IN", "+919876543210", None),
        ("+91 22 2345 6789", "US", "+912223456789", None),
        ("+९१ ९८७६५ ४३२१०", "US", "+919876543210", None),  # Devanagari digits
    ],
    "GB": [
        ("+44 20 7946 0958", "US", "+442079460958", None),
        ("+44 (0)20 7946 0958", "US", "+442079460958", None),
        ("020 7946 0958", "GB", "+442079460958", None),
        ("07400 123456", "GB", "+447400123456", None),
        ("011 44 20 7946 0958", "US", "+442079460958", None),
        ("+44 20 7946 0958 ext. 4021", "US", "+442079460958", "4021"),
    ],
    "IE": [
        ("+353 1 234 5678", "US", "+35312345678", None),
        ("087 123 4567", "IE", "+353871234567", None),
    ],
    "DE": [
        ("+49 30 1234567", "US", "+49301234567", None),
        ("030 1234567", "DE", "+49301234567", None),
        ("030/1234567", "DE", "+49301234567", None),
        ("0049 30 1234567", "DE", "+49301234567", None),
        ("+49 151 23456789", "US", "+4915123456789", None),
        ("+49 (30) 1234567-12", "US", "+4930123456712", None),
    ],
    "FR": [
        ("+33 1 42 68 53 00", "US", "+33142685300", None),
        ("01 42 68 53 00", "FR", "+33142685300", None),
        ("06.12.34.56.78", "FR", "+33612345678", None),
    ],
    "ES": [
        ("+34 912 34 56 78", "US", "+34912345678", None),
        ("612 34 56 78", "ES", "+34612345678", None),
    ],
    "IT": [  # the leading 0 of Italian landlines stays in E.164
        ("+39 02 1234 5678", "US", "+390212345678", None),
        ("02 1234 5678", "IT", "+390212345678", None),
        ("+39 312 345 6789", "US", "+393123456789", None),
    ],
    "NL": [
        ("+31 20 123 4567", "US", "+31201234567", None),
        ("06-12345678", "NL", "+31612345678", None),
    ],
    "CH": [
        ("+41 44 668 18 00", "US", "+41446681800", None),
        ("044 668 18 00", "CH", "+41446681800", None),
    ],
    "SE": [
        ("+46 8 123 456 78", "US", "+46812345678", None),
        ("070-123 45 67", "SE", "+46701234567", None),
    ],
    "PL": [
        ("+48 22 123 45 67", "US", "+48221234567", None),
        ("512 345 678", "PL", "+48512345678", None),
    ],
    "BR": [
        ("+55 11 91234-5678", "US", "+5511912345678", None),
        ("(11) 91234-5678", "BR", "+5511912345678", None),
    ],
    "MX": [
        ("+52 55 1234 5678", "US", "+525512345678", None),
        ("55 1234 5678", "MX", "+525512345678", None),
    ],
    "AR": [
        ("+54 11 4123-4567", "US", "+541141234567", None),
        ("+54 9 11 2345-6789", "US", "+5491123456789", None),
    ],
    "CA": [
        ("+1 416 555 0123", "US", "+14165550123", None),
        ("(604) 555-0199", "CA", "+16045550199", None),
    ],
    "AU": [
        ("+61 4 1234 5678", "US", "+61412345678", None),
        ("0412 345 678", "AU", "+61412345678", None),
        ("(02) 9876 5432", "AU", "+61298765432", None),
    ],
    "NZ": [
        ("+64 21 123 4567", "US", "+64211234567", None),
        ("09 379 2000", "NZ", "+6493792000", None),
    ],
    "ZA": [
        ("+27 21 123 4567", "US", "+27211234567", None),
        ("082 123 4567", "ZA", "+27821234567", None),
    ],
    "AE": [
        ("+971 50 123 4567", "US", "+971501234567", None),
        ("04 223 4567", "AE", "+97142234567", None),
        ("+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "US", "+971501234567", None),  # Arabic-Indic digits
    ],
    "IL": [
        ("+972 52-512-3456", "US", "+972525123456", None),
        ("03-123-4567", "IL", "+97231234567", None),
    ],
    "NG": [
        ("+234 803 123 4567", "US", "+2348031234567", None),
        ("0803 123 4567", "NG", "+2348031234567", None),
    ],
    "US": [
        ("(415) 555-0132", "US", "+14155550132", None),
        ("415.555.0132", "US", "+14155550132", None),
        ("+1-415-555-0132", "US", "+14155550132", None),
        ("1 415 555 0132", "US", "+14155550132", None),
        ("1-415-555-0132", "US", "+14155550132", None),
        ("4155550132", "US", "+14155550132", None),
        ("+1 (212) 555-0100", "DE", "+12125550100", None),
        ("415-555-0132 x123", "US", "+14155550132", "123"),
        ("415-555-0132 ext. 123", "US", "+14155550132", "123"),
        ("415-555-0132 Ext 123", "US", "+14155550132", "123"),
        ("415-555-0132 extension 123", "US", "+14155550132", "123"),
        ("415-555-0132x123", "US", "+14155550132", "123"),
        ("415-555-0132;ext=123", "US", "+14155550132", "123"),
        ("415-555-0132,123", "US", "+14155550132", "123"),
        ("4155550132,,,123", "US", "+14155550132", "123"),
        ("tel:+1-415-555-0132", "US", "+14155550132", None),
        ("tel:+1-415-555-0132;ext=123", "US", "+14155550132", "123"),
        ("TEL:+1.415.555.0132;EXT=1-2-3", "US", "+14155550132", "123"),
        ("tel:+1%20415%20555%200132", "US", "+14155550132", None),
        ("tel:(415)555-0132", "US", "+14155550132", None),
        ("tel:555-0132;phone-context=+1-415", "US", "+14155550132", None),
        ("tel:555-0132;ext=7;phone-context=+1-415", "US", "+14155550132", "7"),
        ("callto:+14155550132", "US", "+14155550132", None),
        ("callto://+14155550132", "US", "+14155550132", None),
        ("callto:+1%20415%20555%200132", "US", "+14155550132", None),
        ("１４１５５５５０１３２", "US", "+14155550132", None),  # full-width digits
        ("（４１５）５５５－０１３２", "US", "+14155550132", None),  # full-width everything
        ("+1\u00a0415\u00a0555\u00a00132", "US", "+14155550132", None),  # no-break spaces
        ("415\u2013555\u20130132", "US", "+14155550132", None),  # en dashes
        ("\u00a0 (415) 555-0132 \u3000", "US", "+14155550132", None),  # padded
    ],
}

ROWS = [
    pytest.param(country, text, region, e164, ext, id=f"{country}:{text!a}")
    for country, rows in NUMBERS.items()
    for text, region, e164, ext in rows
]


def plan(region: str = "US", /, **overrides: object) -> DialPlan:
    settings_: dict[str, object] = {"default_region": region, "domain": DOMAIN}
    settings_.update(overrides)
    return DialPlan(**settings_)  # type: ignore[arg-type]


def test_table_is_big_and_wide() -> None:
    assert len(ROWS) >= 70
    assert len(NUMBERS) >= 18


@pytest.mark.parametrize(("country", "text", "region", "e164", "ext"), ROWS)
def test_table_agrees_with_phonenumbers(
    country: str, text: str, region: str, e164: str, ext: str | None
) -> None:
    """Guards the table itself: each expected E.164 is a valid number of its country."""
    number = phonenumbers.parse(e164, None)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.region_code_for_number(number) == country


@pytest.mark.parametrize(("country", "text", "region", "e164", "ext"), ROWS)
def test_real_world_numbers(
    country: str, text: str, region: str, e164: str, ext: str | None
) -> None:
    target = parse_target(text, plan(region))
    assert target.e164 == e164
    assert target.uri == f"sip:{e164}@{DOMAIN}"
    assert target.kind == "number"
    assert target.extension == ext
    assert target.region == country
    assert target.original == text.strip()


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("(415) 555-0132", "+1 415-555-0132"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("+49 30 1234567", "+49 30 1234567"),
        ("+86 138 0013 8000", "+86 138 0013 8000"),
        ("+39 02 1234 5678", "+39 02 1234 5678"),
    ],
)
def test_display_is_international_format(text: str, display: str) -> None:
    assert parse_target(text, plan()).display == display


def test_region_argument_overrides_the_default_region() -> None:
    assert parse_target("030 1234567", plan(), region="DE").e164 == "+49301234567"
    assert parse_target("030 1234567", plan(), region=" de ").e164 == "+49301234567"
    assert parse_target("02 1234 5678", plan("DE"), region="IT").e164 == "+390212345678"
    # `+` numbers ignore the region
    assert parse_target("+1 415 555 0132", plan(), region="JP").e164 == "+14155550132"
    with pytest.raises(DialError) as raised:
        parse_target("030 1234567", plan())  # a US plan cannot read a Berlin number
    assert raised.value.reason == "invalid_number"


@pytest.mark.parametrize("region", ["XX", "", "USA", "001", "u"])
def test_unknown_region_argument(region: str) -> None:
    with pytest.raises(DialError) as raised:
        parse_target("+14155550132", plan(), region=region)
    assert raised.value.reason == "invalid_region"


# --- dial plan variants -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "text", "uri"),
    [
        ({}, "+49 30 1234567", "sip:+49301234567@pbx.example.com"),
        ({"outbound_prefix": "9"}, "(415) 555-0132", "sip:9+14155550132@pbx.example.com"),
        ({"keep_plus": False}, "(415) 555-0132", "sip:14155550132@pbx.example.com"),
        ({"keep_plus": False}, "+49 30 1234567", "sip:49301234567@pbx.example.com"),
        (
            {"keep_plus": False, "outbound_prefix": "9"},
            "(415) 555-0132",
            "sip:914155550132@pbx.example.com",
        ),
        (
            {"keep_plus": False, "international_prefix": "011", "outbound_prefix": "9"},
            "+49 30 1234567",
            "sip:901149301234567@pbx.example.com",
        ),
        (
            {"keep_plus": False, "international_prefix": "00", "default_region": "DE"},
            "030 1234567",
            "sip:0049301234567@pbx.example.com",
        ),
        (  # the international prefix only replaces `+` when keep_plus is off
            {"keep_plus": True, "international_prefix": "00"},
            "+49 30 1234567",
            "sip:+49301234567@pbx.example.com",
        ),
        (
            {"domain": "pbx.example.com:5080"},
            "+4930 1234567",
            "sip:+49301234567@pbx.example.com:5080",
        ),
        ({"domain": "PBX.Example.COM"}, "+49 30 1234567", "sip:+49301234567@pbx.example.com"),
        ({"domain": "192.0.2.7:5060"}, "+49 30 1234567", "sip:+49301234567@192.0.2.7:5060"),
        ({"domain": "[2001:db8::7]:5062"}, "+49 30 1234567", "sip:+49301234567@[2001:db8::7]:5062"),
        ({"domain": "localhost"}, "+49 30 1234567", "sip:+49301234567@localhost"),
    ],
)
def test_dial_plan_variants(overrides: dict[str, object], text: str, uri: str) -> None:
    target = parse_target(text, plan(**overrides))
    assert target.uri == uri
    assert target.e164 is not None and target.e164.startswith("+")


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("1001", "sip:1001@pbx.example.com"),
        ("42", "sip:42@pbx.example.com"),
        ("123456", "sip:123456@pbx.example.com"),
        ("*97", "sip:*97@pbx.example.com"),
        ("*8", "sip:*8@pbx.example.com"),
        ("１００１", "sip:1001@pbx.example.com"),
        (" 1001 ", "sip:1001@pbx.example.com"),
        ("tel:1001", "sip:1001@pbx.example.com"),
        ("callto:1001", "sip:1001@pbx.example.com"),
    ],
)
def test_short_codes_go_to_the_domain_as_they_are(text: str, uri: str) -> None:
    target = parse_target(text, plan(outbound_prefix="9", keep_plus=False))
    assert target.uri == uri  # no outbound prefix on internal extensions
    assert target.kind == "number"
    assert target.e164 is None
    assert target.region is None
    assert target.extension is None
    assert target.display == uri[len("sip:") : uri.index("@")]


@pytest.mark.parametrize("text", ["1", "1234567", "10-01", "*", "**97", "*123456", "#21#"])
def test_not_short_codes(text: str) -> None:
    with pytest.raises(DialError) as raised:
        parse_target(text, plan())
    assert raised.value.reason in {"invalid_number", "not_a_number"}


@pytest.mark.parametrize("text", ["+1 415 555 0132", "1001", "*97", "tel:+14155550132"])
def test_numbers_need_a_domain(text: str) -> None:
    with pytest.raises(DialError) as raised:
        parse_target(text, DialPlan())
    assert raised.value.reason == "no_domain"


def test_sip_uris_need_no_domain() -> None:
    assert parse_target("sip:alice@example.com", DialPlan()).uri == "sip:alice@example.com"


@pytest.mark.parametrize(
    "fields",
    [
        {"default_region": "XX"},
        {"default_region": "us"},
        {"default_region": ""},
        {"outbound_prefix": "9a"},
        {"outbound_prefix": "+9"},
        {"outbound_prefix": "1234567"},
        {"outbound_prefix": "９"},
        {"international_prefix": ""},
        {"international_prefix": "00000"},
        {"international_prefix": "+"},
        {"domain": ""},
        {"domain": "bad host"},
        {"domain": "alice@pbx.example.com"},
        {"domain": "pbx.example.com:0"},
        {"domain": "pbx.example.com:65536"},
        {"domain": "pbx.example.com;transport=tcp"},
        {"domain": "pbx.example.com\r\nVia: x"},
        {"domain": "[2001:db8::1"},
        {"domain": "-pbx.example.com"},
        {"keep_plus": "yes"},
    ],
)
def test_dial_plan_validates_its_fields(fields: dict[str, object]) -> None:
    with pytest.raises(DialError) as raised:
        DialPlan(**fields)  # type: ignore[arg-type]
    assert raised.value.reason == "invalid_plan"
    assert isinstance(raised.value, ValueError)


def test_dial_plan_and_target_are_frozen() -> None:
    target = parse_target("+14155550132", plan())
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.uri = "sip:evil@example.com"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan().domain = "evil.example.com"  # type: ignore[misc]


def test_defaults() -> None:
    default = DialPlan()
    assert (default.default_region, default.outbound_prefix, default.keep_plus) == ("US", "", True)
    assert default.domain is None and default.international_prefix is None


# --- SIP URIs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("sip:alice@example.com", "sip:alice@example.com"),
        ("SIP:Alice@Example.COM", "sip:Alice@example.com"),
        ("sip:alice@example.com:5070", "sip:alice@example.com:5070"),
        ("sip:alice@localhost", "sip:alice@localhost"),
        ("sip:1001@192.0.2.10", "sip:1001@192.0.2.10"),
        ("sip:1001@192.0.2.10:5060", "sip:1001@192.0.2.10:5060"),
        ("sip:alice@[2001:db8::1]", "sip:alice@[2001:db8::1]"),
        ("sip:alice@[2001:DB8::1]:5061", "sip:alice@[2001:db8::1]:5061"),
        ("sip:alice@[::ffff:192.0.2.1]", "sip:alice@[::ffff:192.0.2.1]"),
        ("sips:bob@secure.example.com", "sips:bob@secure.example.com"),
        ("SIPS:bob@secure.example.com:5061", "sips:bob@secure.example.com:5061"),
        ("sip:john%20doe@example.com", "sip:john%20doe@example.com"),
        ("sip:a%2fb@example.com", "sip:a%2Fb@example.com"),
        ("sip:%41lice@example.com", "sip:%41lice@example.com"),
        ("sip:+14155550132@pbx.example.com", "sip:+14155550132@pbx.example.com"),
        ("sip:*97@pbx.example.com", "sip:*97@pbx.example.com"),
        (
            "sip:a-b_c.d!e~f*g'h(i)j&k=l+m$n,o@example.com",
            "sip:a-b_c.d!e~f*g'h(i)j&k=l+m$n,o@example.com",
        ),
        ("sip:alice@xn--bcher-kva.example", "sip:alice@xn--bcher-kva.example"),
        ("sip:alice@example.com:65535", "sip:alice@example.com:65535"),
        ("\u00a0 sip:alice@example.com \u00a0", "sip:alice@example.com"),
    ],
)
def test_sip_uris(text: str, uri: str) -> None:
    target = parse_target(text, plan())
    assert target.uri == uri
    assert target.kind == "sip"
    assert target.display == uri
    assert target.e164 is None
    assert target.extension is None
    assert target.region is None
    assert target.original == text.strip()


# --- hostile input ------------------------------------------------------------------

HOSTILE: list[tuple[str, str]] = [
    # header injection and URI syntax breakouts
    ("+14155550132\r\nVia: evil", "forbidden_character"),
    ("+14155550132\nSubject: hi", "forbidden_character"),
    ("sip:alice@example.com;transport=tcp?Subject=x", "forbidden_character"),
    ("sip:alice@example.com?Subject=x", "forbidden_character"),
    ("sip:alice@example.com>", "forbidden_character"),
    ("<sip:a@b>", "forbidden_character"),
    ("sip:a@b\r\n", "forbidden_character"),
    ("sip:a@b.com\t", "forbidden_character"),
    ("sip:a b@c", "forbidden_character"),
    ("sip:alice@exa mple.com", "forbidden_character"),
    ('sip:"a"@b', "forbidden_character"),
    ("sip:a\\b@c", "forbidden_character"),
    ("`id`", "forbidden_character"),
    ("4155550132?x=1", "forbidden_character"),
    ("+1415\x005550132", "forbidden_character"),
    ("+1 (415) 555-0132\x07", "forbidden_character"),
    ("+1 415 555 0132\x7f", "forbidden_character"),
    ("+1 415 555 0132\x85", "forbidden_character"),
    ("+1 415 555 0132\u2028", "forbidden_character"),
    # invisible and bidi characters that could hide digits
    ("+1 415 555\u202e 0132", "forbidden_character"),
    ("\u202e2310 555 514 1+", "forbidden_character"),
    ("+1 415\u200b555 0132", "forbidden_character"),
    ("+1 415 555 0132\u200d", "forbidden_character"),
    ("\ufeff+14155550132", "forbidden_character"),
    ("\u2066+14155550132\u2069", "forbidden_character"),
    ("+1 415 555 0132\u00ad", "forbidden_character"),
    ("+1 415 555 0132;123", "forbidden_character"),
    # malformed SIP URIs
    ("sip:a@b:99999", "invalid_uri"),
    ("sip:a@b:0", "invalid_uri"),
    ("sip:a@b.com:05060", "invalid_uri"),
    ("sip:a@b.com:5060:5060", "invalid_uri"),
    ("sip:a@", "invalid_uri"),
    ("sip:@b", "invalid_uri"),
    ("sip:", "invalid_uri"),
    ("sip:alice", "invalid_uri"),
    ("sip:alice@@example.com", "invalid_uri"),
    ("sip:alice:secret@example.com", "invalid_uri"),
    ("sip://alice@example.com", "invalid_uri"),
    ("sip:alice@example.com/path", "invalid_uri"),
    ("sip:alice@-example.com", "invalid_uri"),
    ("sip:alice@example..com", "invalid_uri"),
    ("sip:alice@999.1.1.1", "invalid_uri"),
    ("sip:alice@1.2.3.4.5", "invalid_uri"),
    ("sip:alice@[2001:db8::1", "invalid_uri"),
    ("sip:alice@[::1%25eth0]", "invalid_uri"),
    ("sip:alice@[not:an:ip]", "invalid_uri"),
    ("sip:%00@example.com", "invalid_uri"),
    ("sip:%0d%0aVia@example.com", "invalid_uri"),
    ("sip:%c3%a9@example.com", "invalid_uri"),
    ("sip:al%ice@example.com", "invalid_uri"),
    ("sip:alice@exämple.com", "invalid_uri"),
    ("sip:１００１@pbx.example.com", "invalid_uri"),
    ("sip:alice#1@example.com", "invalid_uri"),
    ("sip:alice@example.com;transport=tcp", "unsupported_parameter"),
    ("sip:alice@example.com;lr", "unsupported_parameter"),
    # schemes that are not telephony
    ("javascript:alert(1)", "unsupported_scheme"),
    ("JavaScript:alert(document.cookie)", "unsupported_scheme"),
    ("http://x", "unsupported_scheme"),
    ("https://evil.example/+14155550132", "unsupported_scheme"),
    ("data:text/plain,4155550132", "unsupported_scheme"),
    ("file:///etc/passwd", "unsupported_scheme"),
    ("vbscript:msgbox", "unsupported_scheme"),
    ("skype:alice?call", "forbidden_character"),
    ("skype:alice", "unsupported_scheme"),
    ("facetime:+14155550132", "unsupported_scheme"),
    # tel: and callto: abuse
    ("tel:+14155550132;isub=1234", "unsupported_parameter"),
    ("tel:+14155550132;postd=pp22", "unsupported_parameter"),
    ("tel:+14155550132;tgrp=x;trunk-context=y", "unsupported_parameter"),
    ("tel:5550132;phone-context=example.com", "unsupported_parameter"),
    ("tel:+14155550132;phone-context=+1", "invalid_uri"),
    ("tel:+14155550132;ext=12a", "invalid_extension"),
    ("tel:+14155550132;ext=", "invalid_uri"),
    ("tel:+14155550132;ext=1;ext=2", "invalid_uri"),
    ("tel:+14155550132;", "invalid_uri"),
    ("tel:+1%0D%0A4155550132", "forbidden_character"),
    ("tel:+1%3C4155550132", "forbidden_character"),
    ("tel:+1%E2%80%AE4155550132", "forbidden_character"),
    ("tel:+1%ZZ4155550132", "invalid_uri"),
    ("tel:+1%FF4155550132", "invalid_uri"),
    ("tel://+14155550132", "invalid_uri"),
    ("tel:", "not_a_number"),
    ("callto:", "not_a_number"),
    ("callto:alice.smith", "letters_in_number"),
    ("callto:+1%0aVia", "forbidden_character"),
    ("callto:alice@example.com", "letters_in_number"),
    # not phone numbers
    ("1-800-FLOWERS", "letters_in_number"),
    ("1-800-FLOWERS x12", "letters_in_number"),
    ("+1 415 555 0132 x", "letters_in_number"),
    ("+1 415 555 0132 call me", "letters_in_number"),
    ("ＦＬＯＷＥＲＳ", "letters_in_number"),
    ("2024-01-15", "not_a_number"),
    ("15.01.2024", "not_a_number"),
    ("01/15/2024", "not_a_number"),
    ("12:30", "not_a_number"),
    ("$1,234.56", "not_a_number"),
    ("1,234.56", "not_a_number"),
    ("€ 415 555 0132", "not_a_number"),
    ("📞 415 555 0132", "not_a_number"),
    ("☎️ 415 555 0132", "not_a_number"),  # U+260E U+FE0F: a symbol and a variation selector
    ("1234@10.0.0.1", "not_a_number"),
    ("1+4155550132", "not_a_number"),
    ("++14155550132", "not_a_number"),
    ("+1 415 ٥٥٥ 0132", "not_a_number"),  # mixed digit scripts
    ("----", "not_a_number"),
    ("()", "not_a_number"),
    ("#21#", "not_a_number"),
    ("4155550132 #123", "not_a_number"),
    ("²¹²", "not_a_number"),
    # numbers that are not valid
    ("+1 555", "invalid_number"),
    ("+999 1234", "invalid_number"),
    ("+1 415 555 013", "invalid_number"),
    ("+44 20 7946 09581", "invalid_number"),
    ("555-0132", "invalid_number"),
    ("192.168.1.1", "invalid_number"),
    ("10.0.0.1", "invalid_number"),
    ("9" * 21, "invalid_number"),
    ("+" + "1" * 30, "invalid_number"),
    ("0", "invalid_number"),
    ("415-555-0132 x1234567890123456", "invalid_extension"),
    # sizes
    ("", "empty"),
    ("   ", "empty"),
    ("\u00a0\u3000\u2009", "empty"),
    ("4" * 10_000, "too_long"),
    ("+1 " + " " * MAX_INPUT_LENGTH + "4155550132", "too_long"),
    ("sip:" + "a" * 300 + "@example.com", "too_long"),
    ("\x00" * 100_000, "too_long"),
]


def test_hostile_table_is_big() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(("text", "reason"), HOSTILE, ids=[ascii(t[:40]) for t, _ in HOSTILE])
def test_hostile_input_is_refused(text: str, reason: str) -> None:
    with pytest.raises(DialError) as raised:
        parse_target(text, plan())
    assert raised.value.reason == reason, raised.value.message
    assert raised.value.message
    assert str(raised.value) == raised.value.message


def test_reasons_are_the_documented_set() -> None:
    assert set(REASONS) == {
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
    }
    assert {reason for _, reason in HOSTILE} <= set(REASONS)


def test_dates_are_refused_even_where_they_would_be_valid_numbers() -> None:
    # 20240115 is a valid German number; written as a date it must not be dialled.
    assert phonenumbers.is_valid_number(phonenumbers.parse("20240115", "DE"))
    with pytest.raises(DialError) as raised:
        parse_target("2024-01-15", plan("DE"))
    assert raised.value.reason == "not_a_number"


def test_length_limit_is_exact() -> None:
    padded = "+14155550132".ljust(MAX_INPUT_LENGTH)
    assert parse_target(padded, plan()).e164 == "+14155550132"
    with pytest.raises(DialError) as raised:
        parse_target(padded + " ", plan())
    assert raised.value.reason == "too_long"


# --- properties ---------------------------------------------------------------------

_UNSAFE_IN_URI = set('\r\n<>";? \t\x00')
_SAFE_URI_INDEPENDENT = re.compile(r"sips?:[!$&'()*+,\-.0-9=A-Z_a-z~%]+@[0-9a-z.\-\[\]:]+")


def _check_outcome(text: str, dial_plan: DialPlan) -> DialTarget | None:
    try:
        target = parse_target(text, dial_plan)
    except DialError as error:
        assert error.reason in REASONS
        return None
    assert SAFE_URI_PATTERN.fullmatch(target.uri)
    assert _SAFE_URI_INDEPENDENT.fullmatch(target.uri)
    assert target.uri.isascii()
    assert not _UNSAFE_IN_URI & set(target.uri)
    assert target.kind in ("number", "sip")
    assert target.original == text.strip()
    if target.extension is not None:
        assert target.extension.isascii() and target.extension.isdigit()
    return target


_PREFIXES = st.sampled_from(
    ["", "sip:", "sips:", "SIP:", "tel:", "tel:+", "callto:", "callto://", "+", "+1 ", "+44 ", "0"]
)
_NUMBERISH = st.text(alphabet="0123456789 +-.()/;=,xXext*#@:[]%abcdef", max_size=40)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_is_refused_or_safe(text: str) -> None:
    _check_outcome(text, plan())


@settings(max_examples=600, deadline=None)
@given(_PREFIXES, _NUMBERISH, st.sampled_from(["US", "DE", "CN", "GB", "IN"]))
def test_number_shaped_text_is_refused_or_safe(prefix: str, body: str, region: str) -> None:
    _check_outcome(prefix + body, plan(region))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcAZ09-_.!~*'()&=+$,%2F", min_size=1, max_size=20),
    st.sampled_from(["example.com", "192.0.2.1", "[2001:db8::1]", "EXAMPLE.com:5060", "x"]),
)
def test_sip_shaped_text_is_refused_or_safe(user: str, host: str) -> None:
    target = _check_outcome(f"sip:{user}@{host}", plan())
    if target is not None:
        assert target.kind == "sip"
        assert target.uri.endswith("@" + host.lower())


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(NUMBERS["US"]) - 1),
    st.sampled_from(
        ["\u202e", "\u200b", "\u200c", "\u200e", "\u200f", "\u2066", "\ufeff", "\r", "\n", "\x00"]
    ),
    st.data(),
)
def test_hidden_characters_anywhere_are_refused(
    index: int, hidden: str, data: st.DataObject
) -> None:
    text = NUMBERS["US"][index][0]
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    with pytest.raises(DialError) as raised:
        parse_target(text[:at] + hidden + text[at:], plan())
    assert raised.value.reason == "forbidden_character"


def test_final_check_refuses_what_slipped_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: if a bug let an unsafe user part through, the last check stops it."""
    import rolecall.phones.dialplan as dialplan

    monkeypatch.setattr(dialplan, "_canonical_user", lambda user: "a>b")
    with pytest.raises(DialError) as raised:
        parse_target("sip:alice@example.com", plan())
    assert raised.value.reason == "invalid_uri"
    assert not isinstance(raised.value, AssertionError)
