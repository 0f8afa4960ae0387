"""Client cards: finding one before creating one (phone, then email), creating, and keeping
the card up to date from the sources that bring newer data. Everything here only flushes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from engine.clients.merge import MergeRefused, merge  # noqa: F401 - part of this service
from models.clients.card import SCALAR_FIELDS, clean_card
from models.clients.client import (
    Client,
    ClientChange,
    ClientEmail,
    ClientKind,
    ClientPhone,
    ConsentKind,
    InvalidClientData,
    change_text,
    normalise_email,
    normalise_phone,
)
from models.db import txcache
from models.db.base import utcnow

CONSENT_TEXT_VERSION = "2025-09-01"
MARKETING_TEXT_VERSION = "2025-09-01"
# Columns compared as one value: another passport is one conflict, not two.
PAIRS = {"passport": ("passport_series", "passport_number")}


@dataclass
class CardUpdate:
    """What one source did to a card."""

    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def find_by_phone(session: Session, phone: str) -> Client | None:
    return session.scalars(
        select(Client)
        .join(ClientPhone)
        .where(ClientPhone.phone == phone, Client.merged_into_id.is_(None))
        .order_by(Client.id)
    ).first()


def find_by_email(session: Session, email: str) -> Client | None:
    return session.scalars(
        select(Client)
        .join(ClientEmail)
        .where(ClientEmail.email == email, Client.merged_into_id.is_(None))
        .order_by(Client.id)
    ).first()


def possible_duplicates(
    session: Session, phones: Iterable[str], emails: Iterable[str], exclude_id: int | None = None
) -> list[Client]:
    """Live cards sharing a normalised phone or email with the given ones."""
    phones, emails = list(phones), list(emails)
    if not phones and not emails:
        return []
    query = select(Client).where(
        Client.merged_into_id.is_(None),
        or_(
            Client.id.in_(select(ClientPhone.client_id).where(ClientPhone.phone.in_(phones))),
            Client.id.in_(select(ClientEmail.client_id).where(ClientEmail.email.in_(emails))),
        ),
    )
    if exclude_id is not None:
        query = query.where(Client.id != exclude_id)
    return list(session.scalars(query.order_by(Client.id)).all())


def _serialise_on_phone(session: Session, phone: str) -> None:
    """Two first requests of one new buyer at once must make one card, not two: on PostgreSQL
    they queue on a transaction-scoped advisory lock keyed by the phone. (SQLite runs one
    writer at a time anyway.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"client-phone:{phone}"}
        )


def find_or_create(
    session: Session,
    *,
    full_name: str,
    phone: str,
    email: str | None,
    consent: bool,
    channel: str,
    taken_by_id: int | None,
) -> Client:
    """The client with this phone (or email), updated with what the request brings, or a new
    one; consent to personal data is recorded. `channel` is the source: online / office."""
    normalised = normalise_phone(phone)
    email = normalise_email(email)
    _serialise_on_phone(session, normalised)
    client = find_by_phone(session, normalised) or (email and find_by_email(session, email))
    if client:
        data = {"full_name": full_name, "phones": [normalised], "emails": [email]}
        update_from_source(session, client, data, channel, user_id=taken_by_id)
    else:
        name = (full_name or "").strip()
        if not name:
            raise InvalidClientData("Укажите ФИО клиента", field="full_name")
        if len(name) > 300:
            raise InvalidClientData("ФИО длиннее 300 символов", field="full_name")
        client = Client(full_name=name, manager_id=taken_by_id)
        client.add_phone(normalised)
        if email:
            client.add_email(email)
        session.add(client)
    if consent:
        client.give_consent(
            ConsentKind.personal_data,
            channel=channel,
            text_version=CONSENT_TEXT_VERSION,
            taken_by_id=taken_by_id,
        )
    if not client.has_consent(ConsentKind.personal_data):
        raise InvalidClientData(
            "Нужно согласие клиента на обработку персональных данных (152-ФЗ)", field="consent"
        )
    new = client in session.new
    session.flush()
    if new:  # the reservation's limit check locks the client: a new card needs no lock
        txcache.hold(session, client, client.id, key_share=True)
    return client


def create(
    session: Session,
    data: Mapping[str, Any],
    *,
    kind: ClientKind,
    manager_id: int | None,
    user_id: int | None,
    now: datetime | None = None,
) -> Client:
    """A new card from checked data (`clean_card`), with the lead source as its first touch."""
    now = now or utcnow()
    client = Client(kind=kind, manager_id=manager_id, created_at=now)
    for name in SCALAR_FIELDS:
        setattr(client, name, data.get(name))
    for phone in data.get("phones", []):
        client.add_phone(phone)
    for email in data.get("emails", []):
        client.add_email(email)
    if data.get("lead_channel"):
        client.touch(data["lead_channel"], data.get("lead_campaign"), now)
    client.changes.append(
        ClientChange(field="created", new_value=client.full_name, source="manual", user_id=user_id)
    )
    session.add(client)
    session.flush()
    return client


def update_from_source(
    session: Session,
    client: Client,
    data: Mapping[str, Any],
    source: str,
    user_id: int | None = None,
    *,
    now: datetime | None = None,
) -> CardUpdate:
    """Newer data from a reservation, an online request or a document, applied by the rules:

    new phones and emails are added (none removed), empty fields filled, changed fields updated
    — unless confirmed by a document: then the new value waits as an open conflict. Every change
    is a ClientChange row. `lead_channel` / `lead_campaign` record a touch (the first one stays).
    Bad data raises InvalidCardData before anything changes.
    """
    now = now or utcnow()
    clean = clean_card(data, kind=client.kind, today=now.date())
    result = CardUpdate()
    done = set()
    for pair, columns in PAIRS.items():
        done.update(columns)
        new = tuple(clean.get(c) for c in columns)
        if None not in new:
            _apply(client, pair, columns, new, source, user_id, now, result)
    for name in SCALAR_FIELDS:
        if name not in done and clean.get(name) not in (None, ""):
            _apply(client, name, (name,), (clean[name],), source, user_id, now, result)
    _add_contacts(client, clean, source, user_id, now, result)
    if data.get("lead_channel"):
        client.touch(str(data["lead_channel"])[:100], data.get("lead_campaign"), now)
    session.flush()
    return result


def _apply(client, name, columns, new, source, user_id, now, result: CardUpdate) -> None:
    old = tuple(getattr(client, c) for c in columns)
    if [change_text(v) for v in old] == [change_text(v) for v in new]:
        return
    filled = all(v not in (None, "") for v in old)
    if filled and any(client.is_confirmed(c) for c in columns):
        current = " ".join(change_text(v) for v in old)
        proposed = " ".join(change_text(v) for v in new)
        client.flag_conflict(name, proposed, source=source, current=current, at=now)
        result.conflicts.append(name)
        return
    for column, value in zip(columns, new, strict=True):
        client.set_field(column, value, source=source, user_id=user_id, at=now)
    result.changed.append(name)


def _add_contacts(client, clean, source, user_id, now, result: CardUpdate) -> None:
    for phone in clean.get("phones", []):
        if phone not in {p.phone for p in client.phones}:
            client.add_phone(phone)
            client.changes.append(_added("phone", phone, source, user_id, now))
            result.changed.append("phone")
    for email in clean.get("emails", []):
        if email not in {e.email for e in client.emails}:
            client.add_email(email)
            client.changes.append(_added("email", email, source, user_id, now))
            result.changed.append("email")


def _added(name: str, value: str, source: str, user_id: int | None, at: datetime) -> ClientChange:
    return ClientChange(field=name, new_value=value, source=source, user_id=user_id, at=at)
