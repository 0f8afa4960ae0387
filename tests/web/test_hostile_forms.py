"""Every form the app shows, submitted with each of its fields set to something hostile (a NUL
byte, an id of 2^63, the year 1, thousands of digits): a page with a message, a redirect or a
4xx, never an error of the server. The forms are found on the pages themselves, so a new form
is probed without this test knowing of it. tests/web/test_hostile_input.py has the messages."""

from __future__ import annotations

import pytest
from lxml import html

from models.users.user import Role
from tests.factories import catalog, clients
from web.extensions import db

HOSTILE = ["x\x00y", str(2**63), "01.01.0001", "0001-01-01T00:00", "9" * 5000]


def pages(app):
    """Every GET page, its ids 1 and its words «x»."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static", "/api/", "/auth")):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "x")
        yield path


def post_forms(page: bytes, path: str):
    """(action, the values the form is shown with, its field names) of each POST form."""
    tree = html.fromstring(page)
    for form in tree.xpath("//form[translate(@method, 'POST', 'post') = 'post']"):
        names = {e.get("name") for e in form.xpath(".//*[@name]")} - {"csrf_token"}
        yield form.get("action") or path, dict(form.form_values()), names


@pytest.mark.parametrize("role", [Role.admin, Role.sales_manager])
def test_no_form_of_the_app_answers_hostile_input_with_a_500(app, client, login_as, role):
    building = catalog.building(db.session)
    catalog.premise(db.session, building)
    clients.client(db.session, "Иванов Иван", "+79161112233")
    login_as(role)
    probed, failed = set(), []
    for path in pages(app):
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for action, shown, names in post_forms(response.data, path):
            if action in probed or "logout" in action:
                continue
            probed.add(action)
            for name in sorted(names):
                for value in HOSTILE:
                    answer = client.post(action, data={**shown, name: value})
                    if answer.status_code >= 500:
                        failed.append((action, name, value[:20]))

    assert len(probed) > 10  # the forms were found
    assert failed == []
