"""Clients (buyers): a person as the sales desk records one."""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm import Session

from engine.clients.use_cases import CONSENT_TEXT_VERSION
from models.clients.client import Client, ConsentKind

NEW_NUMBER = "new"  # the default phone: a number no other client of the test has
_numbers = count(1)


def client(
    session: Session,
    name: str = "Смирнова Ольга Петровна",
    phone: str | None = NEW_NUMBER,
    email: str | None = None,
    *,
    manager_id: int | None = None,
    personal_data: bool = True,
    marketing: bool = False,
    **fields,
) -> Client:
    """A client with a phone (a new number unless given; none if None), an email if given,
    consent to personal data given at the office unless `personal_data=False`, consent to
    marketing if `marketing`; `fields` are other card fields."""
    person = Client(full_name=name, manager_id=manager_id, **fields)
    if phone == NEW_NUMBER:
        phone = f"+7958{next(_numbers):07d}"
    if phone:
        person.add_phone(phone)
    if email:
        person.add_email(email)
    for kind, given in (
        (ConsentKind.personal_data, personal_data),
        (ConsentKind.marketing, marketing),
    ):
        if given:
            person.give_consent(
                kind, channel="office", text_version=CONSENT_TEXT_VERSION, taken_by_id=manager_id
            )
    session.add(person)
    session.flush()
    return person
