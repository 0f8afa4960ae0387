"""What a manager does on a card by hand: edit it, mark fields confirmed, resolve a conflict,
take or revoke a consent. Each change is a ClientChange row with the user; only flushes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from models.clients.card import (
    COMPANY_FIELDS,
    DATE_FIELDS,
    PERSON_FIELDS,
    SCALAR_FIELDS,
    confirmed_columns,
)
from models.clients.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientEmail,
    ClientKind,
    ClientPhone,
    Consent,
    ConsentKind,
    InvalidClientData,
)
from models.db.base import utcnow
from models.db.errors import NotFound

CONSENT_CHANNELS = {
    "office": "В офисе, подпись на бумаге",
    "online": "Онлайн: сайт, электронная форма",
    "email": "Электронный документ по эл. почте",
}
CONSENT_LABELS = {
    ConsentKind.personal_data: "Обработка персональных данных (152-ФЗ)",
    ConsentKind.marketing: "Рекламные и маркетинговые сообщения",
}


def edit(
    session: Session,
    client: Client,
    data: Mapping[str, Any],
    *,
    kind: ClientKind,
    confirmed: Iterable[str],
    manager_id: int | None,
    user_id: int | None,
    now: datetime | None = None,
) -> None:
    """Apply the edit form (checked by `clean_card`): the manager may also clear a field."""
    now = now or utcnow()
    source = "manual"
    client.set_field("kind", kind, source=source, user_id=user_id, at=now)
    hidden = COMPANY_FIELDS if kind == ClientKind.person else PERSON_FIELDS
    for name in SCALAR_FIELDS:
        value = None if name in hidden else data.get(name)
        client.set_field(name, value, source=source, user_id=user_id, at=now)
    client.set_field("manager_id", manager_id, source=source, user_id=user_id, at=now)
    _replace_contacts(client, data.get("phones", []), data.get("emails", []), user_id, now)
    columns = sorted(confirmed_columns(confirmed))
    if columns != sorted(client.confirmed_fields or []):
        client.set_field("confirmed_fields", columns, source=source, user_id=user_id, at=now)
    if data.get("lead_channel"):
        client.touch(data["lead_channel"], data.get("lead_campaign"), now)
    session.flush()


def _replace_contacts(client: Client, phones, emails, user_id, now) -> None:
    for attr, model, key, wanted in (
        ("phones", ClientPhone, "phone", list(phones)),
        ("emails", ClientEmail, "email", list(emails)),
    ):
        rows = getattr(client, attr)
        for row in list(rows):
            if getattr(row, key) not in wanted:
                rows.remove(row)
                client.changes.append(_change(key, getattr(row, key), None, user_id, now))
        present = [getattr(row, key) for row in rows]
        for value in wanted:
            if value not in present:
                rows.append(model(**{key: value}))
                client.changes.append(_change(key, None, value, user_id, now))
    if client.email != (emails[0] if emails else None):
        client.set_field("email", emails[0] if emails else None, **_by(user_id, now))


def resolve_conflict(
    session: Session, client: Client, conflict_id: int, *, replace: bool, user_id, now=None
) -> ClientConflict:
    """Keep the confirmed value, or replace it with the proposed one."""
    now = now or utcnow()
    conflict = session.get(ClientConflict, conflict_id)
    if conflict is None or conflict.client_id != client.id:
        raise NotFound("Такого расхождения в карточке нет")
    if replace and conflict.resolved_at is None:
        for column, value in _proposed(conflict):
            client.set_field(column, value, source=conflict.source, user_id=user_id, at=now)
    conflict.resolve("replaced" if replace else "kept", user_id=user_id, at=now)
    session.flush()
    return conflict


def _proposed(conflict: ClientConflict) -> list[tuple[str, Any]]:
    if conflict.field == "passport":
        series, number = (conflict.proposed_value or " ").split(" ", 1)
        return [("passport_series", series), ("passport_number", number)]
    value: Any = conflict.proposed_value
    if conflict.field in DATE_FIELDS and value:
        value = date.fromisoformat(value)
    return [(conflict.field, value)]


def give_consent(
    session: Session,
    client: Client,
    kind: ConsentKind,
    *,
    channel: str,
    text_version: str,
    user_id: int | None,
    now: datetime | None = None,
) -> Consent:
    """A new consent record; a valid one of the same kind already there is refused."""
    now = now or utcnow()
    if channel not in CONSENT_CHANNELS:
        raise InvalidClientData("Выберите, как получено согласие", field="channel")
    if not (text_version or "").strip():
        raise InvalidClientData("Укажите версию текста согласия", field="text_version")
    if client.has_consent(kind):
        raise InvalidClientData(f"Согласие «{CONSENT_LABELS[kind]}» уже действует")
    consent = Consent(
        kind=kind,
        channel=channel,
        text_version=text_version.strip()[:50],
        taken_by_id=user_id,
        given_at=now,
    )
    client.consents.append(consent)
    client.changes.append(_change("consent", None, f"{CONSENT_LABELS[kind]}: дано", user_id, now))
    session.flush()
    return consent


def revoke_consent(
    session: Session, client: Client, consent_id: int, *, user_id, now=None
) -> Consent:
    now = now or utcnow()
    consent = session.get(Consent, consent_id)
    if consent is None or consent.client_id != client.id:
        raise NotFound("Такого согласия в карточке нет")
    consent.revoke(now)
    text = f"{CONSENT_LABELS[consent.kind]}: отозвано"
    client.changes.append(_change("consent", None, text, user_id, now))
    session.flush()
    return consent


def _by(user_id: int | None, now: datetime) -> dict[str, Any]:
    return {"source": "manual", "user_id": user_id, "at": now}


def _change(name: str, old, new, user_id: int | None, now: datetime) -> ClientChange:
    return ClientChange(
        field=name, old_value=old, new_value=new, source="manual", user_id=user_id, at=now
    )
