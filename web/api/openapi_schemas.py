"""Schemas of the OpenAPI document (web/api/openapi.py): the shapes the API answers in."""

from __future__ import annotations

from models.catalog.objects import PremiseKind, PremiseStatus
from models.db.bounds import INT_MAX
from models.sales.reservation import ReservationStatus
from web.api.payloads import EMAIL_MAX, NAME_MAX, PHONE_MAX, PHONE_PATTERN
from web.api.premises import PAGE_SIZE, PRICE_PATTERN

DECIMAL = {"type": "string", "pattern": r"^\d+\.\d{2}$", "examples": ["12500000.00"]}
# What the server accepts (web/api/premises.py, web/api/payloads.py), said the same way here.
PRICE = {"type": "string", "pattern": PRICE_PATTERN, "examples": ["12500000", "9800000.50"]}
ID = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
NON_BLANK = r"\S"
PREMISE_STATUSES = [status.value for status in PremiseStatus]
PREMISE_TYPES = [kind.value for kind in PremiseKind]
RESERVATION_STATUSES = [status.value for status in ReservationStatus]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_body(description: str) -> dict:
    return json_body(ref("Error"), description)


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "fields"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "string",
                "description": "Код ошибки",
                "examples": ["validation_error", "premise_unavailable", "client_limit_reached"],
            },
            "message": {"type": "string", "description": "Сообщение по-русски"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Ошибки по полям: `client.phone`, `premise_id`, …",
            },
        },
    },
    "Premise": {
        "type": "object",
        "required": [
            "id",
            "number",
            "building_id",
            "section",
            "floor",
            "type",
            "rooms",
            "area",
            "price",
            "price_per_m2",
            "status",
        ],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "description": "Номер помещения в корпусе"},
            "building_id": {"type": "integer"},
            "section": {"type": "integer", "description": "Номер секции (подъезда)"},
            "floor": {"type": "integer"},
            "type": {"type": "string", "enum": PREMISE_TYPES},
            "rooms": {"type": "integer", "minimum": 0},
            "area": {**DECIMAL, "description": "Общая площадь, м²"},
            "price": {**DECIMAL, "description": "Цена, ₽"},
            "price_per_m2": {**DECIMAL, "description": "Цена за м², ₽"},
            "status": {"type": "string", "enum": PREMISE_STATUSES},
        },
    },
    "PremisePage": {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": ref("Premise"), "maxItems": PAGE_SIZE},
            "total": {"type": "integer", "description": "Сколько всего под фильтром"},
        },
    },
    "ReservationRequest": {
        "type": "object",
        "examples": [
            {
                "premise_id": 1,
                "client": {
                    "full_name": "Петрова Анна Сергеевна",
                    "phone": "8 (999) 123-45-67",
                    "email": "anna@example.ru",
                },
                "consent_personal_data": True,
            }
        ],
        "required": ["premise_id", "client", "consent_personal_data"],
        "additionalProperties": False,
        "properties": {
            "premise_id": ID,
            "client": {
                "type": "object",
                "required": ["full_name", "phone"],
                "additionalProperties": False,
                "properties": {
                    "full_name": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": NAME_MAX,
                        "pattern": NON_BLANK,
                    },
                    "phone": {
                        "type": "string",
                        "pattern": PHONE_PATTERN,
                        "maxLength": PHONE_MAX,
                        "description": "Российский номер в любой записи: `8 (999) 123-45-67`, "
                        "`+79991234567`. Клиент с таким телефоном уже есть — бронь на него",
                    },
                    "email": {
                        "type": ["string", "null"],
                        "format": "email",
                        "maxLength": EMAIL_MAX,
                    },
                },
            },
            "consent_personal_data": {
                "const": True,
                "description": "Согласие на обработку персональных данных (152-ФЗ)",
            },
        },
    },
    "Reservation": {
        "type": "object",
        "required": ["id", "status", "premise_id", "client_id", "expires_at"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": RESERVATION_STATUSES},
            "premise_id": {"type": "integer"},
            "client_id": {"type": "integer"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
}
