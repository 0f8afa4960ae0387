"""The body of `POST /api/v1/reservations`, checked field by field before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from models.clients.client import InvalidClientData, normalise_email, normalise_phone
from models.db.bounds import is_db_id
from web.api.errors import ValidationFailed

TOP_FIELDS = ("premise_id", "client", "consent_personal_data")
CLIENT_FIELDS = ("full_name", "phone", "email")
REQUIRED = "Обязательное поле"
# What the OpenAPI document says of the fields (web/api/openapi_schemas.py) is what is checked
# here: the schema and the server agree on every value.
NAME_MAX = 300
PHONE_MAX = 30
PHONE_PATTERN = rf"^\+?[0-9 ()\-]{{5,{PHONE_MAX}}}$"
EMAIL_MAX = 254


@dataclass(frozen=True)
class ReservationRequest:
    premise_id: int
    full_name: str
    phone: str  # E.164
    email: str | None


def parse_reservation_request(body: dict[str, Any]) -> ReservationRequest:
    """Every problem at once, as `fields` of one 422; unknown keys are refused too."""
    errors: dict[str, str] = {}
    _refuse_unknown(body, TOP_FIELDS, "", errors)
    premise_id = body.get("premise_id")
    if premise_id is None:
        errors["premise_id"] = REQUIRED
    elif not is_db_id(premise_id):
        errors["premise_id"] = "Ожидается целое положительное число"
    if body.get("consent_personal_data") is not True:
        errors["consent_personal_data"] = "Нужно согласие на обработку персональных данных: true"
    client = body.get("client")
    if not isinstance(client, dict):
        errors["client"] = REQUIRED if client is None else "Ожидается объект"
        raise ValidationFailed(errors)
    _refuse_unknown(client, CLIENT_FIELDS, "client.", errors)
    full_name = _text(client, "full_name", errors, required=True, max_length=NAME_MAX)
    phone = _text(client, "phone", errors, required=True, max_length=PHONE_MAX)
    if phone is not None and not re.fullmatch(PHONE_PATTERN, phone):
        errors["client.phone"] = "Телефон: цифры, пробелы, скобки, дефисы и + в начале"
        phone = None
    phone = _normalised(normalise_phone, phone, errors)
    email = _normalised(normalise_email, _text(client, "email", errors, False, EMAIL_MAX), errors)
    if errors:
        raise ValidationFailed(errors)
    return ReservationRequest(premise_id, full_name, phone, email)


def _refuse_unknown(data: dict, known: tuple[str, ...], prefix: str, errors: dict) -> None:
    for name in data:
        if name not in known:
            errors[prefix + str(name)] = "Неизвестное поле"


def _text(data: dict, name: str, errors: dict, required: bool, max_length: int) -> str | None:
    """A string field: absent or null is left out when optional; an empty or blank string is
    refused (the schema says `minLength: 1` and a non-blank pattern)."""
    value = data.get(name)
    if value is None:
        if required:
            errors[f"client.{name}"] = REQUIRED
        return None
    if not isinstance(value, str):
        errors[f"client.{name}"] = "Ожидается строка"
        return None
    if not value.strip():
        errors[f"client.{name}"] = REQUIRED if required else "Пустая строка: уберите поле или null"
        return None
    if len(value) > max_length:
        errors[f"client.{name}"] = f"Не длиннее {max_length} символов"
        return None
    return value.strip()


def _normalised(normalise, text: str | None, errors: dict) -> str | None:
    if text is None:
        return None
    try:
        return normalise(text)
    except InvalidClientData as error:
        errors[f"client.{error.field}"] = error.message
        return None
