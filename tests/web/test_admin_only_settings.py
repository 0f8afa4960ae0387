"""The login lock and how long a login is remembered are security settings: the head of sales
sees them on the settings page but only the administrator changes them (the command line too)."""

from __future__ import annotations

import pytest
from lxml import html
from sqlalchemy import func, select

from models.settings.store import (
    DEFINITIONS,
    Setting,
    SettingAdminOnly,
    get_setting,
    reset_setting,
    set_setting,
)
from models.users.user import Role
from web.extensions import db

SECURITY = sorted(key for key, definition in DEFINITIONS.items() if definition.admin_only)


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Setting))


def test_the_login_settings_are_the_administrators():
    assert SECURITY == [
        "login.account_failures",
        "login.address_failures",
        "login.failure_window",
        "login.remember_for",
    ]


@pytest.mark.parametrize("key", SECURITY)
def test_the_head_of_sales_cannot_change_or_reset_them(client, login_as, key):
    login_as(Role.head_of_sales)
    prefix = key.replace(".", "_")
    value = "PT30M" if DEFINITIONS[key].type.value == "duration" else "20"
    before = rows()

    saved = client.post(f"/admin/settings/{key}", data={f"{prefix}-value": value})
    reset = client.post(f"/admin/settings/{key}/reset")

    assert (saved.status_code, reset.status_code) == (403, 403)
    assert "Доступ запрещён" in saved.get_data(as_text=True)
    assert rows() == before


def test_the_page_shows_the_head_of_sales_who_changes_them(client, login_as):
    login_as(Role.head_of_sales)
    tree = html.fromstring(client.get("/admin/settings").data)
    for key in SECURITY:
        row = tree.xpath(f'//tr[@id="setting-{key}"]')[0]
        assert row.xpath(".//form") == []
        assert "меняет администратор" in row.text_content()
    sales = tree.xpath('//tr[@id="setting-reservation.term.online"]')[0]
    assert sales.xpath(".//form")  # the sales settings stay the head's


def test_the_administrator_changes_them(client, login_as):
    login_as(Role.admin)
    answer = client.post(
        "/admin/settings/login.account_failures", data={"login_account_failures-value": "7"}
    )
    assert answer.status_code == 302
    assert get_setting(db.session, "login.account_failures") == 7


def test_the_rule_holds_below_the_web(app):
    with pytest.raises(SettingAdminOnly) as refused:
        set_setting(db.session, "login.remember_for", "P1D", role=Role.head_of_sales)
    assert refused.value.message == (
        "Эту настройку меняет только администратор: Срок «Запомнить меня»"
    )
    with pytest.raises(SettingAdminOnly):
        reset_setting(db.session, "login.remember_for", role=Role.sales_manager)
    set_setting(db.session, "login.remember_for", "P1D")  # the command line
    set_setting(db.session, "login.remember_for", "P2D", role=Role.admin)
    assert reset_setting(db.session, "login.remember_for", role=Role.admin)
