"""Merging two cards of one buyer: everything of both is kept on one card — on the real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.clients import search as client_search
from engine.clients import use_cases as clients
from engine.clients.merge import MergeRefused
from engine.core import runtime
from engine.sales import use_cases as reservations
from models.clients.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientKind,
    Consent,
    ConsentKind,
)
from models.crm.history import CrmTask, Interaction, InteractionKind
from models.db.base import utcnow
from models.notifications.outbox import MessageChannel, OutboundMessage
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessBusinessKey, ProcessInstance
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel, Reservation
from tests.client_support import changes_of, counts


@pytest.fixture
def twins(db_session, manager, make_building, make_premise, make_user, make_client):
    """Two cards of one buyer, each with its own history."""
    building = make_building()
    first_flat, second_flat, queued_flat = (make_premise(building, number=n) for n in "123")
    keep = make_client("Смирнова Ольга", "+79161234567", "olga@mail.ru", manager_id=manager.id)
    drop = clients.create(  # made by hand past the duplicate warning
        db_session,
        {"full_name": "Смирнова О. П.", "phones": ["+79035556677"], "emails": ["olga@mail.ru"]},
        kind=ClientKind.person,
        manager_id=None,
        user_id=manager.id,
    )
    drop.passport_series, drop.passport_number = "4510", "123456"
    drop.confirmed_fields = ["passport_series", "passport_number"]
    drop.birth_date, keep.birth_date = date(1985, 3, 5), date(1985, 3, 6)
    then = utcnow() - timedelta(days=30)
    keep.touch("Авито", None, then + timedelta(days=10))
    drop.touch("Циан", "осень", then)
    drop.give_consent(ConsentKind.marketing, channel="online", text_version="1", taken_by_id=None)
    db_session.flush()
    other = make_client("Другой Клиент", "+79990001122", manager_id=manager.id)
    reservations.reserve(db_session, first_flat.id, keep, channel=Channel.offline, user=manager)
    reservations.reserve(db_session, second_flat.id, drop, channel=Channel.offline, user=manager)
    reservations.reserve(db_session, queued_flat.id, other, channel=Channel.offline, user=manager)
    for client in (keep, drop):
        reservations.enqueue(db_session, queued_flat.id, client, manager)
    for client in (keep, drop):
        db_session.add(
            Interaction(client_id=client.id, kind=InteractionKind.call, summary="Звонок")
        )
        db_session.add(
            CrmTask(client_id=client.id, owner_id=manager.id, title="Перезвонить", due_at=then)
        )
        db_session.add(
            OutboundMessage(
                channel=MessageChannel.email,
                event="reservation_made",
                to_address="olga@mail.ru",
                body="Бронь",
                client_id=client.id,
            )
        )
    db_session.commit()
    return keep, drop


HISTORY = (Interaction, CrmTask, Reservation, QueueEntry, Consent, OutboundMessage, ClientChange)


def owned(session, model, client_id: int) -> set[int]:
    return set(session.scalars(select(model.id).where(model.client_id == client_id)).all())


def test_a_merge_keeps_everything_of_both_cards(db_session, twins, head):
    keep, drop = twins
    keep_id, drop_id = keep.id, drop.id
    before = {m: owned(db_session, m, keep_id) | owned(db_session, m, drop_id) for m in HISTORY}
    assert all(owned(db_session, m, drop_id) for m in HISTORY)  # the dropped card had each kind

    clients.merge(db_session, keep, drop, head)
    db_session.commit()

    keep, drop = db_session.get(Client, keep_id), db_session.get(Client, drop_id)
    assert drop.merged_into_id == keep_id
    for model, ids in before.items():
        assert ids <= owned(db_session, model, keep_id), model.__name__
        assert owned(db_session, model, drop_id) == set(), model.__name__
    assert [p.phone for p in keep.phones] == ["+79161234567", "+79035556677"]
    assert [e.email for e in keep.emails] == ["olga@mail.ru"]  # not twice
    assert keep.has_consent(ConsentKind.marketing)
    waiting = db_session.scalars(
        select(QueueEntry).where(QueueEntry.status == QueueStatus.waiting)
    ).all()
    assert [e.client_id for e in waiting] == [keep_id]  # one place in the queue, the better one
    keys = db_session.scalars(
        select(ProcessBusinessKey.value).where(ProcessBusinessKey.name == "client_id")
    ).all()
    assert str(drop_id) not in keys and str(keep_id) in keys
    instances = db_session.scalars(select(ProcessInstance)).all()
    assert drop_id not in {i.business_keys.get("client_id") for i in instances}


def test_a_merge_fills_empty_fields_and_flags_differing_ones(db_session, twins, head):
    keep, drop = twins

    clients.merge(db_session, keep, drop, head)
    db_session.commit()

    assert (keep.passport_series, keep.passport_number) == ("4510", "123456")
    assert keep.is_confirmed("passport_number")
    assert keep.birth_date == date(1985, 3, 6)
    conflict = db_session.scalars(
        select(ClientConflict).where(ClientConflict.field == "birth_date")
    ).one()
    assert (conflict.current_value, conflict.proposed_value, conflict.client_id) == (
        "1985-03-06",
        "1985-03-05",
        keep.id,
    )
    assert keep.first_touch_channel == "Циан"  # the earlier one of the two
    assert keep.last_touch_channel == "Авито"
    assert changes_of(db_session, keep, "merged")[0].user_id == head.id


def test_a_merged_card_is_not_found_any_more(db_session, twins, head):
    keep, drop = twins
    clients.merge(db_session, keep, drop, head)
    db_session.commit()

    found = client_search.search(db_session, "Смирнова").clients
    assert [c.id for c in found] == [keep.id]
    assert clients.find_by_phone(db_session, "+79035556677").id == keep.id


def test_merging_a_card_with_itself_is_refused_and_writes_nothing(db_session, twins, head):
    keep, _ = twins
    before = counts(db_session)

    with pytest.raises(MergeRefused, match="саму с собой"):
        clients.merge(db_session, keep, keep, head)
    db_session.commit()

    assert counts(db_session) == before
    assert keep.merged_into_id is None


def test_only_the_head_of_sales_or_admin_merges(db_session, twins, manager):
    keep, drop = twins
    with pytest.raises(MergeRefused, match="руководитель"):
        clients.merge(db_session, keep, drop, manager)
    db_session.commit()
    assert drop.merged_into_id is None


def test_a_card_already_merged_cannot_be_merged_again(db_session, twins, head):
    keep, drop = twins
    clients.merge(db_session, keep, drop, head)
    db_session.commit()
    with pytest.raises(MergeRefused, match="уже объединена"):
        clients.merge(db_session, drop, keep, head)


def test_a_reservation_approved_after_a_merge_goes_to_the_kept_card(
    db_session, manager, head, make_building, make_premise, make_client
):
    building = make_building()
    flats = [make_premise(building, number=str(n)) for n in (1, 2, 3)]
    keep = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    drop = make_client("Смирнова О.", "+79035556677", manager_id=manager.id)
    for flat in flats[:2]:
        reservations.reserve(db_session, flat.id, drop, channel=Channel.offline, user=manager)
    reservations.reserve(
        db_session, flats[2].id, drop, channel=Channel.offline, user=manager, request_approval=True
    )
    db_session.commit()
    clients.merge(db_session, keep, drop, head)
    db_session.commit()

    approval = db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    ).one()
    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()

    third = db_session.scalars(select(Reservation).where(Reservation.premise_id == flats[2].id))
    assert third.one().client_id == keep.id
