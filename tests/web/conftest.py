"""Fixtures the process pages' tests share: an analyst logged in, and a draft of the shipped
price change made by another analyst."""

from __future__ import annotations

import pytest

from engine.authoring import modeler
from models.users.user import Role


@pytest.fixture
def analyst(login_as):
    return login_as(Role.analyst)


@pytest.fixture
def draft(db_session, make_user):
    found = modeler.new_draft(db_session, "price_change", make_user(Role.analyst, "a2@test.local"))
    db_session.commit()
    return found
