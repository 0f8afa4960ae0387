"""What the card page shows besides the card itself: holdings, duplicates, the change log."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from engine.clients import merge as client_merge
from engine.clients.card import CONSENT_CHANNELS, CONSENT_LABELS
from engine.clients.use_cases import possible_duplicates
from models.catalog.objects import Building
from models.clients.card import COMPANY_FIELDS, CONFIRMABLE_LABELS, FIELD_LABELS
from models.clients.client import Client, ClientChange
from models.clients.personal_data import HIDDEN, can_see_personal_data, shown_value
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Reservation
from models.users.user import User
from web.clients.forms import ConsentForm
from web.extensions import db

SOURCE_LABELS = {
    "manual": "вручную",
    "online": "онлайн-заявка",
    "office": "офис",
    "merge": "объединение карточек",
    "document": "документ",
}
KIND_LABELS = {"person": "физическое лицо", "company": "организация"}
SHOWN_CHANGES = 30
REQUISITES = ("inn", *COMPANY_FIELDS)  # what a company card shows


def sees_identifiers() -> bool:
    return can_see_personal_data(current_user)


def shown(field: str, value):
    """A card value as the current user may see it (models/clients/personal_data.py): every
    place the card shows a value — requisites, changes, conflicts — goes through here."""
    return shown_value(field, value, current_user)


def card_context(client: Client) -> dict:
    held = db.session.scalars(
        select(Reservation)
        .where(Reservation.client_id == client.id)
        .order_by(Reservation.id.desc())
    ).all()
    queued = db.session.scalars(
        select(QueueEntry).where(
            QueueEntry.client_id == client.id, QueueEntry.status == QueueStatus.waiting
        )
    ).all()
    can_merge = client_merge.can_merge(current_user)
    return {
        "client": client,
        "held": held,
        "queued": queued,
        "buildings": db.session.scalars(select(Building).order_by(Building.name)).all(),
        "duplicates": duplicates_of(client) if can_merge else [],
        "changes": recent_changes(client),
        "can_edit": client.can_edit(current_user),
        "can_merge": can_merge,
        "sees_identifiers": sees_identifiers(),
        "requisites": {name: shown(name, getattr(client, name)) for name in REQUISITES},
        "conflicts": open_conflicts(client),
        "consent_form": ConsentForm(),
        "consent_labels": CONSENT_LABELS,
        "consent_channels": CONSENT_CHANNELS,
        "field_labels": FIELD_LABELS,
        "confirmable_labels": CONFIRMABLE_LABELS,
        "source_labels": SOURCE_LABELS,
    }


def duplicates_of(client: Client) -> list[Client]:
    phones, emails = [p.phone for p in client.phones], [e.email for e in client.emails]
    return possible_duplicates(db.session, phones, emails, exclude_id=client.id)


def recent_changes(client: Client) -> list[dict]:
    """The last changes of the card, values shown the Russian way (dates, managers' names)."""
    rows = db.session.scalars(
        select(ClientChange)
        .where(ClientChange.client_id == client.id)
        .order_by(ClientChange.id.desc())
        .limit(SHOWN_CHANGES)
    ).all()
    ids = {int(v) for r in rows if r.field == "manager_id" for v in (r.old_value, r.new_value) if v}
    names = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}

    def readable(field: str, value: str | None) -> str:
        value = shown(field, value)
        if value is None:
            return "—"
        if value == HIDDEN:
            return value
        if field == "manager_id":
            return names.get(int(value), value)
        if field == "confirmed_fields":
            return ", ".join(FIELD_LABELS.get(c, c) for c in value.split(", "))
        if field == "kind":
            return KIND_LABELS.get(value, value)
        if field in ("birth_date", "passport_issued_on") and len(value) == 10:
            return ".".join(reversed(value.split("-")))
        return value

    return [
        {
            "row": r,
            "label": FIELD_LABELS.get(
                r.field, "Карточка создана" if r.field == "created" else r.field
            ),
            "old": readable(r.field, r.old_value),
            "new": readable(r.field, r.new_value),
            "source": SOURCE_LABELS.get(r.source, r.source),
        }
        for r in rows
    ]


def open_conflicts(client: Client) -> list[dict]:
    """The card's open conflicts with the values the current user may see."""
    return [
        {
            "row": c,
            "current": shown(c.field, c.current_value) or "—",
            "proposed": shown(c.field, c.proposed_value) or "—",
        }
        for c in client.open_conflicts
    ]
