"""Declarative base and small column helpers shared by every entity."""

from __future__ import annotations

import enum
from datetime import UTC
from decimal import Decimal

from sqlalchemy import DateTime, Enum, MetaData, Numeric, TypeDecorator, inspect
from sqlalchemy.orm import DeclarativeBase, object_session

from models.db import history_rows
from models.db.clock import utcnow as utcnow  # the name every caller imports

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(cls: type[enum.Enum], length: int = 32) -> Enum:
    """An enum stored as its value in a VARCHAR (no database enum type); an unknown value
    assigned in Python is refused before it reaches the database."""
    return Enum(cls, native_enum=False, length=length, validate_strings=True)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always returned timezone-aware.

    SQLite drops the offset; PostgreSQL keeps it. Both come back aware here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator):
    """Roubles with kopecks, as Decimal; never float."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))


class Area(TypeDecorator):
    """Square metres with two decimals."""

    impl = Numeric(8, 2)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))


def append_unloaded(owner, collection: str, item) -> None:
    """Append `item` to `owner.<collection>` (a one-to-many history) without loading it.

    A collection already loaded receives it like any append. Otherwise the whole history is not
    read just to add one line: the item gets the owner's key and is written in bulk with the
    other history rows (models/history_rows.py). An owner not written yet is set on the item
    instead, and the flush writes the two in order.
    """
    session = object_session(owner)
    owner_state = inspect(owner)
    if session is None or collection in owner_state.dict:
        getattr(owner, collection).append(item)
        return
    relationship = owner_state.mapper.relationships[collection]
    if owner_state.identity is None:
        setattr(item, relationship.back_populates, owner)
        session.add(item)
        return
    item_mapper = inspect(type(item))
    for local, remote in relationship.local_remote_pairs:
        value = getattr(owner, owner_state.mapper.get_property_by_column(local).key)
        setattr(item, item_mapper.get_property_by_column(remote).key, value)
    history_rows.add(session, item)
