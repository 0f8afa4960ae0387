"""Russian identifiers with checksums: ИНН, СНИЛС, ОГРН(ИП); КПП by format."""

from __future__ import annotations

import re

from models.db.errors import DomainError


class InvalidIdentifier(DomainError):
    pass


def _digits(text: str | None) -> str:
    return re.sub(r"[\s\-]", "", text or "")


def _inn_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def normalise_inn(text: str | None, *, field: str = "inn") -> str | None:
    """10 digits (an organisation) or 12 (a person), with the check digits right."""
    value = _digits(text)
    if not value:
        return None
    if not value.isdigit() or len(value) not in (10, 12):
        raise InvalidIdentifier("ИНН — это 10 или 12 цифр", field=field)
    if len(value) == 10:
        ok = _inn_digit(value, (2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(value[9])
    else:
        first = _inn_digit(value, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        second = _inn_digit(value, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        ok = first == int(value[10]) and second == int(value[11])
    if not ok:
        raise InvalidIdentifier("ИНН не проходит проверку контрольной суммы", field=field)
    return value


def normalise_snils(text: str | None) -> str | None:
    """11 digits; stored as `123-456-789 01`."""
    value = _digits(text)
    if not value:
        return None
    if not value.isdigit() or len(value) != 11:
        raise InvalidIdentifier("СНИЛС — это 11 цифр", field="snils")
    number, check = value[:9], int(value[9:])
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    expected = total % 101
    if expected == 100:
        expected = 0
    # Numbers up to 001-001-998 were issued without a meaningful checksum.
    if int(number) > 1001998 and expected != check:
        raise InvalidIdentifier("СНИЛС не проходит проверку контрольной суммы", field="snils")
    return f"{value[0:3]}-{value[3:6]}-{value[6:9]} {value[9:]}"


def normalise_ogrn(text: str | None) -> str | None:
    """ОГРН (13 digits) or ОГРНИП (15 digits) with the check digit right."""
    value = _digits(text)
    if not value:
        return None
    if not value.isdigit() or len(value) not in (13, 15):
        raise InvalidIdentifier("ОГРН — это 13 цифр (ОГРНИП — 15)", field="ogrn")
    body, check = int(value[:-1]), int(value[-1])
    modulus = 11 if len(value) == 13 else 13
    if body % modulus % 10 != check:
        raise InvalidIdentifier("ОГРН не проходит проверку контрольной суммы", field="ogrn")
    return value


def normalise_kpp(text: str | None) -> str | None:
    value = _digits(text).upper()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}[\dA-Z]{2}\d{3}", value):
        raise InvalidIdentifier(
            "КПП — это 9 знаков: 4 цифры, 2 цифры или буквы, 3 цифры", field="kpp"
        )
    return value


def normalise_passport(series: str | None, number: str | None) -> tuple[str | None, str | None]:
    s, n = _digits(series), _digits(number)
    if not s and not n:
        return None, None
    if not re.fullmatch(r"\d{4}", s):
        raise InvalidIdentifier("Серия паспорта — 4 цифры", field="passport_series")
    if not re.fullmatch(r"\d{6}", n):
        raise InvalidIdentifier("Номер паспорта — 6 цифр", field="passport_number")
    return s, n
