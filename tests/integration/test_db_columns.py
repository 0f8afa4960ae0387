"""The column types every entity uses (models/db/base.py): moments stored in UTC and read back
aware, money and areas read back with two decimals, an empty value left empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from models.catalog.objects import Premise
from models.users.user import Role

MOSCOW = timezone(timedelta(hours=3))


def read_back(session, row):
    session.commit()
    session.expire_all()
    return session.get(type(row), row.id)


def test_a_moment_given_in_moscow_time_is_read_back_as_the_same_moment_in_utc(
    db_session, make_user
):
    user = make_user(Role.sales_manager)
    user.created_at = datetime(2026, 4, 1, 0, 30, tzinfo=MOSCOW)

    stored = read_back(db_session, user).created_at

    assert stored == datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_moment_is_refused_before_it_reaches_the_database(db_session, make_user):
    user = make_user(Role.sales_manager)
    user.created_at = datetime(2026, 4, 1, 0, 30)

    with pytest.raises(StatementError) as refused:
        db_session.flush()
    assert isinstance(refused.value.orig, ValueError)
    assert str(refused.value.orig) == "naive datetime given for a UTC column"
    db_session.rollback()


def test_money_and_areas_are_read_back_with_two_decimals_and_empty_stays_empty(
    db_session, make_building, make_premise
):
    flat = make_premise(make_building(), price="10500000", total_area="45.5")

    stored = read_back(db_session, flat)

    assert (str(stored.price), str(stored.total_area)) == ("10500000.00", "45.50")
    assert db_session.get(Premise, flat.id).living_area is None
