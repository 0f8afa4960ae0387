"""Client cards: list and search, the card, create and edit, consents, conflicts, merging."""

from flask import Blueprint
from flask_login import current_user

from models.clients.client import CARD_EDITORS
from models.clients.personal_data import CLIENT_READERS, PERSONAL_DATA_READERS
from web import navigation

bp = Blueprint("clients", __name__)

# Who sees the passport, birth date, registration address, ИНН and СНИЛС (the rule and its
# field list: models/clients/personal_data.py).
IDENTIFIER_READERS = PERSONAL_DATA_READERS
# Who opens cards and searches: analysts and marketers see contacts, lead source and consents.
READERS = CLIENT_READERS

navigation.add("Клиенты", "clients.index", READERS, "Клиенты")


@bp.app_context_processor
def client_search_box() -> dict:
    return {"client_search": current_user.is_authenticated and current_user.role in READERS}


@bp.context_processor
def card_editor() -> dict:
    """Whether the user creates and edits cards: the list's "new client" button."""
    return {"edits_cards": current_user.is_authenticated and current_user.role in CARD_EDITORS}


from web.clients import actions, edit, merge, views  # noqa: E402, F401
