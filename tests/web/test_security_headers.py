"""Issue 14, finding 13: security headers on every response.

Pages, error pages, redirects, the API and static files all carry the Content-Security-Policy
(no inline script), the framing rule, nosniff and the referrer policy. Who may frame our pages
is a setting; a view meant to be embedded (the booking widget of a later issue) loosens it for
itself alone.
"""

from __future__ import annotations

import pytest

from models.users.user import Role
from web import create_app, headers
from web.config import TestConfig
from web.security import public


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def assert_secured(response, frame_ancestors: str = "'self'") -> None:
    policy = directives(response)
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == frame_ancestors
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/", 302),
        ("/no-such-page", 404),
        ("/static/app.css", 200),
        ("/api/v1/openapi.json", 200),
        ("/api/v1/premises", 401),
    ],
    ids=["page", "redirect", "not-found", "static", "api", "api-error"],
)
def test_every_kind_of_response_carries_the_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_secured(response)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_behind_a_login_and_a_refusal_carry_them(client, login_as):
    login_as(Role.marketer)
    assert_secured(client.get("/projects"))
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    assert_secured(refused)


def test_a_server_error_page_carries_them(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "auth.healthz", public(broken))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz")
    assert response.status_code == 500
    assert "Ошибка сервера" in response.get_data(as_text=True)
    assert_secured(response)


def test_who_may_frame_the_pages_is_a_setting(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FRAME_ANCESTORS", "'none'")
    response = client.get("/login")
    assert_secured(response, frame_ancestors="'none'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_embeddable_view_loosens_framing_for_itself_alone(database_url):
    """A fresh app: routes cannot be added to the shared one once it has served a request."""
    widget_app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
    )

    @widget_app.route("/widget-example")
    @public
    @headers.frame_ancestors("https://developer.example")
    def widget_example():
        return "виджет"

    client = widget_app.test_client()
    embedded = client.get("/widget-example")
    assert_secured(embedded, frame_ancestors="https://developer.example")
    assert "X-Frame-Options" not in embedded.headers  # it cannot name another site
    assert directives(client.get("/login"))["frame-ancestors"] == "'self'"
