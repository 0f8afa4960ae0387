"""Finding a client before creating one: by normalised phone, then by email."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.client import (
    Client,
    ClientPhone,
    ConsentKind,
    InvalidClientData,
    normalise_email,
    normalise_phone,
)

CONSENT_TEXT_VERSION = "2025-09-01"


def find_by_phone(session: Session, phone: str) -> Client | None:
    return session.scalars(
        select(Client).join(ClientPhone).where(ClientPhone.phone == phone).order_by(Client.id)
    ).first()


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
    """The client with this phone, or a new one; consent to personal data is recorded."""
    normalised = normalise_phone(phone)
    email = normalise_email(email)
    client = find_by_phone(session, normalised)
    if client is None:
        name = (full_name or "").strip()
        if not name:
            raise InvalidClientData("Укажите ФИО клиента", field="full_name")
        if len(name) > 300:
            raise InvalidClientData("ФИО длиннее 300 символов", field="full_name")
        client = Client(full_name=name, email=email, manager_id=taken_by_id)
        client.add_phone(normalised)
        session.add(client)
    elif email and not client.email:
        client.email = email
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
    session.flush()
    return client
