"""Idempotent POSTs: the first answer to an `Idempotency-Key` is stored and replayed.

The record is inserted in the same transaction as the work it answers. Two simultaneous
requests with one key cannot both commit: the unique constraint (api_key_id, key) stops the
second, whose work the edge rolls back before it replays the first one's answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.users.api_key import IdempotencyRecord
from web.api.errors import ApiError, ValidationFailed
from web.edge import RedoRequest
from web.extensions import db
from web.inputs import UnreadableJson

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"  # printable ASCII, no space at either end
REPLAYED_HEADER = "Idempotent-Replayed"


def fingerprint(body: Any) -> str:
    """sha256 of the canonical JSON: key order and spacing do not make another request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IdempotentRequest:
    api_key_id: int
    key: str
    body: Any
    request_hash: str

    @classmethod
    def from_request(cls, api_key_id: int) -> IdempotentRequest:
        """The header is required (422 without it); the body must be JSON (422 if not)."""
        key = request.headers.get(HEADER, "").strip()
        if not key:
            raise ValidationFailed(
                {HEADER: "Укажите заголовок: уникальная строка на каждую новую попытку"},
                "Нужен заголовок Idempotency-Key",
            )
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed({HEADER: f"Не длиннее {MAX_KEY_LENGTH} символов"})
        if not re.fullmatch(KEY_PATTERN, key):
            raise ValidationFailed({HEADER: "Только латинские буквы, цифры и знаки ASCII"})
        body = _json_body()
        if not isinstance(body, dict):
            raise ValidationFailed(
                {"body": "Ожидается JSON-объект"}, "Тело запроса должно быть JSON-объектом"
            )
        return cls(api_key_id, key, body, fingerprint(body))

    def replay(self) -> Response | None:
        """The stored answer to this key, or None; the key with another body → 422."""
        record = db.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == self.api_key_id, IdempotencyRecord.key == self.key
            )
        )
        if record is None:
            return None
        if record.request_hash != self.request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "Этот Idempotency-Key уже использован с другим телом запроса",
                {HEADER: "Для нового запроса нужен новый ключ"},
            )
        response = _json_response(record.body, record.status_code)
        response.headers[REPLAYED_HEADER] = "true"
        return response

    def answer(self, status: int, payload: dict) -> Response:
        """Store the answer with the pending work (the edge commits both); if another request
        with this key has stored its answer first, the edge undoes this one's work and runs the
        view again, which replays the winner's."""
        body = json.dumps(payload, ensure_ascii=False)
        db.session.add(
            IdempotencyRecord(
                api_key_id=self.api_key_id,
                key=self.key,
                request_hash=self.request_hash,
                status_code=status,
                body=body,
            )
        )
        try:
            db.session.flush()
        except IntegrityError as error:
            raise RedoRequest(f"{HEADER} {self.key} answered by another request") from error
        return _json_response(body, status)


def _json_body() -> Any:
    """The body as JSON whatever its Content-Type; None if it is not JSON. A body the app's
    JSON reader refuses (too deep, a NUL byte or a lone surrogate) → 422 naming the field."""
    try:
        return current_app.json.loads(request.get_data())
    except UnreadableJson as error:
        raise ValidationFailed({error.field: error.message}) from None
    except ValueError:
        return None


def _json_response(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="application/json")
