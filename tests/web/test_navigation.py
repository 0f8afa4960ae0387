"""The left sidebar groups the menu by area and shows each role only the groups it may open."""

from __future__ import annotations

import pytest
from lxml import html

from models.users.user import Role


def sidebar(client) -> dict[str, list[str]]:
    tree = html.fromstring(client.get("/projects").data)
    return {
        group.xpath("string(.//h3)").strip(): [
            a.text_content().strip() for a in group.xpath(".//a")
        ]
        for group in tree.xpath('//*[@data-testid="sidebar"]//*[@data-testid="nav-group"]')
    }


@pytest.mark.parametrize(
    ("role", "groups"),
    [
        (
            Role.admin,
            {
                "Продажи": ["Объекты", "Помещения", "Брони"],
                "Клиенты": ["Клиенты"],
                "Процессы": ["Входящие", "Процессы"],
                "Администрирование": ["Сотрудники", "Настройки", "Рассылка"],
            },
        ),
        (
            Role.head_of_sales,
            {
                "Продажи": ["Объекты", "Помещения", "Брони"],
                "Клиенты": ["Клиенты"],
                "Процессы": ["Входящие", "Процессы"],
                "Администрирование": ["Настройки", "Рассылка"],
            },
        ),
        (
            Role.lawyer,
            {"Продажи": ["Объекты", "Помещения"], "Процессы": ["Входящие", "Процессы"]},
        ),
    ],
)
def test_each_role_sees_only_the_groups_it_has_entries_in(client, login_as, role, groups):
    login_as(role)

    assert sidebar(client) == groups


def test_the_top_bar_keeps_only_search_notifications_and_the_user(client, login_as):
    login_as(Role.sales_manager)
    tree = html.fromstring(client.get("/projects").data)
    bar = tree.xpath('//*[@data-testid="topbar"]')[0]

    links = [a.text_content().split()[0] for a in bar.xpath(".//a")]
    assert links == ["Продажи", "Уведомления"]
    assert bar.xpath('.//*[@data-testid="client-search"]')
    assert "Администрирование" not in sidebar(client)


def test_the_page_being_read_is_marked_in_the_sidebar(client, login_as):
    login_as(Role.head_of_sales)
    tree = html.fromstring(client.get("/admin/settings").data)

    active = tree.xpath('//*[@data-testid="sidebar"]//a[@aria-current="page"]')
    assert [a.text_content().strip() for a in active] == ["Настройки"]
