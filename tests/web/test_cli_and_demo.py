"""Command-line verbs: `flask users create` and `flask demo load`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g
from lxml import html
from sqlalchemy import func, select

from engine.sales.consistency import held_without_process
from models.catalog.objects import Building, Premise, PremiseStatus, Project
from models.clients.client import Client, Consent, ConsentKind
from models.crm.history import CrmTask, Interaction
from models.notifications.outbox import MessageStatus, OutboundMessage
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance, ProcessStatus
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Reservation, ReservationStatus
from models.settings.store import set_setting
from models.users.user import Role, User
from web.demo import load
from web.extensions import db

# A Monday, 12:30 in Moscow: the demo's "now" where a test needs a fixed one.
DEMO_NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


# ---------------------------------------------------------------- users create


def test_admin_creates_an_employee_from_the_command_line(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        " Ivanova@Example.RU ",
        "--role",
        "sales_manager",
        "--name",
        "Иванова Мария",
        input="Kvartira-na-Neve-7\nKvartira-na-Neve-7\n",
    )

    assert result.exit_code == 0, result.output
    assert "Создан сотрудник ivanova@example.ru с ролью sales_manager" in result.output
    created = user("ivanova@example.ru")
    assert (created.role, created.full_name, created.is_active) == (
        Role.sales_manager,
        "Иванова Мария",
        True,
    )
    assert created.check_password("Kvartira-na-Neve-7")
    assert not created.check_password("kvartira-na-Neve-7")


def test_second_employee_with_the_same_email_is_refused(app, make_user):
    make_user(Role.lawyer, email="lawyer@example.ru")
    db.session.commit()  # the refused command rolls back its own work, not the test's rows

    result = run(
        app,
        *("users", "create", "--email", "LAWYER@example.ru", "--role", "analyst"),
        input="Kvartira-na-Neve-7\nKvartira-na-Neve-7\n",
    )

    assert result.exit_code == 1
    assert "сотрудник lawyer@example.ru уже есть" in result.output
    assert count(User) == 1
    assert user("lawyer@example.ru").role == Role.lawyer


def test_unknown_role_is_refused_and_the_roles_are_listed(app):
    result = run(
        app,
        *("users", "create", "--email", "boss@example.ru", "--role", "boss"),
        input="Kvartira-na-Neve-7\nKvartira-na-Neve-7\n",
    )

    assert result.exit_code == 2
    assert "'boss'" in result.output
    for role in Role:
        assert role.value in result.output
    assert count(User) == 0


def test_passwords_that_differ_are_asked_again(app):
    result = run(
        app,
        *("users", "create", "--email", "a@example.ru", "--role", "admin"),
        input="first-pass-1\nsecond-pass-2\nfinal-pass-99\nfinal-pass-99\n",
    )

    assert result.exit_code == 0, result.output
    assert user("a@example.ru").check_password("final-pass-99")


def test_too_short_password_is_refused(app):
    result = run(
        app,
        *("users", "create", "--email", "a@example.ru", "--role", "admin"),
        input="pw\npw\n",
    )

    assert result.exit_code == 2
    assert "Пароль должен быть не короче 10 символов" in result.output
    assert count(User) == 0


def test_email_without_at_sign_is_refused(app):
    result = run(
        app,
        *("users", "create", "--email", "nobody", "--role", "admin"),
        input="Kvartira-na-Neve-7\nKvartira-na-Neve-7\n",
    )

    assert result.exit_code == 2
    assert "адрес эл. почты указан неверно" in result.output
    assert count(User) == 0


# ---------------------------------------------------------------- demo load


def test_demo_load_builds_a_project_with_premises_of_every_kind_and_one_user_per_role(app):
    result = run(app, "demo", "load")

    assert result.exit_code == 0, result.output
    assert count(Project) == 1
    assert count(Building) >= 2
    premises = count(Premise)
    assert premises >= 580
    assert f"{premises} помещений" in result.output
    kinds = db.session.execute(select(Premise.kind, func.count()).group_by(Premise.kind)).all()
    assert len(kinds) >= 3, kinds
    statuses = db.session.scalars(select(Premise.status).distinct()).all()
    assert len(statuses) >= 4, statuses
    per_building = db.session.scalars(
        select(func.count(Premise.id)).group_by(Premise.building_id)
    ).all()
    assert len(per_building) >= 2 and min(per_building) > 0
    for role in Role:
        demo_user = user(f"{role.value}@demo.local")
        assert demo_user is not None, role
        assert demo_user.role == role
        assert demo_user.check_password("demo")


def test_demo_load_if_empty_does_nothing_the_second_time(app):
    first = run(app, "demo", "load", "--if-empty")
    assert first.exit_code == 0, first.output
    counts = (count(Project), count(Building), count(Premise), count(User))

    second = run(app, "demo", "load", "--if-empty")

    assert second.exit_code == 0, second.output
    assert "Демо-данные не нужны" in second.output
    assert (count(Project), count(Building), count(Premise), count(User)) == counts


def test_demo_load_keeps_existing_employees(app, make_user):
    existing = make_user(Role.admin, email="admin@demo.local", full_name="Настоящий админ")

    result = run(app, "demo", "load")

    assert result.exit_code == 0, result.output
    kept = user("admin@demo.local")
    assert (kept.id, kept.full_name) == (existing.id, "Настоящий админ")
    assert kept.check_password("secret")
    assert count(User) == len(Role)


def test_a_second_demo_load_is_refused_and_adds_nothing(app):
    assert run(app, "demo", "load").exit_code == 0
    counts = (count(Project), count(Client), count(Reservation), count(ProcessInstance))

    again = run(app, "demo", "load")

    assert again.exit_code == 1
    assert "Демо-данные уже загружены: ЖК «Северный парк» есть в базе" in again.output
    assert (count(Project), count(Client), count(Reservation), count(ProcessInstance)) == counts


def test_a_setting_that_forbids_a_step_of_the_demo_is_named_and_nothing_is_loaded(app):
    set_setting(db.session, "reservation.max_per_client", "1")
    db.session.commit()

    result = run(app, "demo", "load")

    assert result.exit_code == 1
    assert "Демо-данные не загружены: У клиента уже 1 активных брони — это предел" in result.output
    assert "Traceback" not in result.output
    assert (count(Project), count(Client), count(Reservation), count(User)) == (0, 0, 0, 0)


# ---------------------------------------------------------------- the department in the demo


def open_tasks_of(role: Role) -> list[str]:
    return db.session.scalars(
        select(HumanTask.title).where(
            HumanTask.status == HumanTaskStatus.open, HumanTask.role == role
        )
    ).all()


def test_demo_load_shows_a_sales_department_in_the_middle_of_its_month(app, clock):
    load(db.session, now=DEMO_NOW)
    db.session.commit()

    states = dict(
        db.session.execute(
            select(Reservation.status, func.count()).group_by(Reservation.status)
        ).all()
    )
    assert set(states) == set(ReservationStatus), states
    assert states[ReservationStatus.active] >= 25
    starts = db.session.scalars(select(Reservation.starts_at)).all()
    assert DEMO_NOW - timedelta(hours=3) <= max(starts) <= DEMO_NOW  # the demo's past is now's
    paid = select(func.count()).where(
        Reservation.status == ReservationStatus.active, Reservation.is_paid
    )
    assert db.session.scalar(paid) >= 8
    held = dict(
        db.session.execute(select(Premise.status, func.count()).group_by(Premise.status)).all()
    )
    assert held[PremiseStatus.reserved] >= 15 and held[PremiseStatus.paid_reservation] >= 8
    queued = select(func.count()).where(QueueEntry.status == QueueStatus.waiting)
    assert db.session.scalar(queued) >= 3
    offers = [t for t in open_tasks_of(Role.sales_manager) if "из очереди" in t]
    assert len(offers) == 1, offers

    clients = db.session.scalars(select(Client)).all()
    assert len(clients) >= 30
    for client in clients:
        kinds = {
            c.kind
            for c in db.session.scalars(select(Consent).where(Consent.client_id == client.id))
        }
        assert ConsentKind.personal_data in kinds, client.full_name
        contacts = select(func.count()).where(Interaction.client_id == client.id)
        assert db.session.scalar(contacts) >= 1, client.full_name

    tasks = db.session.scalars(select(CrmTask).where(CrmTask.done_at.is_(None))).all()
    today = DEMO_NOW.astimezone(MOSCOW).date()
    due_today = [
        t for t in tasks if t.due_at > DEMO_NOW and t.due_at.astimezone(MOSCOW).date() == today
    ]
    overdue = [t for t in tasks if t.due_at < DEMO_NOW]
    assert len(due_today) >= 5 and len(overdue) >= 5
    assert db.session.scalar(select(func.count()).where(CrmTask.done_at.is_not(None))) >= 5

    for_the_head = open_tasks_of(Role.head_of_sales)
    for asked in (
        "снять оплаченную бронь",
        "сверх максимального срока",
        "Согласовать цену",
        "сверх лимита",
    ):
        assert any(asked in title for title in for_the_head), (asked, for_the_head)
    broken = db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.status == ProcessStatus.error)
    ).all()
    assert [i.process_id for i in broken] == ["reservation"]
    sent = db.session.execute(
        select(OutboundMessage.status, OutboundMessage.delivered_via).distinct()
    ).all()
    assert sent == [(MessageStatus.sent, "demo")]  # told in the demo's past, none goes out now


def test_after_demo_load_the_check_finds_only_the_premise_whose_process_is_deliberately_broken(
    app, client, login_as
):
    result = run(app, "demo", "load")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "клиентов: 36, броней: 39, запросов руководителю: 5;" in result.output
    assert len(open_tasks_of(Role.head_of_sales)) == 5

    [found] = held_without_process(db.session)
    assert found.premise_status == "Бронь"
    assert found.reason == (
        "процесс брони: «Ошибка» — Сервисная задача «register_payment» завершилась ошибкой: "
        "Сумма оплаты должна быть больше нуля."
    )
    login_as("admin")
    page = html.fromstring(client.get("/processes/instances").get_data(as_text=True))
    rows = page.xpath('//*[@data-testid="held-premises"]//tbody/tr')
    assert [r.xpath("string(td[1])").strip() for r in rows] == [f"№ {found.premise_number}"]
    assert "Сумма оплаты должна быть больше нуля" in rows[0].text_content()


def demo_picture() -> dict[str, list]:
    """What the demo made, by business names (no ids, no password hashes)."""
    rows = lambda query: sorted(tuple(map(str, r)) for r in db.session.execute(query))  # noqa: E731
    return {
        "premises": rows(
            select(Building.name, Premise.number, Premise.kind, Premise.status, Premise.price).join(
                Building
            )
        ),
        "clients": rows(select(Client.full_name, Client.birth_date, Client.first_touch_at)),
        "reservations": rows(
            select(
                Premise.number,
                Client.full_name,
                Reservation.status,
                Reservation.is_paid,
                Reservation.starts_at,
                Reservation.expires_at,
                Reservation.ended_at,
            )
            .join(Premise, Reservation.premise_id == Premise.id)
            .join(Client, Reservation.client_id == Client.id)
        ),
        "queue": rows(
            select(Premise.number, Client.full_name, QueueEntry.status, QueueEntry.position)
            .join(Premise, QueueEntry.premise_id == Premise.id)
            .join(Client, QueueEntry.client_id == Client.id)
        ),
        "contacts": rows(select(Interaction.kind, Interaction.summary, Interaction.at)),
        "tasks": rows(select(CrmTask.title, CrmTask.due_at, CrmTask.done_at)),
        "processes": rows(
            # not the title: a process started from a queue names its ids there
            select(ProcessInstance.process_id, ProcessInstance.status, ProcessInstance.started_at)
        ),
        "inbox": rows(select(HumanTask.title, HumanTask.status, HumanTask.due_at)),
    }


def empty_the_database() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_the_demo_is_the_same_every_time_for_the_same_seed_and_moment(app, clock):
    load(db.session, now=DEMO_NOW)
    db.session.commit()
    first = demo_picture()
    empty_the_database()

    load(db.session, now=DEMO_NOW)
    db.session.commit()

    assert demo_picture() == first
    assert len(first["reservations"]) >= 35 and len(first["tasks"]) >= 30


def log_in(client, email: str) -> None:
    user = db.session.scalars(select(User).where(User.email == email)).one()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    g.pop("_login_user", None)  # requests share the test's app context


def page_text(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return " ".join(html.fromstring(answer.get_data(as_text=True)).text_content().split())


def test_a_new_user_of_the_demo_finds_work_on_the_pages_they_open(app, client, clock):
    load(db.session, now=DEMO_NOW)
    db.session.commit()

    log_in(client, "head_of_sales@demo.local")
    waiting = page_text(client, "/inbox/?tab=available")
    for asked in ("Согласовать цену № ", "Бронь сверх лимита", "снять оплаченную бронь"):
        assert asked in waiting, asked

    log_in(client, "sales_manager@demo.local")
    assert "Подтвердите бронь из очереди" in page_text(client, "/inbox/")
    found = html.fromstring(client.get("/reservations").get_data(as_text=True))
    assert int(found.xpath('string(//p[starts-with(., "Найдено")])').split(":")[1]) >= 25
    holder = db.session.scalars(
        select(Reservation.client_id).where(Reservation.is_paid).order_by(Reservation.id)
    ).first()
    card = html.fromstring(client.get(f"/clients/{holder}").get_data(as_text=True))
    sources = card.xpath('//*[@data-testid="timeline-entries"]/li/@data-source')
    assert "interaction" in sources and len(sources) >= 3, sources
