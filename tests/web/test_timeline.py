"""The client's timeline: every kind of entry, newest first, filtered, paged, and fast."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import event, insert

from engine.crm import use_cases as crm
from engine.notifications.emit import emit
from engine.sales.events import QUEUE_PROMOTED
from engine.sales.use_cases import reserve
from models.crm.history import Interaction, InteractionKind
from models.db.base import utcnow
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from models.sales.reservation import Channel
from models.users.user import Role
from web.crm import timeline
from web.extensions import db


@pytest.fixture
def buyer(make_client):
    return make_client("Орлова Мария", "+79267778899", "orlova@example.ru")


@pytest.fixture
def history(db_session, buyer, make_user, make_building, make_premise):
    """One entry of every kind, at known times (the reservation is the newest: now)."""
    manager = make_user(Role.sales_manager)
    now = utcnow()
    db_session.add_all(
        [
            Interaction(
                client_id=buyer.id,
                kind=InteractionKind.visit,
                summary="Визит: смотрели шоурум",
                at=now - timedelta(days=5),
                user_id=manager.id,
            ),
            OutboundMessage(
                channel=MessageChannel.email,
                event="reservation_made",
                to_address="orlova@example.ru",
                subject="Письмо о подборке квартир",
                body="…",
                status=MessageStatus.sent,
                created_at=now - timedelta(days=3),
                client_id=buyer.id,
            ),
        ]
    )
    emit(
        db_session,
        QUEUE_PROMOTED,
        client_id=buyer.id,
        context={"premise_number": "7"},
        now=now - timedelta(days=2),
    )
    crm.plan_task(
        db_session,
        buyer.id,
        manager,
        title="Задача: позвонить после показа",
        kind="call",
        due_at=now - timedelta(days=1),
        allow_past=True,
        now=now - timedelta(days=4),
    )
    premise = make_premise(make_building(), number="77")
    reserve(db_session, premise.id, buyer, channel=Channel.offline, user=manager)
    db_session.commit()
    return manager


def positions(page: str, *needles: str) -> list[int]:
    found = [page.find(needle) for needle in needles]
    assert -1 not in found, dict(zip(needles, found, strict=True))
    return found


def test_every_kind_is_on_the_timeline_newest_first(client, login_as, buyer, history):
    login_as(Role.sales_manager)
    page = client.get(f"/crm/clients/{buyer.id}/timeline").get_data(as_text=True)
    entries = page[page.index('data-testid="timeline-entries"') :]
    order = positions(
        entries,
        "Бронь поставлена: помещение № 77",  # reservation event, now
        "Процесс запущен",  # the reservation process, whose business key is the client
        "Клиент получил бронь № 7 из очереди",  # a system event, 2 days ago
        "Письмо клиенту: Письмо о подборке квартир",  # outbox, 3 days ago
        "Задача: позвонить после показа",  # a task planned 4 days ago
        "Визит: смотрели шоурум",  # logged by hand, 5 days ago
    )
    assert order == sorted(order)
    # The reservation's own history tells it: its system event is not shown twice.
    assert "Поставлена бронь: помещение № 77" not in entries
    kinds = set(re.findall(r'data-source="([a-z]+)"', entries))
    assert kinds == {"interaction", "task", "reservation", "process", "notification"}
    assert 'data-overdue="yes"' in page  # the open task, due yesterday


def test_the_timeline_is_filtered_by_kind(client, login_as, buyer, history):
    login_as(Role.analyst)
    only_visits = client.get(f"/crm/clients/{buyer.id}/timeline?tl=visit").get_data(True)
    sources = re.findall(r'data-kind="([a-z]+)"', only_visits)
    assert sources == ["visit"]
    two = client.get(f"/crm/clients/{buyer.id}/timeline?tl=task&tl=notification")
    assert set(re.findall(r'data-kind="([a-z]+)"', two.get_data(True))) == {"notification", "task"}
    junk = client.get(f"/crm/clients/{buyer.id}/timeline?tl=nonsense&before=garbage")
    assert junk.status_code == 200  # unknown kinds and cursors are ignored: everything shown


def test_the_card_include_renders_the_timeline_from_the_client_alone(app, buyer, history):
    """What the client card does: include the partial with `client` in the context."""
    with app.test_request_context(f"/clients/{buyer.id}?tl=visit"):
        login_user(history)
        html = render_template_string(
            '{% include "clients/_timeline.html" ignore missing %}', client=buyer
        )
    assert 'data-testid="timeline"' in html and "Визит: смотрели шоурум" in html
    assert 'data-testid="log-interaction"' in html and 'data-testid="plan-task"' in html
    assert f'name="next" value="/clients/{buyer.id}?tl=visit"' in html


def add_interactions(db_session, client_id: int, count: int, same_time=None) -> None:
    start = utcnow() - timedelta(days=count)
    db_session.execute(
        insert(Interaction),
        [
            {
                "client_id": client_id,
                "kind": InteractionKind.call,
                "summary": f"Звонок {n}",
                "body": "",
                "at": same_time or start + timedelta(minutes=n),
            }
            for n in range(count)
        ],
    )
    db_session.commit()


@contextmanager
def statements_counted():
    """The SQL statements sent while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_paging_with_the_cursor_loses_and_repeats_nothing(db_session, buyer):
    add_interactions(db_session, buyer.id, 250)
    add_interactions(db_session, buyer.id, 120, same_time=utcnow() - timedelta(days=400))
    seen, cursor = [], None
    while True:
        page = timeline.build(db_session, buyer.id, [], limit=100, before=cursor)
        seen += [e.key for e in page.entries]
        if not page.has_more:
            break
        cursor = page.cursor
    assert len(seen) == len(set(seen)) == 370
    assert seen == sorted(seen, reverse=True)


def test_a_card_with_2000_entries_shows_the_newest_200_with_as_many_statements_as_a_short_one(
    client, login_as, db_session, buyer, make_client
):
    short = make_client("Короткая История", "+79267770000")
    add_interactions(db_session, short.id, 3)
    add_interactions(db_session, buyer.id, 2000)
    login_as(Role.sales_manager)
    client.get(f"/crm/clients/{buyer.id}/timeline")  # warm up templates and caches
    with statements_counted() as for_short:
        client.get(f"/crm/clients/{short.id}/timeline")
    with statements_counted() as for_long:
        response = client.get(f"/crm/clients/{buyer.id}/timeline")
    page = response.get_data(as_text=True)
    assert page.count('data-source="interaction"') == 200
    assert "Звонок 1999" in page and "Звонок 1799" not in page
    assert 'data-testid="timeline-more"' in page
    more = re.search(r'data-testid="timeline-more" href="([^"#]+)', page).group(1)
    next_page = client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert "Звонок 1799" in next_page and "Звонок 1800" not in next_page
    # No statement per entry (its speed is measured by make bench: 150 ms).
    assert 0 < len(for_long) == len(for_short)
