"""Demo data passes the product's own validation (issue 13, § 3): every demo entity that has an
edit form is saved through it with exactly what its edit page shows, and nothing changes.

The values are the ones a browser would send: the page's form read with lxml (`form_values()`
leaves out disabled fields and unticked boxes, as a browser does; the one newline right after
`<textarea>` is dropped, as HTML parsing in a browser does)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from lxml import html
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import MultiDict

from models.catalog.objects import Building, Premise, PremiseChange, Project
from models.clients.client import Client, ClientChange
from models.users.user import User
from web.demo import load

SAMPLE = 20  # premises of each kind and of each status
NOT_COMPARED = {"updated_at", "version", "version_id"}


@pytest.fixture
def demo(db_session, login_as):
    load(db_session)
    db_session.commit()
    return login_as("admin")


def shown_form(client, url: str) -> MultiDict:
    """What the edit page's own form (the POST one that posts back to the page) would send."""
    page = client.get(url)
    assert page.status_code == 200, url
    forms = [
        form
        for form in html.fromstring(page.get_data(as_text=True)).forms
        if form.method.upper() == "POST" and not form.get("action")
    ]
    assert len(forms) == 1, f"{url}: {len(forms)} edit forms"
    textareas = {el.name for el in forms[0].inputs if el.tag == "textarea"}
    return MultiDict(
        (name, _browser_textarea(value) if name in textareas else value)
        for name, value in forms[0].form_values()
    )


def _browser_textarea(value: str) -> str:
    return value[2:] if value.startswith("\r\n") else value.removeprefix("\n")


def columns(entity) -> dict:
    return {
        attr.key: getattr(entity, attr.key)
        for attr in inspect(entity).mapper.column_attrs
        if attr.key not in NOT_COMPARED
    }


def saved_unchanged(client, db_session, url: str, entity, *extra) -> None:
    """Post the page's form as shown: accepted (a redirect), and the entity is as it was."""
    before = columns(entity), [e() for e in extra]
    answer = client.post(url, data=shown_form(client, url))
    assert answer.status_code == 302, f"{url}: {answer.get_data(as_text=True)[:3000]}"
    db_session.expire_all()
    assert (columns(entity), [e() for e in extra]) == before, url


def test_every_demo_project_and_building_is_saved_unchanged_through_its_form(
    client, db_session, demo
):
    projects = db_session.scalars(select(Project)).all()
    buildings = db_session.scalars(select(Building)).all()
    assert projects and len(buildings) >= 2

    for project in projects:
        saved_unchanged(client, db_session, f"/projects/{project.id}/edit", project)
    for building in buildings:
        sections = lambda b=building: len(b.sections)  # noqa: E731
        saved_unchanged(client, db_session, f"/buildings/{building.id}/edit", building, sections)


def test_demo_premises_of_every_kind_and_status_are_saved_unchanged_through_their_form(
    client, db_session, demo
):
    sample: dict[int, Premise] = {}
    by_kind, by_status = defaultdict(list), defaultdict(list)
    for premise in db_session.scalars(select(Premise).order_by(Premise.id)):
        by_kind[premise.kind].append(premise)
        by_status[premise.status].append(premise)
    for group in (*by_kind.values(), *by_status.values()):
        step = max(len(group) // SAMPLE, 1)  # spread over both buildings
        sample.update((p.id, p) for p in group[::step][:SAMPLE])
    assert len(by_kind) == 4 and len(by_status) == 6  # held ones too: reserved, paid

    def history(premise_id: int):
        return lambda: db_session.scalar(
            select(func.count()).where(PremiseChange.premise_id == premise_id)
        )

    for premise in sample.values():
        saved_unchanged(
            client, db_session, f"/premises/{premise.id}/edit", premise, history(premise.id)
        )


def test_every_demo_client_is_saved_unchanged_through_the_card_form(client, db_session, demo):
    clients = db_session.scalars(select(Client).order_by(Client.id)).all()
    assert len(clients) >= 30

    for card in clients:

        def contacts(card=card):
            return sorted(p.phone for p in card.phones), sorted(e.email for e in card.emails)

        def changes(card=card):
            return db_session.scalar(select(func.count()).where(ClientChange.client_id == card.id))

        saved_unchanged(client, db_session, f"/clients/{card.id}/edit", card, contacts, changes)


def test_every_demo_employee_is_saved_unchanged_through_the_form_their_page_shows(
    client, db_session, demo
):
    employees = db_session.scalars(select(User).where(User.email.like("%@demo.local"))).all()
    assert len(employees) == 7

    for employee in employees:
        saved_unchanged(client, db_session, f"/admin/users/{employee.id}", employee)
