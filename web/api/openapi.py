"""The OpenAPI 3.1 document of API v1, written by hand; public at /api/v1/openapi.json."""

from __future__ import annotations

from web.api import bp
from web.api.errors import HTTP_CODES
from web.api.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, REPLAYED_HEADER
from web.api.openapi_schemas import (
    ID,
    PREMISE_STATUSES,
    PREMISE_TYPES,
    PRICE,
    SCHEMAS,
    error_body,
    json_body,
    ref,
)
from web.api.premises import PAGE_SIZE
from web.security import public


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path_id(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": ID,
        "description": description,
    }


BOOK_LINK = {
    "operationId": "createReservation",
    "requestBody": {
        "premise_id": "$response.body#/id",
        "client": {"full_name": "Петрова Анна Сергеевна", "phone": "+79991234567"},
        "consent_personal_data": True,
    },
}


def _reservation_link(operation_id: str) -> dict:
    return {"operationId": operation_id, "parameters": {"reservation_id": "$response.body#/id"}}


def _many(values: list[str]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": values}}


UNAUTHORIZED = error_body("Нет ключа API, ключ неизвестен или отозван (`unauthorized`)")
INVALID = error_body("Неверные данные запроса (`validation_error`), поля — в `fields`")

PATHS = {
    "/premises": {
        "get": {
            "operationId": "listPremises",
            "summary": f"Помещения с фильтром, по {PAGE_SIZE} на страницу",
            "parameters": [
                _query("building_id", ID, "Корпус"),
                _query("status", _many(PREMISE_STATUSES), "Статус; можно повторять"),
                _query("type", _many(PREMISE_TYPES), "Тип помещения; можно повторять"),
                _query(
                    "rooms",
                    _many(["0", "1", "2", "3", "4"]),
                    "Комнат: 0 — студия, 4 — четыре и больше; можно повторять",
                ),
                _query("price_min", PRICE, "Цена от, ₽"),
                _query("price_max", PRICE, "Цена до, ₽"),
                _query("page", {**ID, "default": 1}, "Страница"),
            ],
            "responses": {
                "200": {
                    **json_body(ref("PremisePage"), "Страница помещений"),
                    "links": {
                        "GetFirstPremise": {
                            "operationId": "getPremise",
                            "parameters": {"premise_id": "$response.body#/items/0/id"},
                        }
                    },
                },
                "401": UNAUTHORIZED,
                "422": error_body("Неверный или неизвестный параметр (`validation_error`)"),
            },
        }
    },
    "/premises/{premise_id}": {
        "get": {
            "operationId": "getPremise",
            "summary": "Одно помещение",
            "parameters": [_path_id("premise_id", "Помещение")],
            "responses": {
                "200": {
                    **json_body(ref("Premise"), "Помещение"),
                    "links": {"BookThisPremise": BOOK_LINK},
                },
                "401": UNAUTHORIZED,
                "404": error_body("Помещения нет (`not_found`)"),
            },
        }
    },
    "/reservations": {
        "post": {
            "operationId": "createReservation",
            "summary": "Забронировать помещение онлайн (без очереди)",
            "description": "Повтор с тем же `Idempotency-Key` и тем же телом возвращает первый "
            "ответ (201, 404 или 409) и ничего не создаёт; с другим телом — 422 "
            "`idempotency_key_reused`. Ответы 422 на неверные данные не запоминаются.",
            "parameters": [
                {
                    "name": HEADER,
                    "in": "header",
                    "required": True,
                    "schema": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_KEY_LENGTH,
                        "pattern": KEY_PATTERN,
                    },
                    "description": "Уникальная строка на каждую новую попытку брони; без "
                    "заголовка — 422 `validation_error`",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("ReservationRequest")}},
            },
            "responses": {
                "201": {
                    **json_body(ref("Reservation"), "Бронь поставлена"),
                    "headers": {
                        REPLAYED_HEADER: {
                            "description": "`true`, если это повтор сохранённого ответа",
                            "schema": {"type": "string"},
                        }
                    },
                    "links": {
                        "GetReservation": _reservation_link("getReservation"),
                        "CancelReservation": _reservation_link("cancelReservation"),
                    },
                },
                "401": UNAUTHORIZED,
                "404": error_body("Помещения нет (`not_found`)"),
                "409": error_body(
                    "Помещение не свободно (`premise_unavailable`) или у клиента предельное "
                    "число активных броней (`client_limit_reached`)"
                ),
                "422": INVALID,
            },
        }
    },
    "/reservations/{reservation_id}": {
        "get": {
            "operationId": "getReservation",
            "summary": "Состояние брони, поставленной этим ключом",
            "parameters": [_path_id("reservation_id", "Бронь")],
            "responses": {
                "200": {
                    **json_body(ref("Reservation"), "Бронь"),
                    "links": {"CancelReservation": _reservation_link("cancelReservation")},
                },
                "401": UNAUTHORIZED,
                "404": error_body("Брони нет или она поставлена другим ключом (`not_found`)"),
            },
        },
        "delete": {
            "operationId": "cancelReservation",
            "summary": "Снять бронь, поставленную этим ключом",
            "parameters": [_path_id("reservation_id", "Бронь")],
            "responses": {
                "200": json_body(ref("Reservation"), "Бронь снята: `status` = `cancelled`"),
                "401": UNAUTHORIZED,
                "404": error_body("Брони нет или она поставлена другим ключом (`not_found`)"),
                "409": error_body("Бронь уже не действует (`not_active`)"),
            },
        },
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "Этот документ",
            "security": [],
            "responses": {"200": json_body({"type": "object"}, "Документ OpenAPI 3.1")},
        }
    },
}

BAD_REQUEST = error_body(
    "Запрос не удалось разобрать (`bad_request`): например, служебный символ в адресе"
)
for _operations in PATHS.values():
    for _operation in _operations.values():
        _operation["responses"].setdefault("400", BAD_REQUEST)

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "API продаж для интернет-магазина",
        "version": "1.0.0",
        "description": "Каталог помещений и онлайн-бронирование. Ключ выдаёт администратор: "
        "`flask --app web api-keys create ИМЯ`. Ошибки всегда в виде `Error`; "
        f"коды HTTP-ошибок: {', '.join(code for code, _ in HTTP_CODES.values())}.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "Authorization: Bearer <ключ API>",
            }
        },
    },
}


@bp.get("/openapi.json")
@public
def openapi_document():
    return DOCUMENT
