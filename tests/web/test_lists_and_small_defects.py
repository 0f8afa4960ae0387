"""Small defects a new user hit in lists and pages (issue 13, § 3)."""

from __future__ import annotations

import re

from engine.sales import use_cases as reservations
from models.sales.reservation import Channel
from models.users.user import Role


def test_the_premise_list_sorts_numbers_as_numbers(client, login_as, make_building, make_premise):
    building = make_building()
    for number in ("100", "2", "10", "1"):
        make_premise(building, number=number, price="5000000")
    login_as(Role.sales_manager)
    page = client.get("/premises").get_data(as_text=True)
    shown = re.findall(r'href="/premises/\d+">(?:[^<]*№ )?(\d+)<', page)
    assert shown == ["1", "2", "10", "100"]


def test_the_favicon_is_served(client):
    answer = client.get("/favicon.ico", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"


def test_all_managers_lists_the_sales_staff_only(
    client, login_as, make_user, db_session, make_building, make_premise, make_client
):
    for role, name in (
        (Role.sales_manager, "Петрова Анна"),
        (Role.head_of_sales, "Сидоров Олег"),
        (Role.analyst, "Аналитикова Вера"),
        (Role.lawyer, "Юристов Иван"),
    ):
        make_user(role, full_name=name)
    login_as(Role.sales_manager)
    page = client.get("/reservations").get_data(as_text=True)
    options = re.search(r'name="manager_id">(.*?)</select>', page, re.S).group(1)
    assert "Петрова Анна" in options and "Сидоров Олег" in options
    assert "Аналитикова Вера" not in options and "Юристов Иван" not in options
    assert "Администратор" not in options

    admin = make_user(Role.admin, full_name="Админов Пётр")  # an admin who took a reservation
    premise = make_premise(make_building(), number="7", price="5000000")
    reservations.reserve(db_session, premise.id, make_client(), channel=Channel.offline, user=admin)
    db_session.commit()
    page = client.get("/reservations").get_data(as_text=True)
    assert "Админов Пётр" in re.search(r'name="manager_id">(.*?)</select>', page, re.S).group(1)


def active_tab(page: str) -> str:
    return re.search(r'class="nav-link active"[^>]*data-testid="tab-(\w+)"', page).group(1)


def test_the_inbox_opens_on_the_tab_that_has_work_for_this_person(
    client, login_as, db_session, make_building, make_premise, manager
):
    from engine.core import runtime

    login_as(Role.head_of_sales)
    assert active_tab(client.get("/inbox/").get_data(as_text=True)) == "mine"  # nothing at all

    building = make_building()
    for number in ("1", "2", "3"):  # three approvals wait, none assigned to anyone
        premise = make_premise(building, number=number, price="10000000")
        instance = runtime.start(
            db_session,
            "price_change",
            data={"premise_number": number, "current_price": "10000000.00"},
            business_keys={"premise_id": premise.id},
            user=manager,
        )
        [propose] = instance_tasks(db_session, instance.id)
        runtime.complete(db_session, propose.id, manager, {"new_price": "5000000", "reason": "x"})
    db_session.commit()

    page = client.get("/inbox/").get_data(as_text=True)
    assert active_tab(page) == "available"
    assert page.count("Согласовать цену №") == 3
    assert active_tab(client.get("/inbox/?tab=mine").get_data(as_text=True)) == "mine"


def instance_tasks(db_session, instance_id):
    from sqlalchemy import select

    from models.process.human_task import HumanTask, HumanTaskStatus

    return db_session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open
        )
    ).all()


def test_process_data_on_the_monitor_is_shown_in_letters_not_escapes(
    client, login_as, db_session, make_building, make_premise, manager
):
    from engine.core import runtime

    premise = make_premise(make_building(), number="5", price="10000000")
    instance = runtime.start(
        db_session,
        "price_change",
        data={"premise_number": "5", "current_price": "10000000.00", "note": "Иванов"},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    db_session.commit()
    login_as(Role.admin)
    page = client.get(f"/processes/instances/{instance.id}").get_data(as_text=True)
    data = re.search(r'data-testid="instance-data">(.*?)</pre>', page, re.S).group(1)
    assert "Иванов" in data
    assert "\\u04" not in data


def test_an_http_error_without_a_page_of_its_own_is_answered_in_russian(client):
    answer = client.get("/static/app.css", headers={"Range": "bytes=99999999-"})
    assert answer.status_code == 416
    page = answer.get_data(as_text=True)
    assert "Запрос не выполнен" in page
    assert "Range Not Satisfiable" not in page
