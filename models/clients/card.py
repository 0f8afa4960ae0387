"""What a client card holds and how each field is checked (every problem at once, in Russian).

`clean_card` is the one gate for card data, whoever brings it: the create and edit pages, an
online request, a reservation, a later document (`engine.clients.update_from_source`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from models.clients.client import ClientKind
from models.clients.contacts import InvalidClientData, normalise_email, normalise_phone
from models.clients.identifiers import (
    normalise_inn,
    normalise_kpp,
    normalise_ogrn,
    normalise_passport,
    normalise_snils,
)
from models.db.bounds import DATE_MESSAGE, date_in_range
from models.db.errors import DomainError

PERSON_FIELDS = (
    "birth_date",
    "passport_series",
    "passport_number",
    "passport_issued_by",
    "passport_issued_on",
    "registration_address",
    "snils",
)
COMPANY_FIELDS = ("kpp", "ogrn", "representative")
SCALAR_FIELDS = ("full_name", "inn", *PERSON_FIELDS, *COMPANY_FIELDS)


def fields_shared_by(kind, other_kind) -> tuple[str, ...]:
    """The card fields one card may take from another in a merge: all of them between cards of
    one kind; none between a person and a company (a person's name, passport, birth date or
    12-digit ИНН is not a company's, nor a company's КПП a person's). The merged card keeps its
    own values, and the kept card's change log names it."""
    return SCALAR_FIELDS if kind == other_kind else ()


DATE_FIELDS = ("birth_date", "passport_issued_on")
TEXT_LIMITS = {
    "full_name": 300,
    "passport_issued_by": 300,
    "registration_address": 500,
    "representative": 300,
}

FIELD_LABELS = {
    "full_name": "ФИО / наименование",
    "birth_date": "Дата рождения",
    "passport_series": "Серия паспорта",
    "passport_number": "Номер паспорта",
    "passport": "Паспорт (серия и номер)",
    "passport_issued_by": "Паспорт выдан",
    "passport_issued_on": "Дата выдачи паспорта",
    "registration_address": "Адрес регистрации",
    "inn": "ИНН",
    "snils": "СНИЛС",
    "kpp": "КПП",
    "ogrn": "ОГРН",
    "representative": "Представитель",
    "phone": "Телефон",
    "email": "Эл. почта",
    "manager_id": "Ответственный менеджер",
    "kind": "Тип клиента",
    "consent": "Согласие",
    "confirmed": "Подтверждено документом",
    "merged": "Объединение карточек",
}

# What a manager can mark as confirmed by a document; a group covers several columns.
CONFIRMABLE = {
    "full_name": ("full_name",),
    "birth_date": ("birth_date",),
    "passport": ("passport_series", "passport_number", "passport_issued_by", "passport_issued_on"),
    "registration_address": ("registration_address",),
    "inn": ("inn",),
    "snils": ("snils",),
    "kpp": ("kpp",),
    "ogrn": ("ogrn",),
    "representative": ("representative",),
}
# The field labels, but the passport as one whole.
CONFIRMABLE_LABELS = {group: FIELD_LABELS[group] for group in CONFIRMABLE} | {"passport": "Паспорт"}


class InvalidCardData(InvalidClientData):
    """Several fields are wrong; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def confirmed_columns(groups: Iterable[str]) -> list[str]:
    return [column for group in groups for column in CONFIRMABLE.get(group, ())]


def confirmed_groups(columns: Iterable[str]) -> list[str]:
    present = set(columns or ())
    return [group for group, cols in CONFIRMABLE.items() if present & set(cols)]


def parse_date(value: Any, field: str) -> date | None:
    """A date, `дд.мм.гггг` or ISO `гггг-мм-дд`; None when empty."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidClientData("Дата в виде дд.мм.гггг, например 05.03.1985", field=field)


def clean_card(data: Mapping[str, Any], *, kind: ClientKind, today: date) -> dict[str, Any]:
    """Normalised values of the fields present in `data`; InvalidCardData lists every problem.

    `phones` and `emails` are lists (a single `phone` / `email` is accepted too); empty values
    come back as None (a list: without the empty items).
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def attempt(field: str, check) -> None:
        try:
            clean[field] = check()
        except DomainError as error:
            errors.setdefault(field, error.message)

    for field in ("full_name", "passport_issued_by", "registration_address", "representative"):
        if field in data:
            attempt(field, lambda f=field: _text(data[f], f))
    for field in DATE_FIELDS:
        if field in data:
            attempt(field, lambda f=field: parse_date(data[f], f))
    if "inn" in data:
        attempt("inn", lambda: _inn(data["inn"], kind))
    for field, check in (("snils", normalise_snils), ("kpp", normalise_kpp)):
        if field in data:
            attempt(field, lambda f=field, c=check: c(data[f]))
    if "ogrn" in data:
        attempt("ogrn", lambda: normalise_ogrn(data["ogrn"]))
    if "passport_series" in data or "passport_number" in data:
        _passport(data, clean, errors)
    _contacts(data, clean, errors)
    _dates_make_sense(clean, errors, today)
    if errors:
        raise InvalidCardData(errors)
    return clean


def _text(value: Any, field: str) -> str | None:
    text = " ".join(str(value or "").split())
    if len(text) > TEXT_LIMITS[field]:
        raise InvalidClientData(f"Не длиннее {TEXT_LIMITS[field]} символов", field=field)
    return text or None


def _inn(value: Any, kind: ClientKind) -> str | None:
    inn = normalise_inn(None if value is None else str(value))
    if inn and kind == ClientKind.person and len(inn) != 12:
        raise InvalidClientData("ИНН физического лица — 12 цифр", field="inn")
    if inn and kind == ClientKind.company and len(inn) != 10:
        raise InvalidClientData("ИНН организации — 10 цифр", field="inn")
    return inn


def _passport(data: Mapping[str, Any], clean: dict, errors: dict) -> None:
    try:
        series, number = normalise_passport(
            str(data.get("passport_series") or ""), str(data.get("passport_number") or "")
        )
    except DomainError as error:
        errors.setdefault(error.field or "passport_number", error.message)
        return
    clean["passport_series"], clean["passport_number"] = series, number


def _contacts(data: Mapping[str, Any], clean: dict, errors: dict) -> None:
    for plural, single, normalise in (
        ("phones", "phone", normalise_phone),
        ("emails", "email", normalise_email),
    ):
        if plural not in data and single not in data:
            continue
        raw = data.get(plural, data.get(single))
        items = [raw] if isinstance(raw, str) or raw is None else list(raw)
        found: list[str] = []
        for item in items:
            if not str(item or "").strip():
                continue
            try:
                value = normalise(str(item))
            except DomainError as error:
                errors.setdefault(plural, error.message)
                continue
            if value not in found:
                found.append(value)
        clean[plural] = found


def _dates_make_sense(clean: dict, errors: dict, today: date) -> None:
    born, issued = clean.get("birth_date"), clean.get("passport_issued_on")
    if born and born > today:
        errors.setdefault("birth_date", "Дата рождения не может быть в будущем")
    elif born and born.year < 1900:
        errors.setdefault("birth_date", "Проверьте год рождения")
    if issued and issued > today:
        errors.setdefault("passport_issued_on", "Дата выдачи не может быть в будущем")
    elif issued and born and issued < born:
        errors.setdefault("passport_issued_on", "Паспорт не может быть выдан до рождения")
    for field in DATE_FIELDS:  # what no rule above names: the year 1, the year 9999
        if clean.get(field) and not date_in_range(clean[field]):
            errors.setdefault(field, DATE_MESSAGE)
