"""Employees and API keys in memory: what Flask-Login and the pages read from a user, passwords,
roles, and a new API key that is stored only as its hash."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest

from models.users.api_key import ApiKey, hash_key
from models.users.user import Role, User


def test_a_logged_in_employee_is_known_to_flask_login_by_id_and_session_version():
    person = User(id=42, email="anna@test.local", role=Role.sales_manager, session_version=3)
    assert (person.is_authenticated, person.is_anonymous, person.get_id()) == (True, False, "42:3")


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (Role.admin, "Администратор"),
        (Role.head_of_sales, "Руководитель отдела продаж"),
        (Role.sales_manager, "Менеджер по продажам"),
        (Role.mortgage_broker, "Ипотечный брокер"),
        (Role.lawyer, "Юрист"),
        (Role.analyst, "Аналитик"),
        (Role.marketer, "Маркетолог"),
    ],
)
def test_each_role_reads_in_russian(role, label):
    assert User(role=role).role_label == label


def test_an_employee_is_shown_by_name_or_else_by_email():
    assert User(full_name="Анна Соколова", email="anna@test.local").display_name == "Анна Соколова"
    assert User(full_name="", email="anna@test.local").display_name == "anna@test.local"


def test_only_the_right_password_is_accepted_and_it_is_not_stored_as_typed():
    person = User(email="anna@test.local", role=Role.sales_manager)
    person.set_password("квартира-42")
    assert person.password_hash != "квартира-42"
    assert person.check_password("квартира-42") is True
    assert person.check_password("квартира-43") is False


@pytest.mark.parametrize(
    ("role", "runs_sales"), [(r, r in {"admin", "head_of_sales"}) for r in Role]
)
def test_only_the_admin_and_the_head_of_sales_run_the_sales_department(role, runs_sales):
    assert User(role=role).is_management is runs_sales


def test_a_role_check_accepts_roles_or_their_names():
    person = User(role=Role.lawyer)
    assert person.has_role(Role.analyst, "lawyer") is True
    assert person.has_role("analyst", Role.sales_manager) is False


def test_a_new_api_key_is_shown_once_and_stored_as_its_hash_with_a_short_prefix():
    key, raw = ApiKey.issue("Сайт застройщика")
    assert re.fullmatch(r"sk_[A-Za-z0-9_-]{43}", raw)  # 32 random bytes, URL-safe
    assert key.name == "Сайт застройщика"
    assert key.key_hash == hashlib.sha256(raw.encode("utf-8")).hexdigest() == hash_key(raw)
    assert key.prefix == raw[:10]
    assert raw not in (key.key_hash, key.prefix)
    assert key.is_active


def test_two_keys_are_never_the_same():
    assert ApiKey.issue("a")[1] != ApiKey.issue("b")[1]


def test_a_revoked_key_is_no_longer_active():
    key, _ = ApiKey.issue("shop")
    key.revoked_at = datetime(2026, 5, 1, tzinfo=UTC)
    assert key.is_active is False


def test_a_key_hash_is_sha256_of_its_utf8_text():
    assert hash_key("ключ") == hashlib.sha256("ключ".encode()).hexdigest()
    assert len(hash_key("sk_x")) == 64
