"""Contacts as people type them, normalised: phones to E.164, emails to lower case."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from models.db.errors import DomainError


class InvalidClientData(DomainError):
    pass


def normalise_phone(text: str | None) -> str:
    """Any way a Russian user types a phone → E.164 (`+79991234567`); InvalidClientData if not."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidClientData("Укажите телефон", field="phone")
    if raw.startswith("8") and len("".join(ch for ch in raw if ch.isdigit())) == 11:
        raw = "+7" + "".join(ch for ch in raw if ch.isdigit())[1:]
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        raise InvalidClientData(f"Телефон «{text}» не распознан", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidClientData(f"Телефон «{text}» не существует", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str | None) -> str | None:
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidClientData(f"Адрес эл. почты «{text}» указан неверно", field="email") from None


def format_phone(e164: str) -> str:
    """+79991234567 → +7 999 123-45-67."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
