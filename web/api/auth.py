"""API keys: clients send `Authorization: Bearer <key>`; only the key's hash is stored."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import select, update

from models.db.base import utcnow
from models.users.api_key import ApiKey, hash_key
from web import edge
from web.api.errors import ApiError
from web.extensions import db

# last_used_at is bookkeeping: written at most once a minute per key, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def api_key_required(view):
    """Guard of every API view but the OpenAPI document: no staff role, a valid key instead."""

    @wraps(view)
    def guarded(*args, **kwargs):
        g.api_key_id = authenticate()
        return view(*args, **kwargs)

    guarded.allowed_roles = None  # not a staff page: the key is checked above
    return guarded


def current_key_id() -> int:
    return g.api_key_id


def authenticate() -> int:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise ApiError(
            401, "unauthorized", "Нужен ключ API: заголовок Authorization: Bearer <ключ>"
        )
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    if key is None or not key.is_active:
        raise ApiError(401, "unauthorized", "Ключ API недействителен или отозван")
    key_id = key.id
    _touch(key_id, key.last_used_at)
    return key_id


def _touch(key_id: int, last_used_at) -> None:
    """Its own tiny transaction, before the request's work, so a refused request keeps it."""
    now = utcnow()
    if last_used_at is not None and now - last_used_at < TOUCH_EVERY:
        return
    db.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    edge.keep_before_work()
