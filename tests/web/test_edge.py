"""The transaction edge (web/edge.py): one transaction per request, committed there only.

A refused rule writes nothing and shows its message; an unexpected error writes nothing,
is logged and answers 500; the API answers a new area's error with its own code and status."""

from __future__ import annotations

import logging

import pytest
from flask import flash
from sqlalchemy import func, select

from models.catalog.objects import PremiseStatus, Project
from models.clients.client import Client
from models.db.errors import DomainError
from models.sales.reservation import Reservation
from models.users.user import Role
from tests.web.api_support import bearer, issue_key
from web.extensions import db

NEW_CLIENT = {"phone": "8 (916) 123-45-67", "full_name": "Смирнова Ольга", "consent": "y"}


class MortgageRefused(DomainError):
    """An error of an area the API has never heard of: no table names it."""

    code = "mortgage_refused"
    status = 409


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _writes_then(error: Exception):
    """A view that writes a row, queues a success message, then fails with `error`."""

    def view(**_):
        db.session.add(Project(name="Недописанный ЖК", city="Москва"))
        db.session.flush()
        flash("ЖК создан", "success")
        raise error

    view.allowed_roles = None
    return view


@pytest.fixture
def sold_flat(db_session, make_building, make_premise):
    flat = make_premise(make_building(), number="15", status=PremiseStatus.sold)
    db_session.commit()  # the refused request rolls back its own work, not the test's rows
    return flat


def test_a_refused_reservation_leaves_not_even_the_new_client_and_says_why(
    client, login_as, db_session, sold_flat
):
    login_as(Role.sales_manager)
    db_session.commit()
    response = client.post(f"/premises/{sold_flat.id}/reserve", data=NEW_CLIENT)

    assert response.status_code == 200
    assert "уже не свободно" in response.get_data(as_text=True)
    assert (count(Client), count(Reservation)) == (0, 0)  # the client was flushed, then undone


def test_a_domain_error_from_any_view_writes_nothing_and_shows_its_page(app, client, monkeypatch):
    monkeypatch.setitem(
        app.view_functions, "auth.login", _writes_then(MortgageRefused("Банк отказал"))
    )

    response = client.get("/login")

    assert response.status_code == 409
    assert "Банк отказал" in response.get_data(as_text=True)
    assert count(Project) == 0
    with client.session_transaction() as session:
        assert "_flashes" not in session  # the success it announced is undone with it


def test_an_unexpected_error_rolls_back_is_logged_and_shows_the_500_page(
    app, client, monkeypatch, caplog
):
    monkeypatch.setitem(
        app.view_functions, "auth.login", _writes_then(RuntimeError("simulated failure"))
    )
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    with caplog.at_level(logging.ERROR):
        response = client.get("/login")

    assert response.status_code == 500
    assert "Ошибка сервера" in response.get_data(as_text=True)
    assert "simulated failure" not in response.get_data(as_text=True)
    assert count(Project) == 0
    with client.session_transaction() as session:
        assert "_flashes" not in session
    assert any(
        record.exc_info and str(record.exc_info[1]) == "simulated failure"
        for record in caplog.records
    )


def test_the_api_answers_a_new_areas_error_with_its_code_and_status_without_a_table(
    app, client, monkeypatch
):
    key = issue_key()
    monkeypatch.setitem(
        app.view_functions,
        "api.premise",
        _writes_then(MortgageRefused("Банк отказал в ипотеке", field="bank")),
    )

    response = client.get("/api/v1/premises/1", headers=bearer(key[1]))

    assert response.status_code == 409
    assert response.json == {
        "error": "mortgage_refused",
        "message": "Банк отказал в ипотеке",
        "fields": {"bank": "Банк отказал в ипотеке"},
    }
    assert count(Project) == 0
