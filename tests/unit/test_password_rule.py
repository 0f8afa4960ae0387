"""The rule for a password a person sets (issue 14, § 7), and the login's password check that
costs one hash whatever the email."""

from __future__ import annotations

import hashlib

import pytest

from models.users.passwords import WeakPassword, check_new_password, password_matches
from models.users.user import Role, User


def refusal(password: str, **person) -> str | None:
    try:
        check_new_password(password, **person)
    except WeakPassword as error:
        assert error.field == "password"
        return error.message
    return None


COMMON = "Такой пароль подбирают первым. Придумайте другой"


@pytest.mark.parametrize("password", ["", "demo", "secret", "Kv-42-Nev"])
def test_a_password_shorter_than_ten_characters_is_refused(password):
    assert refusal(password) == "Пароль должен быть не короче 10 символов"


@pytest.mark.parametrize(
    "password",
    [
        "1234567890",
        "qwertyuiop",
        "QWERTYUIOP",
        "йцукенгшщз",  # qwertyuiop typed on the Russian layout
        "ЙЦУКЕНГШЩЗ",
        "password12",
        "Password123",
        "Password2024!",  # a common word with digits and signs around it
        "gfhjkm12345",  # «пароль12345» typed on the Latin layout
        "пароль12345",
        "привет2024!!",
        "1q2w3e4r5t",
        "aaaaaaaaaaaa",
        "1212121212",
    ],
)
def test_a_common_password_is_refused(password):
    assert refusal(password) == COMMON


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        ("ivanova.m-2026", "ivanova.m@company.ru", ""),
        ("Ivanova_Kvartira", "m.ivanova@company.ru", ""),
        ("Мария-Продажи-7", "m@company.ru", "Иванова Мария"),
    ],
)
def test_a_password_with_the_employees_own_email_or_name_is_refused(password, email, name):
    expected = "Пароль не должен содержать эл. почту или имя сотрудника"
    assert refusal(password, email=email, full_name=name) == expected


def test_a_password_longer_than_128_characters_is_refused():
    assert refusal("Ж" * 129) == "Пароль должен быть не длиннее 128 символов"


@pytest.mark.parametrize(
    "password", ["Kvartira-na-Neve-7", "длинный-пароль-123", "3 кота спят на окне", "5839201746"]
)
def test_a_long_uncommon_password_is_accepted(password):
    assert refusal(password, email="ivanova@company.ru", full_name="Иванова Мария") is None


@pytest.fixture
def scrypt_runs(monkeypatch):
    """Every scrypt key derivation made, with its cost parameters (the real one still runs)."""
    runs: list[tuple[int, int, int]] = []
    real = hashlib.scrypt

    def counted(password, *, salt, n, r, p, maxmem=0, dklen=64):
        runs.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return runs


def test_an_unknown_email_costs_the_same_hash_as_a_known_one(scrypt_runs):
    known = User(email="anna@test.local", role=Role.sales_manager, is_active=True)
    known.set_password("Kvartira-na-Neve-7")
    blocked = User(email="oleg@test.local", role=Role.sales_manager, is_active=False)
    blocked.set_password("Kvartira-na-Neve-7")
    password_matches(None, "warm-up")  # the stand-in hash is made once per process
    scrypt_runs.clear()

    results = []
    for user in (known, None, blocked):
        results.append(password_matches(user, "wrong password"))
    results.append(password_matches(known, "Kvartira-na-Neve-7"))
    results.append(password_matches(blocked, "Kvartira-na-Neve-7"))

    assert results == [False, False, False, True, False]
    assert len(scrypt_runs) == 5 and len(set(scrypt_runs)) == 1  # one hash each, same cost
