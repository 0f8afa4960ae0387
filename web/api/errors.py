"""One error shape for the whole API: `{"error": code, "message": text, "fields": {...}}`.

API paths never answer HTML: business errors, validation errors, HTTP errors raised in an API
view and routing errors (unknown path, wrong method) under /api/ all come out as JSON.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from models.db.errors import DomainError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

# Codes of HTTP errors that the app answers with HTML pages; the blueprint answers them in JSON.
HTTP_CODES = {
    400: ("bad_request", "Запрос не удалось разобрать"),
    401: ("unauthorized", "Нужен действующий ключ API: Authorization: Bearer <ключ>"),
    403: ("forbidden", "Доступ запрещён"),
    404: ("not_found", "Не найдено"),
    405: ("method_not_allowed", "Метод не поддерживается для этого адреса"),
    413: ("payload_too_large", "Тело запроса слишком большое"),
    415: ("unsupported_media_type", "Тело запроса должно быть JSON"),
    500: ("internal_error", "Ошибка сервера; повторите запрос позже"),
    503: ("busy", "Сервер занят другими изменениями; повторите запрос через несколько секунд"),
}


class ApiError(Exception):
    """An answer the API gives instead of a result."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}

    def payload(self) -> dict:
        return {"error": self.code, "message": self.message, "fields": self.fields}

    def response(self):
        return error_response(self.status, self.code, self.message, self.fields)


class ValidationFailed(ApiError):
    def __init__(self, fields: dict[str, str], message: str = "Проверьте данные запроса"):
        super().__init__(422, "validation_error", message, fields)


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(ApiError(status, code, message, fields).payload())
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def from_domain_error(error: DomainError) -> ApiError:
    """A refused business rule → its API answer: the error's own code and status."""
    fields = {error.field: error.message} if error.field else {}
    return ApiError(error.status, error.code, error.message, fields)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(ApiError, lambda error: error.response())

    @bp.errorhandler(DomainError)
    def domain_error(error: DomainError):  # the edge has rolled the request's work back
        return from_domain_error(error).response()

    def http_error(error: HTTPException):
        code, message = HTTP_CODES.get(error.code or 500, ("http_error", error.description))
        response = error_response(error.code or 500, code, message)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if getattr(error, "retry_after", None):  # 503: the database is busy (web/edge.py)
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    # Registered by code: the app's own handlers are by code too and would win otherwise.
    for status in HTTP_CODES:
        if status != 500:
            bp.register_error_handler(status, http_error)
    bp.register_error_handler(HTTPException, http_error)

    @bp.errorhandler(500)
    def server_error(error):  # rolled back by the edge
        cause = getattr(error, "original_exception", None) or error
        log.error("API error on %s %s", request.method, request.path, exc_info=cause)
        return error_response(500, *HTTP_CODES[500])

    @bp.before_app_request
    def routing_error():
        """Unknown paths and wrong methods never reach a blueprint: answer them here."""
        failure = request.routing_exception
        if not request.path.startswith(API_PREFIX) or not isinstance(failure, HTTPException):
            return None
        if failure.code is None or failure.code < 400:  # a redirect (trailing slash)
            return None
        return http_error(failure)
