"""Merging two cards (engine/clients/merge.py): the refusals as the user reads them, the line
the merge leaves on the kept card, cards merged earlier, touches of the same moment, and rows
that only share a number with the dropped card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.clients.merge import MergeRefused, can_merge, merge
from engine.sales import use_cases as reservations
from models.clients.client import Client, ClientConflict
from models.crm.history import CrmTask
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel
from models.users.user import Role, User
from tests.factories.clients import client as make_client

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
EARLIER = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _merge_lines(card: Client):
    return [c for c in card.changes if c.field == "merged"]


@pytest.mark.parametrize(
    "role", [Role.sales_manager, Role.analyst, Role.marketer, Role.head_of_sales, Role.admin]
)
def test_only_management_may_merge_cards(make_user, role):
    assert can_merge(make_user(role)) is (role in (Role.head_of_sales, Role.admin))


def test_nobody_logged_in_may_not_merge(db_session):
    keep = make_client(db_session, "Смирнова Ольга")
    drop = make_client(db_session, "Смирнова О.")

    assert can_merge(None) is False
    with pytest.raises(MergeRefused) as refused:
        merge(db_session, keep, drop, None, now=AT)

    assert refused.value.message == "Объединять карточки может руководитель отдела продаж"


def test_a_sales_manager_reads_who_may_merge(db_session, manager):
    keep = make_client(db_session, "Смирнова Ольга")
    drop = make_client(db_session, "Смирнова О.")

    with pytest.raises(MergeRefused) as refused:
        merge(db_session, keep, drop, manager, now=AT)

    assert refused.value.message == "Объединять карточки может руководитель отдела продаж"
    assert drop.merged_into_id is None


def test_merging_a_card_with_itself_tells_to_pick_another(db_session, head):
    card = make_client(db_session, "Смирнова Ольга")

    with pytest.raises(MergeRefused) as refused:
        merge(db_session, card, card, head, now=AT)

    assert refused.value.message == (
        "Нельзя объединить карточку саму с собой: выберите другую карточку"
    )


@pytest.mark.parametrize("merged_one", ["keep", "drop"])
def test_a_card_merged_before_cannot_take_part_in_another_merge(db_session, head, merged_one):
    target = make_client(db_session, "Третья карточка")
    cards = {
        "keep": make_client(db_session, "Смирнова Ольга"),
        "drop": make_client(db_session, "Смирнова О."),
    }
    merge(db_session, target, cards[merged_one], head, now=EARLIER)

    with pytest.raises(MergeRefused) as refused:
        merge(db_session, cards["keep"], cards["drop"], head, now=AT)

    assert refused.value.message == "Одна из карточек уже объединена с другой"


def test_the_kept_card_records_the_merge_with_the_dropped_cards_number_and_name(db_session, head):
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")

    merge(db_session, keep, drop, head, now=AT)
    db_session.commit()

    [line] = _merge_lines(keep)
    assert (line.new_value, line.source, line.user_id, line.at) == (
        f"№ {drop.id} «Смирнова О. П.»",
        "merge",
        head.id,
        AT,
    )
    assert _merge_lines(drop) == []


def test_a_merge_without_a_moment_is_dated_by_the_clock(db_session, head, clock):
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.", registration_address="г. Москва, ул. Новая")

    merge(db_session, keep, drop, head)
    db_session.commit()

    [line] = _merge_lines(keep)
    assert line.at == clock.now
    [filled] = [c for c in keep.changes if c.field == "registration_address"]
    assert filled.at == clock.now


def test_cards_merged_into_the_dropped_one_now_lead_to_the_kept_one(db_session, head):
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")
    older = make_client(db_session, "Смирнова О.")
    unrelated = make_client(db_session, "Иванов Иван")
    merged_elsewhere = make_client(db_session, "Иванов И.")
    merge(db_session, drop, older, head, now=EARLIER)
    merge(db_session, unrelated, merged_elsewhere, head, now=EARLIER)

    merge(db_session, keep, drop, head, now=AT)
    db_session.commit()

    assert db_session.get(Client, older.id).merged_into_id == keep.id
    assert db_session.get(Client, drop.id).merged_into_id == keep.id
    assert db_session.get(Client, merged_elsewhere.id).merged_into_id == unrelated.id
    assert db_session.get(Client, keep.id).merged_into_id is None


def test_touches_of_the_same_moment_leave_the_kept_cards_channels(db_session, head):
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")
    keep.touch("Авито", "весна", AT)
    drop.touch("Циан", "осень", AT)
    db_session.flush()

    merge(db_session, keep, drop, head, now=AT)

    assert (keep.first_touch_channel, keep.first_touch_campaign) == ("Авито", "весна")
    assert (keep.last_touch_channel, keep.last_touch_campaign) == ("Авито", "весна")


def test_the_dropped_cards_touches_fill_a_card_that_has_none(db_session, head):
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")
    drop.touch("Циан", "осень", EARLIER)
    drop.touch("Авито", "зима", AT)
    db_session.flush()

    merge(db_session, keep, drop, head, now=AT)

    assert (keep.first_touch_channel, keep.first_touch_campaign, keep.first_touch_at) == (
        "Циан",
        "осень",
        EARLIER,
    )
    assert (keep.last_touch_channel, keep.last_touch_campaign, keep.last_touch_at) == (
        "Авито",
        "зима",
        AT,
    )


def test_a_field_equal_on_both_cards_is_neither_changed_nor_flagged(db_session, head):
    keep = make_client(db_session, "Смирнова Ольга", snils="112-233-445 95", inn="500100732259")
    drop = make_client(db_session, "Смирнова Ольга", snils="112-233-445 95", inn="500100732259")

    merge(db_session, keep, drop, head, now=AT)
    db_session.commit()

    assert db_session.scalars(select(ClientConflict)).all() == []
    assert [c.field for c in keep.changes] == ["merged"]


def test_rows_that_only_share_the_dropped_cards_number_stay_where_they_are(
    db_session, head, make_user
):
    """A merge moves what points at the dropped *card*: a task owned by the user whose id
    happens to be the card's number keeps its owner."""
    owners = {
        u.id: u
        for u in (head, *(make_user(Role.sales_manager, f"m{n}@test.local") for n in range(3)))
    }
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")
    assert drop.id in owners and keep.id in owners  # ids from 1 in an empty database
    task = CrmTask(client_id=keep.id, owner_id=drop.id, title="Перезвонить", due_at=AT)
    db_session.add(task)
    db_session.flush()

    merge(db_session, keep, drop, head, now=AT)
    db_session.commit()

    task = db_session.get(CrmTask, task.id)
    assert (task.client_id, task.owner_id) == (keep.id, owners[drop.id].id)
    assert db_session.get(User, drop.id) is not None


def test_the_place_moved_up_the_queue_wins_over_the_older_one(
    db_session, make_building, make_premise, manager, head
):
    premise = make_premise(make_building(), number="1")
    holder = make_client(db_session, "Держатель")
    reservations.reserve(db_session, premise.id, holder, channel=Channel.offline, user=manager)
    keep = make_client(db_session, "Смирнова Ольга Петровна")
    drop = make_client(db_session, "Смирнова О. П.")
    older = reservations.enqueue(db_session, premise.id, keep, manager)
    newer = reservations.enqueue(db_session, premise.id, drop, manager)
    reservations.move_in_queue(db_session, newer, -1, head)  # now first in the queue
    older_id, newer_id = older.id, newer.id

    merge(db_session, keep, drop, head, now=AT)
    db_session.commit()

    moved_up, older = db_session.get(QueueEntry, newer_id), db_session.get(QueueEntry, older_id)
    assert (moved_up.status, moved_up.position, moved_up.client_id) == (
        QueueStatus.waiting,
        1,
        keep.id,
    )
    assert (older.status, older.ended_at) == (QueueStatus.removed, AT)
