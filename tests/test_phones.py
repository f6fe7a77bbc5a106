"""The phone rule: each strictness accepts what it says, and the helpers agree with it."""

from __future__ import annotations

import pytest

from rolecall import phones


def test_possible_accepts_an_unassigned_range_that_valid_refuses() -> None:
    # 200 is no US area code, but ten digits fit the North American plan
    assert phones.to_e164("+1 200 555 0123", None, strictness="possible") == "+12005550123"
    assert phones.to_e164("+1 200 555 0123", None, strictness="valid") is None


def test_national_forms_need_a_region() -> None:
    assert phones.to_e164("(415) 555-0132", "US", strictness="valid") == "+14155550132"
    assert phones.to_e164("(415) 555-0132", None, strictness="possible") is None
    assert phones.to_e164("0711 1234560", "DE", strictness="valid") == "+497111234560"


@pytest.mark.parametrize("strictness", ["possible", "valid"])
def test_text_that_is_no_number_gives_none(strictness: phones.Strictness) -> None:
    for text in ("", "sip:anna@pbx.example", "12", "+1 415 555 0132 0132 0132"):
        assert phones.to_e164(text, "US", strictness=strictness) is None, text


def test_parse_says_why_and_gives_the_display_form() -> None:
    with pytest.raises(phones.NotANumber) as unparsable:
        phones.parse("no digits", "US", strictness="valid")
    assert unparsable.value.reason == "unparsable"
    with pytest.raises(phones.NotANumber) as invalid:
        phones.parse("+1 200 555 0123", None, strictness="valid")
    assert invalid.value.reason == "invalid"
    number = phones.parse("030 12345678", "DE", strictness="valid")
    assert (number.e164, number.display, number.region) == (
        "+493012345678",
        "+49 30 12345678",
        "DE",
    )


def test_search_forms_of_a_number() -> None:
    assert phones.variants("+14155550132") == [
        "+14155550132",
        "+1 415-555-0132",
        "(415) 555-0132",
    ]
    assert phones.national_digits("+442079460958") == "2079460958"
    assert phones.region_of("+442079460958") == "GB"
    assert phones.region_of("+80012345678") is None  # non-geographic
    assert phones.is_e164("+14155550132") and not phones.is_e164("14155550132")


def test_the_number_in_a_sip_uri() -> None:
    assert phones.e164_of_uri("<sip:+14155550132@pbx.example>") == "+14155550132"
    assert phones.e164_of_uri("sips:+442079460958@pbx.example;transport=tls") == "+442079460958"
    assert phones.e164_of_uri("sip:alice@pbx.example") is None
    assert phones.e164_of_uri("sip:4155550132@pbx.example") is None
