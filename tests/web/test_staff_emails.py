"""Employees' addresses: a company's internal domain (`@company.local`, the demo's
`@demo.local`) passes the admin's form; every demo employee saves unchanged (issue 13, § 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.users.user import User, normalise_staff_email
from web.demo import demo_users, load


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ivanov@Company.Local", "ivanov@company.local"),
        ("admin@demo.local", "admin@demo.local"),
        ("petrova@sales-dev.ru", "petrova@sales-dev.ru"),
    ],
)
def test_an_employees_address_on_an_internal_or_public_domain_is_accepted(typed, kept):
    assert normalise_staff_email(typed) == kept


@pytest.mark.parametrize("typed", ["ivanov@", "@company.local", "ivanov@.local", "a b@x.ru"])
def test_a_malformed_address_is_refused_in_russian(typed):
    with pytest.raises(ValueError, match="^Адрес эл. почты указан неверно$"):
        normalise_staff_email(typed)


def test_every_demo_employee_is_saved_unchanged_through_the_admins_form(
    client, login_as, db_session
):
    load(db_session)
    db_session.commit()
    login_as("admin")
    for email, _role in demo_users():
        user = db_session.scalars(select(User).where(User.email == email)).one()
        before = (user.email, user.full_name, user.role, user.is_active)
        answer = client.post(
            f"/admin/users/{user.id}",
            data={
                "email": user.email,
                "full_name": user.full_name or "",
                "role": user.role.value,
                "is_active": "y" if user.is_active else "",
                "password": "",
            },
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        db_session.expire_all()
        assert (user.email, user.full_name, user.role, user.is_active) == before


def test_a_new_employee_on_the_demo_domain_is_created(client, login_as, db_session):
    login_as("admin")
    answer = client.post(
        "/admin/users/new",
        data={
            "email": "new.manager@demo.local",
            "full_name": "Новиков Илья",
            "role": "sales_manager",
            "is_active": "y",
            "password": "длинный-пароль-123",
        },
    )
    assert answer.status_code == 302
    assert db_session.scalars(select(User).where(User.email == "new.manager@demo.local")).one()
