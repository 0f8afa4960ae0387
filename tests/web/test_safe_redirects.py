"""Issue 14, finding 12: a `next` value never sends the user to another site.

Each hostile value is one a browser would follow off the site: it drops the tab in
`/\\t/evil.example` and reads `//evil.example`, it reads `\\` as `/`, and so on. Every view that
reads `next` (the CRM forms on the client card, the notification list, the login) falls back to
its own page instead.
"""

from __future__ import annotations

import pytest

from models.users.user import Role
from tests.factories.users import PASSWORD
from web.redirects import safe_next

HOSTILE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "HTTPS://evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "/\u200b/evil.example",
    "/\x00/evil.example",
]
LOCAL = [
    "/clients/5",
    "/clients/5?tl=visit&page=2",
    "/processes/instances?status=error",
    "/clients?q=%D0%90%D0%BD%D0%BD%D0%B0%20%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_next_falls_back_to_the_default(value):
    assert safe_next(value, "/home") == "/home"


@pytest.mark.parametrize("value", LOCAL)
def test_a_local_path_is_kept_as_it_is(value):
    assert safe_next(value, "/home") == value


@pytest.mark.parametrize("value", [None, "", 5, "/" + "a" * 3000])
def test_nothing_or_something_odd_falls_back_to_the_default(value):
    assert safe_next(value, "/home") == "/home"


def _stays_here(response, expected_path: str) -> None:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location
    assert location.split("#")[0] == expected_path


@pytest.mark.parametrize("value", HOSTILE)
def test_the_crm_form_never_sends_the_manager_to_another_site(client, login_as, make_client, value):
    buyer = make_client("Соколова Анна", "+79161112233")
    login_as(Role.sales_manager)
    data = {"kind": "visit", "summary": "Пришёл в офис", "next": value}
    response = client.post(f"/crm/clients/{buyer.id}/interactions", data=data)
    _stays_here(response, f"/clients/{buyer.id}")


@pytest.mark.parametrize("value", HOSTILE)
def test_marking_notifications_read_never_leaves_the_site(client, login_as, value):
    login_as(Role.sales_manager)
    response = client.post("/inbox/notifications/read", data={"next": value})
    _stays_here(response, "/inbox/notifications")


@pytest.mark.parametrize("value", [v for v in HOSTILE if "\x00" not in v])
def test_logging_in_never_leaves_the_site(client, make_user, db_session, value):
    make_user(Role.sales_manager, email="manager@test.local")
    db_session.commit()
    response = client.post(
        "/login",
        query_string={"next": value},
        data={"email": "manager@test.local", "password": PASSWORD},
    )
    _stays_here(response, "/projects")


def test_a_nul_byte_in_the_login_address_is_refused_before_anything(client, make_user, db_session):
    """A NUL in a query argument is refused for every page (web/inputs.py): 400, no redirect."""
    make_user(Role.sales_manager, email="manager@test.local")
    db_session.commit()
    response = client.post(
        "/login",
        query_string={"next": "/\x00/evil.example"},
        data={"email": "manager@test.local", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_logging_in_returns_to_the_page_asked_for(client, make_user, db_session):
    make_user(Role.sales_manager, email="manager@test.local")
    db_session.commit()
    response = client.post(
        "/login",
        query_string={"next": "/clients/?q=Соколова"},
        data={"email": "manager@test.local", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/clients/?q=")
