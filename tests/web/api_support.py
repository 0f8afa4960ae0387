"""Helpers of the API tests (tests/web/test_api*.py): keys, request bodies, row counts."""

from __future__ import annotations

from sqlalchemy import func, select

from models.clients.client import Client, ClientPhone, Consent
from models.process.instance import ProcessInstance
from models.sales.queue import QueueEntry
from models.sales.reservation import Reservation
from models.users.api_key import IdempotencyRecord
from tests.factories import users
from web.extensions import db

RESERVATIONS = "/api/v1/reservations"


def issue_key(name: str = "shop") -> tuple[int, str]:
    """A key (its id, the raw key the online store sends), committed: the requests that follow
    are transactions of their own on the session they share with the test."""
    key, raw = users.api_key(db.session, name)
    db.session.commit()
    return key.id, raw


def bearer(raw: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {raw}"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers


def order(premise_id: int, phone: str = "+79991234567", **client) -> dict:
    return {
        "premise_id": premise_id,
        "client": {
            "full_name": client.pop("full_name", "Петрова Анна Сергеевна"),
            "phone": phone,
            "email": client.pop("email", "anna@example.ru"),
            **client,
        },
        "consent_personal_data": True,
    }


def post_reservation(http, raw: str, body, idempotency_key: str = "attempt-1"):
    return http.post(RESERVATIONS, json=body, headers=bearer(raw, idempotency_key))


def counts() -> dict[str, int]:
    """Every row an online reservation could write."""
    db.session.expire_all()
    models = (Client, ClientPhone, Consent, Reservation, ProcessInstance, QueueEntry)
    found = {model.__tablename__: _count(model) for model in models}
    found["idempotency_record"] = _count(IdempotencyRecord)
    return found


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
