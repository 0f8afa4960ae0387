"""Finding clients by what a manager types: a name, a phone in any format or a fragment of it,
an email, an ИНН.

Two steps keep it fast with 100,000 cards: first the ids that match, each kind of match a
small query of its own capped at `CAP` rows (the phone fragment is `LIKE '%digits%'` on
client_phone.phone, names `LIKE '%word%'` on client.search_name, both served by trigram
indexes on PostgreSQL when pg_trgm is there, a sequential scan otherwise); then one page of
those cards in name order. Merged cards are never found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, bindparam, literal_column, select
from sqlalchemy.orm import Session, selectinload

from models.clients.client import (
    Client,
    ClientEmail,
    ClientPhone,
    InvalidClientData,
    normalise_phone,
    search_key,
)

CAP = 500
PER_PAGE = 50
MIN_DIGITS = 3
PHONE_CHARS = re.compile(r"^[\d\s()+\-.]+$")
LATIN = re.compile(r"[a-z@]")


@dataclass
class SearchPage:
    clients: list[Client]
    page: int
    has_next: bool
    capped: bool  # more than CAP matches: only the first CAP are shown, in name order


def search(
    session: Session,
    text: str | None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    identifiers: bool = True,
) -> SearchPage:
    """One page of live cards matching `text` (all cards when it is empty).

    `identifiers=False` leaves out the ИНН match (for roles that do not see identifiers).
    """
    page = max(page, 1)
    query = (
        select(Client)
        .where(Client.merged_into_id.is_(None))
        .options(selectinload(Client.phones), selectinload(Client.consents))
    )
    capped = False
    if (text or "").strip():
        ids = matching_ids(session, text, identifiers=identifiers)
        capped = len(ids) >= CAP
        query = query.where(Client.id.in_(ids or [0]))
    rows = session.scalars(
        query.order_by(Client.full_name, Client.id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return SearchPage(list(rows[:per_page]), page, len(rows) > per_page, capped)


def matching_ids(session: Session, text: str, *, identifiers: bool = True) -> set[int]:
    raw = text.strip()
    digits = re.sub(r"\D", "", raw)
    ids: set[int] = set()
    if PHONE_CHARS.match(raw) and digits:
        ids |= _by_phone(session, raw, digits)
        if identifiers and len(digits) in (10, 12):
            ids |= _ids(session, select(Client.id).where(Client.inn == digits))
        return ids
    key = search_key(raw)
    if "@" in key:
        ids |= _ids(session, select(ClientEmail.client_id).where(ClientEmail.email == key))
        if ids:
            return ids
    if LATIN.search(key):
        ids |= _ids(session, select(ClientEmail.client_id).where(_like(ClientEmail.email, key)))
    words = key.split()
    name = select(Client.id).where(Client.merged_into_id.is_(None))
    for word in words:
        name = name.where(_like(Client.search_name, word))
    return ids | _ids(session, name)


def _by_phone(session: Session, raw: str, digits: str) -> set[int]:
    try:
        exact = normalise_phone(raw)
    except InvalidClientData:
        exact = None
    if exact:
        found = _ids(session, select(ClientPhone.client_id).where(ClientPhone.phone == exact))
        if found:
            return found
    if len(digits) < MIN_DIGITS:
        return set()
    fragments = {digits}
    if digits.startswith("8") and len(digits) >= 4:  # 8 916 … is +7 916 …
        fragments.add("7" + digits[1:])
    found: set[int] = set()
    for fragment in fragments:
        query = select(ClientPhone.client_id).where(_like(ClientPhone.phone, fragment))
        found |= _ids(session, query)
    return found


def _ids(session: Session, query) -> set[int]:
    # A literal LIMIT too: PostgreSQL's generic plan for `LIMIT $1` prefers a sequential scan.
    return set(session.scalars(query.limit(literal_column(str(CAP)))).all())


def _like(column, text: str):
    """`column` contains `text`, the wildcards in `text` taken literally.

    The pattern is rendered into the statement (safely quoted), not sent as a parameter: with
    a parameter PostgreSQL soon switches to a generic plan that ignores the trigram index.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = bindparam(None, f"%{escaped}%", type_=String, literal_execute=True)
    return column.like(pattern, escape="\\")
