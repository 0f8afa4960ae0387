"""The settings page and `flask --app web settings` as the head of sales and an admin use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import html
from sqlalchemy import func, select

from models.settings.store import DEFINITIONS, Setting, get_setting, set_setting
from models.users.user import Role
from web.extensions import db

ONLINE = "reservation.term.online"
FORM = "reservation_term_online-value"  # the form's prefix is the key with dots as underscores


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Setting))


def cell(page: bytes, key: str, testid: str) -> str:
    tree = html.fromstring(page)
    found = tree.xpath(f'//tr[@id="setting-{key}"]//*[@data-testid="{testid}"]')
    return " ".join(found[0].text_content().split()) if found else ""


def field_errors(page: bytes, name: str) -> list[str]:
    tree = html.fromstring(page)
    group = tree.xpath(f'//*[@name="{name}"]/ancestor::div[contains(@class, "mb-3")][1]')[0]
    return [
        e.text_content().strip() for e in group.xpath('.//*[@class="invalid-feedback d-block"]')
    ]


def flashes(page: bytes) -> list[str]:
    return [
        " ".join(a.text_content().split())
        for a in html.fromstring(page).xpath("//*[@role='alert']")
    ]


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize("role", [Role.admin, Role.head_of_sales])
def test_the_page_lists_every_setting_with_label_default_and_value(client, login_as, role):
    login_as(role)
    set_setting(db.session, "reservation.term.offline", "P5D")
    db.session.commit()

    page = client.get("/admin/settings")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Срок онлайн-брони" in text and "Стоимость платной брони" in text
    assert cell(page.data, "reservation.term.offline", "default") == "P3D — 3 дня"
    assert cell(page.data, "reservation.term.offline", "global").startswith("P5D — 5 дней")
    assert "из командной строки" in cell(page.data, "reservation.term.offline", "global")
    assert cell(page.data, ONLINE, "global") == "как по умолчанию"


def test_a_sales_manager_may_not_open_or_change_the_settings(client, login_as):
    login_as(Role.sales_manager)
    assert client.get("/admin/settings").status_code == 403
    assert client.post(f"/admin/settings/{ONLINE}", data={FORM: "P9D"}).status_code == 403
    assert client.post(f"/admin/settings/{ONLINE}/reset").status_code == 403
    assert rows() == 0


def test_the_head_of_sales_changes_a_term_and_the_change_is_recorded(client, login_as):
    head = login_as(Role.head_of_sales)

    response = client.post(f"/admin/settings/{ONLINE}", data={FORM: "pt36h"}, follow_redirects=True)

    assert response.status_code == 200
    assert "Сохранено: «Срок онлайн-брони» = PT36H — 36 часов" in flashes(response.data)
    assert get_setting(db.session, ONLINE) == timedelta(hours=36)
    row = db.session.scalars(select(Setting)).one()
    assert row.updated_by_id == head.id
    assert head.display_name in cell(response.data, ONLINE, "global")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3 дня", "Срок указывается в формате ISO 8601, например P3D (3 дня)"),
        ("-P1D", "Срок не может быть отрицательным"),
        ("P0D", "Срок должен быть больше нуля"),
        ("", "Укажите значение"),
    ],
)
def test_a_wrong_term_is_shown_next_to_its_field_and_nothing_is_written(
    client, login_as, value, message
):
    login_as(Role.admin)

    response = client.post(f"/admin/settings/{ONLINE}", data={FORM: value})

    assert response.status_code == 422
    assert field_errors(response.data, FORM)[0].startswith(message)
    assert html.fromstring(response.data).xpath(f'//*[@name="{FORM}"]/@value') == [value]
    assert rows() == 0


def test_a_limit_below_one_is_refused(client, login_as):
    login_as(Role.head_of_sales)
    name = "reservation_max_per_client-value"
    response = client.post("/admin/settings/reservation.max_per_client", data={name: "0"})
    assert response.status_code == 422
    assert field_errors(response.data, name) == ["Значение должно быть не меньше 1"]
    assert rows() == 0


def test_a_project_override_is_set_shown_and_removed(client, login_as, make_project):
    login_as(Role.head_of_sales)
    project = make_project("Северный")
    url = f"/admin/settings/{ONLINE}?project={project.id}"

    page = client.post(url, data={FORM: "P2D"}, follow_redirects=True)

    assert cell(page.data, ONLINE, "override").startswith("P2D — 2 дня")
    assert cell(page.data, ONLINE, "global") == "как по умолчанию"
    assert get_setting(db.session, ONLINE, project.id) == timedelta(days=2)
    assert get_setting(db.session, ONLINE) == timedelta(days=1)
    assert "Убрать переопределение" in page.get_data(as_text=True)

    page = client.post(
        f"/admin/settings/{ONLINE}/reset?project={project.id}", follow_redirects=True
    )

    assert "«Срок онлайн-брони»: переопределение убрано" in flashes(page.data)
    assert cell(page.data, ONLINE, "override") == "не задано, действует P1D — 1 день"
    assert rows() == 0


def test_a_global_only_setting_cannot_be_overridden_for_a_project(client, login_as, make_project):
    login_as(Role.admin)
    project = make_project()
    name = "reservation_max_per_client-value"

    page = client.get(f"/admin/settings?project={project.id}")
    assert cell(page.data, "reservation.max_per_client", "override") == "одно для всех проектов"

    url = f"/admin/settings/reservation.max_per_client?project={project.id}"
    response = client.post(url, data={name: "5"})
    assert response.status_code == 422
    assert "задаётся только для всех проектов" in response.get_data(as_text=True)
    assert rows() == 0


def test_reset_returns_a_global_value_to_its_default(client, login_as):
    login_as(Role.admin)
    set_setting(db.session, "reservation.paid_fee", "75000")
    db.session.commit()

    page = client.post("/admin/settings/reservation.paid_fee/reset", follow_redirects=True)

    assert "«Стоимость платной брони»: возвращено значение по умолчанию" in flashes(page.data)
    assert rows() == 0


def test_an_unknown_key_or_project_is_not_found(client, login_as):
    login_as(Role.admin)
    assert client.post("/admin/settings/no.such.key", data={"x": "1"}).status_code == 404
    assert client.get("/admin/settings?project=999").status_code == 404


def test_a_change_without_the_csrf_token_is_refused(app, client, login_as, monkeypatch):
    login_as(Role.admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/settings/{ONLINE}", data={FORM: "P2D"}).status_code == 400
    assert rows() == 0


# ---------------------------------------------------------------- the command line


def test_list_prints_every_key_with_its_value_and_source(app, make_project):
    project = make_project()
    set_setting(db.session, ONLINE, "P2D")
    set_setting(db.session, "reservation.term.paid", "P3W", project_id=project.id)
    db.session.commit()

    lines = run(app, "settings", "list", "--project", str(project.id)).output.splitlines()

    assert f"{ONLINE}\tP2D — 2 дня\tобщее" in lines
    assert f"reservation.term.paid\tP3W — 3 недели\tпроект {project.id}" in lines
    assert "reservation.reminder_before\tPT12H — 12 часов\tпо умолчанию" in lines
    assert len(lines) == len(DEFINITIONS)


def test_set_prints_the_new_value(app):
    result = run(app, "settings", "set", "reservation.max_per_client", "3")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "reservation.max_per_client = 3"
    assert get_setting(db.session, "reservation.max_per_client") == 3


def test_set_for_a_project_then_reset(app, make_project):
    project = make_project()
    result = run(app, "settings", "set", ONLINE, "PT12H", "--project", str(project.id))
    assert result.output.strip() == f"{ONLINE} = PT12H — 12 часов (проект {project.id})"

    result = run(app, "settings", "reset", ONLINE, "--project", str(project.id))
    assert result.exit_code == 0
    assert result.output.strip() == f"{ONLINE}: значение (проект {project.id}) убрано"
    assert rows() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no.such.key", "1"), "Неизвестная настройка «no.such.key»"),
        ((ONLINE, "-P1D"), "Срок не может быть отрицательным"),
        (("reservation.max_per_client", "-1"), "Значение должно быть не меньше 1"),
        ((ONLINE, "P1D", "--project", "999"), "Проект (ЖК) с номером 999 не найден"),
    ],
)
def test_set_refuses_bad_input_with_a_russian_error_and_a_failure_code(app, args, message):
    result = run(app, "settings", "set", *args)
    assert result.exit_code == 1
    assert f"Ошибка: {message}" in result.output
    assert rows() == 0


def test_list_for_an_unknown_project_fails(app):
    result = run(app, "settings", "list", "--project", "999")
    assert result.exit_code == 1
    assert "Ошибка: Проект (ЖК) с номером 999 не найден" in result.output
