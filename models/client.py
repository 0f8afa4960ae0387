"""Clients (buyers): the minimal card the sales processes need; issue "Clients" extends it."""

from __future__ import annotations

import enum
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.errors import DomainError


class InvalidClientData(DomainError):
    pass


class ClientKind(enum.StrEnum):
    person = "person"
    company = "company"


class ConsentKind(enum.StrEnum):
    personal_data = "personal_data"
    marketing = "marketing"


def normalise_phone(text: str | None) -> str:
    """Any way a Russian user types a phone → E.164 (`+79991234567`); InvalidClientData if not."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidClientData("Укажите телефон", field="phone")
    if raw.startswith("8") and len("".join(ch for ch in raw if ch.isdigit())) == 11:
        raw = "+7" + "".join(ch for ch in raw if ch.isdigit())[1:]
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        raise InvalidClientData(f"Телефон «{text}» не распознан", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidClientData(f"Телефон «{text}» не существует", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str | None) -> str | None:
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidClientData(f"Адрес эл. почты «{text}» указан неверно", field="email") from None


def format_phone(e164: str) -> str:
    """+79991234567 → +7 999 123-45-67."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ClientKind] = mapped_column(
        Enum(ClientKind, native_enum=False, length=16), default=ClientKind.person
    )
    full_name: Mapped[str] = mapped_column(String(300), index=True)
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
        return any(c.kind == kind and c.revoked_at is None for c in self.consents)

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
