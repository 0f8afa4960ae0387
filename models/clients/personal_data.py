"""A client's personal data (152-ФЗ): which card fields are identity data, and who sees them.

Analysts and marketers read client cards (contacts, lead source, consents) but never a
passport, a birth date, a registration address, an ИНН or a СНИЛС. The field's name decides,
not the card's current kind: a passport left in the change log of a card switched to
«Организация» stays hidden all the same (a merge gives a company card none of a person's
fields: `models.clients.card.fields_shared_by`). The rule holds wherever a value can appear:
the card, its change log, its conflicts, the merge page, search.

A lawyer reads no client cards; a premise's card names its buyer to the lawyer once the deal
begins (the contract is theirs to prepare), never the reserving or queued clients before it.
"""

from __future__ import annotations

from models.clients.card import PERSON_FIELDS
from models.clients.client import CARD_EDITORS
from models.users.user import Role

# A person's identity data, as card columns and as the groups conflicts and confirmations use
# ("passport" stands for its series and number together).
PERSONAL_FIELDS = frozenset({*PERSON_FIELDS, "inn", "passport"})
# Who sees them: those who make contracts and mortgage applications from them.
PERSONAL_DATA_READERS = CARD_EDITORS | {Role.mortgage_broker}
# Who opens client cards and searches them: analysts and marketers without identity data.
CLIENT_READERS = PERSONAL_DATA_READERS | {Role.analyst, Role.marketer}
# Who reads no cards but needs the name of the client a premise is being sold to.
BUYER_NAME_READERS = frozenset({Role.lawyer})
# How a hidden value is shown, wherever it would have been.
HIDDEN = "скрыто"


def _role(user_or_role) -> Role | None:
    role = getattr(user_or_role, "role", user_or_role)
    try:
        return Role(role) if role is not None else None
    except ValueError:
        return None


def can_see_personal_data(user_or_role) -> bool:
    """Passport, birth date, address, ИНН and СНИЛС: sales, management, the mortgage broker."""
    return _role(user_or_role) in PERSONAL_DATA_READERS


def is_personal(field: str) -> bool:
    return field in PERSONAL_FIELDS


def hidden_fields(user_or_role) -> frozenset[str]:
    """The fields whose values this user does not see, whatever the card's kind."""
    return frozenset() if can_see_personal_data(user_or_role) else PERSONAL_FIELDS


def shown_value(field: str, value, user_or_role):
    """`value` as this user may see it: HIDDEN for a personal field they do not see (an empty
    value stays empty: that a field is blank says nothing of the person)."""
    if value in (None, "") or not is_personal(field) or can_see_personal_data(user_or_role):
        return value
    return HIDDEN


def can_see_clients(user_or_role) -> bool:
    """Client cards, names and contacts."""
    return _role(user_or_role) in CLIENT_READERS


def can_see_buyer_name(user_or_role) -> bool:
    """The name of the client a premise is in a deal with or sold to."""
    return _role(user_or_role) in CLIENT_READERS | BUYER_NAME_READERS
