"""Phone numbers are stored and matched in E.164."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.phones import InvalidPhone, normalise, normalise_contact


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("+49 151 1234 5678", None, "+4915112345678"),
    ("+49 (0)151 12345678", None, "+4915112345678"),
    ("0151 1234 5678", "DE", "+4915112345678"),
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("+1 202-555-0143", "DE", "+12025550143"),  # an international number ignores the region
])
def test_normalise(raw, region, expected):
    assert normalise(raw, region=region) == expected


def test_national_numbers_need_a_region():
    with pytest.raises(InvalidPhone, match="no country code"):
        normalise("0151 1234 5678")


@pytest.mark.parametrize("raw", ["+49 12", "call me", "+49 151 1234 5678 999"])
def test_invalid(raw):
    with pytest.raises(InvalidPhone):
        normalise(raw)


def test_telegram_contact_numbers_come_without_plus():
    assert normalise_contact("4915112345678") == "+4915112345678"
    assert normalise_contact("+4915112345678") == "+4915112345678"
    assert normalise_contact("12") is None


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from([" ", "-", ""]))
def test_normalising_is_idempotent_whatever_the_spacing(number, separator):
    digits = f"{number:08d}"
    raw = f"+49{separator}152{separator}{digits[:4]}{separator}{digits[4:]}"
    once = normalise(raw)
    assert once == f"+49152{digits}" and normalise(once) == once
