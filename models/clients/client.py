"""Clients (buyers): the card, its contacts, consents, and the record of what changed on it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.clients.contacts import (  # noqa: F401 - the card's contact rules, imported from here too
    InvalidClientData,
    format_phone,
    normalise_email,
    normalise_phone,
)
from models.db.base import Base, UTCDateTime, utcnow
from models.users.user import MANAGEMENT, Role

# Who creates and edits cards: management any card, a sales manager their own clients and
# clients nobody is responsible for yet (Client.can_edit).
CARD_EDITORS = MANAGEMENT | {Role.sales_manager}


class ClientKind(enum.StrEnum):
    person = "person"
    company = "company"


class ConsentKind(enum.StrEnum):
    personal_data = "personal_data"
    marketing = "marketing"


def search_key(text: str | None) -> str:
    """How names are compared in search: case-folded, ё as е, single spaces."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def change_text(value) -> str | None:
    """A field value as kept in the change log and conflicts (dates as ISO)."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ClientKind] = mapped_column(
        Enum(ClientKind, native_enum=False, length=16), default=ClientKind.person
    )
    full_name: Mapped[str] = mapped_column(String(300), index=True)
    # search_key(full_name); on PostgreSQL with pg_trgm a trigram index serves `LIKE '%…%'`.
    search_name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    # A person
    birth_date: Mapped[date | None] = mapped_column(Date)
    passport_series: Mapped[str | None] = mapped_column(String(4))
    passport_number: Mapped[str | None] = mapped_column(String(6))
    passport_issued_by: Mapped[str | None] = mapped_column(String(300))
    passport_issued_on: Mapped[date | None] = mapped_column(Date)
    registration_address: Mapped[str | None] = mapped_column(String(500))
    snils: Mapped[str | None] = mapped_column(String(14))
    # Both (a person's ИНН has 12 digits, a company's 10)
    inn: Mapped[str | None] = mapped_column(String(12), index=True)
    # A company
    kpp: Mapped[str | None] = mapped_column(String(9))
    ogrn: Mapped[str | None] = mapped_column(String(15))
    representative: Mapped[str | None] = mapped_column(String(300))
    # Lead source: the first touch is never overwritten, the last one always is.
    first_touch_channel: Mapped[str | None] = mapped_column(String(100))
    first_touch_campaign: Mapped[str | None] = mapped_column(String(200))
    first_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_touch_channel: Mapped[str | None] = mapped_column(String(100))
    last_touch_campaign: Mapped[str | None] = mapped_column(String(200))
    last_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Fields confirmed by a document: a source that contradicts them raises a conflict.
    confirmed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))

    manager = relationship("User")
    phones: Mapped[list[ClientPhone]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientPhone.id"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Consent.id"
    )
    emails: Mapped[list[ClientEmail]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientEmail.id"
    )
    changes: Mapped[list[ClientChange]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientChange.id.desc()"
    )
    conflicts: Mapped[list[ClientConflict]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientConflict.id"
    )

    @validates("full_name")
    def _keep_search_name(self, _key: str, value: str) -> str:
        self.search_name = search_key(value)
        return value

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def can_edit(self, user) -> bool:
        """The head of sales and admin edit any card; a sales manager edits their own clients
        and clients nobody is responsible for yet."""
        role = getattr(user, "role", None)
        if self.is_merged or role not in CARD_EDITORS:
            return False
        return role in MANAGEMENT or self.manager_id in (None, user.id)

    def is_confirmed(self, field: str) -> bool:
        return field in (self.confirmed_fields or [])

    def set_field(self, field: str, value, *, source: str, user_id: int | None, at: datetime):
        """Change one card field, leaving a ClientChange row; no row when nothing changes."""
        old = getattr(self, field)
        if change_text(old) == change_text(value):
            return
        setattr(self, field, value)
        self.changes.append(
            ClientChange(
                field=field,
                old_value=change_text(old),
                new_value=change_text(value),
                source=source,
                user_id=user_id,
                at=at,
            )
        )

    def flag_conflict(self, field: str, proposed: str, *, source: str, current: str | None, at):
        """New data contradicts a confirmed field: kept aside, once per proposed value."""
        for open_one in self.open_conflicts:
            if open_one.field == field and open_one.proposed_value == proposed:
                return
        self.conflicts.append(
            ClientConflict(
                field=field, current_value=current, proposed_value=proposed, source=source, at=at
            )
        )

    @property
    def open_conflicts(self) -> list[ClientConflict]:
        return [c for c in self.conflicts if c.resolved_at is None]

    def touch(self, channel: str, campaign: str | None, at: datetime) -> None:
        """Record where the client came from: the first touch stays, the last moves."""
        if self.first_touch_at is None:
            self.first_touch_channel, self.first_touch_campaign = channel, campaign
            self.first_touch_at = at
        self.last_touch_channel, self.last_touch_campaign, self.last_touch_at = (
            channel,
            campaign,
            at,
        )

    def add_email(self, text: str) -> str | None:
        email = normalise_email(text)
        if email and email not in {e.email for e in self.emails}:
            self.emails.append(ClientEmail(email=email))
        if email and not self.email:
            self.email = email
        return email

    @property
    def phone(self) -> str | None:
        return self.phones[0].phone if self.phones else None

    def add_phone(self, text: str) -> str:
        phone = normalise_phone(text)
        if phone not in {p.phone for p in self.phones}:
            self.phones.append(ClientPhone(phone=phone))
        return phone

    def has_consent(self, kind: ConsentKind = ConsentKind.personal_data) -> bool:
        return any(c.kind == kind and c.is_valid for c in self.consents)

    def give_consent(
        self, kind: ConsentKind, *, channel: str, text_version: str, taken_by_id: int | None
    ) -> None:
        if not self.has_consent(kind):
            self.consents.append(
                Consent(
                    kind=kind, channel=channel, text_version=text_version, taken_by_id=taken_by_id
                )
            )


class ClientPhone(Base):
    __tablename__ = "client_phone"
    __table_args__ = (Index("ix_client_phone_phone", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))

    client: Mapped[Client] = relationship(back_populates="phones")


class Consent(Base):
    """Consent to personal-data processing (152-ФЗ) or to marketing: separate records."""

    __tablename__ = "client_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(Enum(ConsentKind, native_enum=False, length=20))
    channel: Mapped[str] = mapped_column(String(20))
    text_version: Mapped[str] = mapped_column(String(50))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship(back_populates="consents")
    taken_by = relationship("User")

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def revoke(self, at: datetime) -> None:
        if not self.is_valid:
            raise InvalidClientData("Это согласие уже отозвано")
        self.revoked_at = at


class ClientEmail(Base):
    __tablename__ = "client_email"
    __table_args__ = (Index("ix_client_email_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))

    client: Mapped[Client] = relationship(back_populates="emails")


class ClientChange(Base):
    """What changed on a card, from which source, when (append-only)."""

    __tablename__ = "client_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="changes")
    user = relationship("User")


class ClientConflict(Base):
    """New data contradicting a confirmed field: kept aside for the manager to resolve."""

    __tablename__ = "client_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    field: Mapped[str] = mapped_column(String(50))
    current_value: Mapped[str | None] = mapped_column(Text)
    proposed_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(20))  # kept / replaced

    client: Mapped[Client] = relationship(back_populates="conflicts")
    resolved_by = relationship("User")

    def resolve(self, resolution: str, *, user_id: int | None, at: datetime) -> None:
        """`kept` (the confirmed value stays) or `replaced` (the caller applied the new one)."""
        if self.resolved_at is not None:
            raise InvalidClientData("Это расхождение уже разобрано")
        self.resolution, self.resolved_by_id, self.resolved_at = resolution, user_id, at
