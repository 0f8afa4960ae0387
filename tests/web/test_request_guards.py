"""The guards every request passes, exercised rather than inspected: a view without a role guard
is never served, and a plain form post without the CSRF token is refused and writes nothing."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import select

from engine.sales import use_cases as reservations
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel
from models.users.user import Role
from web import create_app
from web.extensions import db
from web.security import public


@pytest.fixture
def app_with_throwaway_views(app):
    """A second app on the same database, with one view that forgot its guard and one public."""
    fresh = create_app(dict(app.config))
    served = []

    @fresh.route("/throwaway/unguarded", methods=["GET", "POST"])
    def unguarded():
        served.append("unguarded")
        return "served"

    @fresh.route("/throwaway/public")
    @public
    def open_to_all():
        served.append("public")
        return "served"

    fresh.served = served
    return fresh


def log_in(test_client, user) -> None:
    with test_client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def test_a_view_without_a_role_guard_is_refused_to_everyone(app_with_throwaway_views, make_user):
    browser = app_with_throwaway_views.test_client()
    assert browser.get("/throwaway/public").status_code == 200  # the harness serves views

    assert browser.get("/throwaway/unguarded").status_code == 403
    admin = make_user(Role.admin)
    db.session.commit()  # the second app has a session of its own; its POST waits for writers
    log_in(browser, admin)
    assert browser.get("/throwaway/unguarded").status_code == 403
    assert browser.post("/throwaway/unguarded").status_code == 403
    assert app_with_throwaway_views.served == ["public"]


@pytest.fixture
def queue(db_session, make_building, make_premise, make_client, manager):
    """A reserved premise with two clients waiting: [first, second]."""
    premise = make_premise(make_building(), number="7")
    people = [make_client(name) for name in ("Держатель", "Первый", "Второй")]
    reservations.reserve(db_session, premise.id, people[0], channel=Channel.offline, user=manager)
    entries = [reservations.enqueue(db_session, premise.id, p, manager) for p in people[1:]]
    db_session.commit()
    return premise, entries


def waiting(db_session, premise) -> list[int]:
    db_session.expire_all()
    return [e.id for e in reservations.waiting_entries(db_session, premise.id)]


def test_queue_posts_without_the_csrf_token_are_refused_and_change_nothing(
    app, client, login_as, db_session, queue, monkeypatch
):
    premise, (first, second) = queue
    login_as(Role.head_of_sales)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    moved = client.post(f"/queue/{second.id}/move", data={"direction": "up"})
    removed = client.post(f"/queue/{first.id}/remove")

    assert (moved.status_code, removed.status_code) == (400, 400)
    assert waiting(db_session, premise) == [first.id, second.id]
    statuses = db_session.scalars(select(QueueEntry.status)).all()
    assert statuses == [QueueStatus.waiting, QueueStatus.waiting]

    # The same post with the token of the page is served: the token is what was missing.
    card = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', card).group(1)
    data = {"direction": "up", "csrf_token": token}
    assert client.post(f"/queue/{second.id}/move", data=data).status_code == 302
    assert waiting(db_session, premise) == [second.id, first.id]


def test_the_login_form_opens_a_session_that_the_next_request_keeps(client, make_user):
    user = make_user(Role.sales_manager)

    refused = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert "Неверная эл. почта или пароль" in refused.get_data(as_text=True)
    assert client.get("/projects").status_code == 302

    logged_in = client.post("/login", data={"email": user.email.upper(), "password": "secret"})
    assert logged_in.status_code == 302
    g.pop("_login_user", None)  # requests share the test's app context: forget the cached user
    assert client.get("/projects").status_code == 200
