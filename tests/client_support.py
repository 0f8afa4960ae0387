"""The client forms as a manager fills them in, and counters shared by the client tests
(the clients themselves come from tests/factories/clients.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from models.clients.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientEmail,
    ClientPhone,
    Consent,
)

CLIENT_TABLES = (Client, ClientPhone, ClientEmail, ClientChange, ClientConflict, Consent)

# The create / edit form of a person, filled in the way a manager types.
PERSON = {
    "kind": "person",
    "full_name": "Смирнова Ольга Петровна",
    "phones": "8 916 123-45-67\n+7 (903) 555-66-77",
    "emails": "Olga@Mail.ru",
    "birth_date": "1985-03-05",
    "passport_series": "45 10",
    "passport_number": "123456",
    "passport_issued_by": "ОВД Тверского района г. Москвы",
    "passport_issued_on": "05.04.2005",
    "registration_address": "г. Москва, ул. Тверская, 1, кв. 2",
    "inn": "500100732259",
    "snils": "112-233-445 95",
    "lead_channel": "Циан",
    "lead_campaign": "осень-2026",
    "consent_personal_data": "y",
    "consent_channel": "office",
}
COMPANY = {
    "kind": "company",
    "full_name": "ООО «Ромашка»",
    "phones": "+7 495 111-22-33",
    "inn": "7707083893",
    "kpp": "770701001",
    "ogrn": "1027700132195",
    "representative": "Иванов Иван, генеральный директор",
    "consent_channel": "office",
}


def counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in CLIENT_TABLES}


def changes_of(session, client, name) -> list[ClientChange]:
    return session.scalars(
        select(ClientChange)
        .where(ClientChange.client_id == client.id, ClientChange.field == name)
        .order_by(ClientChange.id)
    ).all()


def written(session) -> tuple[int, ...]:
    """Row counts that must not move when a request is refused."""
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in CLIENT_TABLES)
