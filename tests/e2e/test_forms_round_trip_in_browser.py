"""Every edit form in a real Chromium, saved without touching anything, changes nothing (issue 13,
§ 2: the premise form once showed «49,35» in a number input as empty and erased the areas).

The forms are opened as a role allowed to: the head of sales for the catalog, the client cards
and the business settings; the admin for the employees, the notification texts and the login
settings. Before and after each save the whole database is read (the server shares it with the
test): every row of every table must be the same, so no column changed and no history, change or
audit row appeared.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.clients import use_cases as clients
from engine.notifications import templates as message_templates
from models.catalog.objects import Building, Premise, PremiseStatus, Project
from models.clients.card import clean_card, confirmed_columns
from models.clients.client import Client, ClientKind
from models.settings.store import DEFINITIONS, set_setting
from models.users.user import User
from tests.e2e.browser_support import log_in
from web.extensions import db

pytestmark = pytest.mark.e2e

HEAD = "head_of_sales@demo.local"
ADMIN = "admin@demo.local"


def database_rows() -> dict[str, dict]:
    """Every row of every table, by primary key."""
    rows = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        rows[table.name] = {
            tuple(row[c.name] for c in key): dict(row)
            for row in db.session.execute(select(table)).mappings()
        }
    db.session.rollback()  # hold no transaction while the server writes
    return rows


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    found = []
    for table, old in before.items():
        new = after[table]
        for key in new.keys() - old.keys():
            found.append(f"{table}: новая строка {new[key]}")
        for key in old.keys() - new.keys():
            found.append(f"{table}: удалена строка {old[key]}")
        for key in old.keys() & new.keys():
            changed = {
                c: (old[key][c], new[key][c]) for c in old[key] if old[key][c] != new[key][c]
            }
            if changed:
                found.append(f"{table} {key}: {changed}")
    return found


def prepared_records() -> dict:
    """The demo data, plus what the demo lacks: areas and a price that are not whole numbers,
    text in several lines, two client cards, stored settings and an overridden notification."""
    project = db.session.scalars(select(Project)).first()
    project.description = "Комфорт-класс у парка.\nДва корпуса, подземный паркинг."
    free, held = (
        db.session.scalars(
            select(Premise).where(Premise.status == status).order_by(Premise.id).limit(1)
        ).one()
        for status in (PremiseStatus.available, PremiseStatus.reserved)
    )
    free.living_area, free.kitchen_area = Decimal("19.35"), Decimal("10.50")
    free.price = Decimal("12269000.55")
    manager = db.session.scalars(select(User).where(User.email == "sales_manager@demo.local")).one()
    person = _client(
        ClientKind.person,
        {
            "full_name": "Орлова Вера Николаевна",
            "phones": ["+79774182953", "+79161112233"],
            "emails": ["vera.orlova@buyer.ru"],
            "birth_date": "17.05.1990",
            "passport_series": "4510",
            "passport_number": "123456",
            "passport_issued_by": "ОВД «Северное» г. Москвы",
            "passport_issued_on": "20.06.2010",
            "registration_address": "г. Москва, ул. Лесная, д. 1, кв. 5",
            "inn": "500100732259",
            "snils": "112-233-445 95",
        },
        manager.id,
    )
    person.confirmed_fields = sorted(confirmed_columns(["passport", "inn"]))
    company = _client(
        ClientKind.company,
        {
            "full_name": "ООО «Ромашка»",
            "phones": ["+74951234567"],
            "emails": ["office@romashka.ru"],
            "inn": "7707083893",
            "kpp": "773601001",
            "ogrn": "1027700132195",
            "representative": "Иванов И. И., генеральный директор",
        },
        None,
    )
    set_setting(db.session, "reservation.paid_fee", "75000,50")
    set_setting(db.session, "reservation.term.offline", "P5D", project_id=project.id)
    overridden = message_templates.all_keys()[1]
    text = message_templates.default_text(*overridden)
    message_templates.save(
        db.session,
        overridden,
        subject=text.subject,
        body=text.body + "\nС уважением, отдел продаж",
        user_id=None,
    )
    db.session.commit()
    records = {
        "project": project.id,
        "buildings": db.session.scalars(select(Building.id).order_by(Building.id)).all(),
        "premises": [free.id, held.id],
        "clients": [person.id, company.id],
        "users": db.session.scalars(select(User.id).order_by(User.id)).all(),
    }
    db.session.rollback()
    return records


def _client(kind: ClientKind, raw: dict, manager_id: int | None) -> Client:
    data = clean_card(raw, kind=kind, today=date(2026, 1, 15))
    return clients.create(db.session, data, kind=kind, manager_id=manager_id, user_id=None)


def edit_pages(records: dict) -> list[tuple[str, str, str, str]]:
    """(who, what, address, the save button's text) of every edit form with a stored record."""
    pages = [(HEAD, "ЖК", f"/projects/{records['project']}/edit", "Сохранить")]
    pages += [(HEAD, "корпус", f"/buildings/{i}/edit", "Сохранить") for i in records["buildings"]]
    pages += [(HEAD, "помещение", f"/premises/{i}/edit", "Сохранить") for i in records["premises"]]
    pages += [(HEAD, "клиент", f"/clients/{i}/edit", "Сохранить") for i in records["clients"]]
    pages += [(ADMIN, "сотрудник", f"/admin/users/{i}", "Сохранить") for i in records["users"]]
    for key in message_templates.all_keys():
        query = urlencode(dict(zip(("event", "audience", "channel"), key, strict=True)))
        pages.append(
            (ADMIN, f"текст {key}", f"/admin/notifications/templates/edit?{query}", "Сохранить")
        )
    return pages


def setting_pages(records: dict) -> list[tuple[str, str, str]]:
    """(what, settings page, key) of every per-key form: the global values and a project's."""
    pages = [(f"настройка {key}", "/admin/settings", key) for key in DEFINITIONS]
    project_page = f"/admin/settings?project={records['project']}"
    pages += [
        (f"настройка {key} для ЖК", project_page, key)
        for key, definition in DEFINITIONS.items()
        if definition.per_project
    ]
    return pages


def refusal(page) -> str | None:
    """The messages of a form that refused its own values, if it did."""
    messages = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    return "; ".join(messages) or None


def test_every_edit_form_saved_unchanged_changes_nothing(
    new_page, live_server, demo_data, screenshot_dir
):
    records = prepared_records()
    tabs = {}
    for email in (HEAD, ADMIN):
        tabs[email] = new_page()
        log_in(tabs[email], live_server, email)
    problems: dict[str, list[str]] = {}

    def save_unchanged(what: str, page, submit) -> None:
        before = database_rows()
        with page.expect_navigation():
            submit.click()
        refused = refusal(page)
        found = differences(before, database_rows())
        if refused:
            found.append(f"форма не сохранилась: {refused}")
        if found:
            problems[what] = found

    for who, what, address, button in edit_pages(records):
        page = tabs[who]
        page.goto(f"{live_server}{address}")
        form = page.locator("main form[method='post']").filter(
            has=page.get_by_role("button", name=button, exact=True)
        )
        if what == "помещение" and address.endswith(f"/{records['premises'][0]}/edit"):
            expect(page.get_by_label("Жилая площадь, м²")).to_have_value("19,35")
            expect(page.get_by_label("Цена, ₽")).to_have_value("12\u00a0269\u00a0000,55")
            page.screenshot(path=str(screenshot_dir / "round-trip-premise.png"), full_page=True)
        save_unchanged(f"{what} ({address})", page, form.get_by_role("button", name=button))

    for what, address, key in setting_pages(records):
        page = tabs[ADMIN if DEFINITIONS[key].admin_only else HEAD]  # the login settings
        page.goto(f"{live_server}{address}")
        row = page.locator(f'[id="setting-{key}"]')
        save_unchanged(what, page, row.get_by_role("button", name="Сохранить", exact=True))

    report = "\n".join(f"{what}:\n  " + "\n  ".join(found) for what, found in problems.items())
    assert problems == {}, f"saved unchanged, these forms changed the database:\n{report}"
