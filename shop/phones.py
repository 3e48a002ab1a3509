"""Phone numbers in one form (E.164, e.g. +4915112345678).

Customers are linked to Telegram by the phone number they share with the contact
button (ARCHITECTURE.md §2), so the number in the store and the number Telegram sends
must be written the same way. Everything that stores or looks up a phone goes through
`normalise`.
"""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    """The text is not a valid phone number; the message says why, for the owner to fix."""


def normalise(raw: str, *, region: str | None = None) -> str:
    """Return `raw` in E.164 form.

    `region` (ISO country code such as "DE") is the country assumed for numbers written
    without a country code ("0151 1234 5678"); without it, such numbers are refused
    rather than guessed.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhone(
                "no country code: write it as +<country code><number>, or set the default "
                "region (--phone-region DE, or PHONE_REGION=DE in .env)"
            ) from None
        raise InvalidPhone("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number (wrong length or unknown prefix)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_contact(raw: str) -> str | None:
    """E.164 form of the number in a Telegram shared contact, or None if it is not valid.

    Telegram sends the full international number, often without the leading "+".
    """
    digits = raw.strip()
    try:
        return normalise(digits if digits.startswith("+") else f"+{digits}")
    except InvalidPhone:
        return None
