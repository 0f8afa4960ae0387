"""Reservation actions × owner × role (issue 14, finding 6): a sales manager extends, pays,
cancels and converts their own reservations and unassigned ones (online bookings), never
another manager's; the head of sales and the admin act on all; other roles on none. The same
rule as the client card's. And nobody decides their own over-limit request."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine.core import runtime
from engine.sales import use_cases as desk
from models.process.human_task import HumanTask, HumanTaskStatus, TaskNotAvailable
from models.sales.reservation import (
    Channel,
    NotYourReservation,
    Reservation,
    ReservationStatus,
)
from models.settings.store import set_setting
from models.users.user import Role
from tests.factories.users import api_key

RESERVERS = {Role.admin, Role.head_of_sales, Role.sales_manager}
OWNERS = ("own", "another_managers", "unassigned")
# (role, owner) → may act. Management acts on all; a sales manager on their own and on
# unassigned ones; the other roles on none (the route's guard already).
ALLOWED = {
    (Role.sales_manager, "own"): True,
    (Role.sales_manager, "another_managers"): False,
    (Role.sales_manager, "unassigned"): True,
    **{(role, owner): True for role in (Role.admin, Role.head_of_sales) for owner in OWNERS},
}
ACTIONS = ("extend", "pay", "cancel", "convert")


@pytest.fixture
def building(make_building):
    return make_building()


@pytest.fixture
def reservations_by_owner(db_session, building, make_premise, make_client, make_user):
    """`make(user)`: three fresh reservations: `user`'s own, another sales manager's, and an
    online booking nobody manages."""
    other = make_user(Role.sales_manager, email="other-manager@test.local")
    key, _ = api_key(db_session)
    made = iter(range(1, 100))

    def make(user):
        def one(manager, channel=Channel.offline, key_id=None):
            premise = make_premise(building, number=str(next(made)))
            client = make_client(f"Клиент {premise.number}")
            return desk.reserve(
                db_session, premise.id, client, channel=channel, user=manager, api_key_id=key_id
            ).reservation

        found = {
            "own": one(user),
            "another_managers": one(other),
            "unassigned": one(None, Channel.online, key.id),
        }
        db_session.commit()
        return found

    return make


def _post(client, reservation: Reservation, action: str):
    data = {}
    if action == "extend":
        zone = ZoneInfo(reservation.premise.building.time_zone)
        until = (reservation.expires_at + timedelta(hours=2)).astimezone(zone)
        data = {"until": until.strftime("%d.%m.%Y %H:%M")}
    elif action == "pay":
        data = {"fee": "50 000"}
    elif action == "cancel":
        data = {"reason": "клиент передумал"}
    return client.post(f"/reservations/{reservation.id}/{action}", data=data)


def _done(reservation: Reservation, action: str, expires_before) -> bool:
    if action == "extend":
        return reservation.expires_at > expires_before
    if action == "pay":
        return reservation.is_paid
    if action == "cancel":
        return reservation.status == ReservationStatus.cancelled
    return reservation.status == ReservationStatus.converted


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_acts_on_reservations_as_the_owner_matrix_says(
    client, login_as, db_session, make_user, reservations_by_owner, role, action
):
    user = make_user(role)
    found = reservations_by_owner(user)
    login_as(role)
    for owner, reservation in found.items():
        expires_before = reservation.expires_at
        response = _post(client, reservation, action)
        db_session.expire_all()
        reservation = db_session.get(Reservation, reservation.id)
        if ALLOWED.get((role, owner), False):
            assert response.status_code == 302, f"{role.value} {action} {owner}"
            assert _done(reservation, action, expires_before), f"{role.value} {action} {owner}"
        else:
            assert response.status_code == 403, f"{role.value} {action} {owner}"
            assert reservation.status == ReservationStatus.active
            assert not reservation.is_paid and reservation.expires_at == expires_before
            assert [e.kind for e in reservation.events] == ["created"]  # nothing written
            if role in RESERVERS:  # refused by the rule, in Russian, not by the route's guard
                assert "ведёт другой менеджер" in response.get_data(as_text=True)


def test_the_card_offers_no_verbs_on_another_managers_reservation(
    client, login_as, db_session, make_user, reservations_by_owner
):
    manager = login_as(Role.sales_manager)
    found = reservations_by_owner(manager)
    own = client.get(f"/reservations/{found['own'].id}").get_data(as_text=True)
    other = client.get(f"/reservations/{found['another_managers'].id}")
    assert other.status_code == 200  # reading stays open to the desk
    assert "Перейти к сделке" in own
    assert "Перейти к сделке" not in other.get_data(as_text=True)
    assert "/cancel" not in other.get_data(as_text=True)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_use_cases_refuse_another_managers_reservation_whoever_calls_them(
    db_session, make_user, reservations_by_owner, action
):
    """The rule sits below the web: the demo, a job or any other caller is refused too."""
    manager = make_user(Role.sales_manager)
    reservation = reservations_by_owner(manager)["another_managers"]
    calls = {
        "extend": lambda: desk.extend(
            db_session, reservation, reservation.expires_at + timedelta(hours=1), manager
        ),
        "pay": lambda: desk.pay(db_session, reservation, "50000", manager),
        "cancel": lambda: desk.cancel(db_session, reservation, "передумал", manager),
        "convert": lambda: desk.convert(db_session, reservation, manager),
    }
    with pytest.raises(NotYourReservation) as refused:
        calls[action]()
    assert refused.value.status == 403
    assert refused.value.code == "not_your_reservation"
    db_session.rollback()


def test_another_manager_cannot_confirm_a_queue_offer_of_someone_elses_client(
    client, login_as, db_session, building, make_premise, make_client, make_user
):
    """The reservation process's own task (confirm an offer from the queue) belongs to the
    queued client's manager: another manager gets 409; the admin may do it, the head of sales
    hand it over."""
    holder_manager = make_user(Role.sales_manager, email="holder@test.local")
    queued_manager = make_user(Role.sales_manager, email="queued@test.local")
    flat = make_premise(building, number="1")
    held = desk.reserve(
        db_session, flat.id, make_client("Первый"), channel=Channel.offline, user=holder_manager
    ).reservation
    desk.enqueue(db_session, flat.id, make_client("Второй"), queued_manager)
    desk.cancel(db_session, held, "передумал", holder_manager)
    db_session.commit()
    [confirm] = db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    ).all()
    assert confirm.task_name == "confirm_offer" and confirm.assignee_id == queued_manager.id

    login_as(Role.sales_manager)  # a third manager
    assert client.post(f"/inbox/tasks/{confirm.id}/complete", data={}).status_code == 409
    with pytest.raises(TaskNotAvailable):
        runtime.complete(db_session, confirm.id, holder_manager, {"confirmed": True})
    db_session.rollback()
    assert confirm.can_act(make_user(Role.admin))
    assert confirm.can_reassign(make_user(Role.head_of_sales))


def _over_limit_request(db_session, building, make_premise, make_client, requester):
    set_setting(db_session, "reservation.max_per_client", "1")
    buyer = make_client("Петров Пётр")
    first, second = make_premise(building, number="1"), make_premise(building, number="2")
    desk.reserve(db_session, first.id, buyer, channel=Channel.offline, user=requester)
    outcome = desk.reserve(
        db_session,
        second.id,
        buyer,
        channel=Channel.offline,
        user=requester,
        request_approval=True,
    )
    db_session.commit()
    assert outcome.approval_requested
    [approval] = db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    ).all()
    return approval, second


def test_a_head_of_sales_own_over_limit_request_goes_to_the_admin(
    client, login_as, db_session, building, make_premise, make_client, make_user
):
    head = login_as(Role.head_of_sales)
    approval, premise = _over_limit_request(db_session, building, make_premise, make_client, head)
    assert approval.is_approval and approval.task_name == "approve_over_limit"
    assert approval.assignee_id != head.id
    assert approval.role == Role.admin
    assert not approval.can_act(head)

    refused = client.post(f"/inbox/tasks/{approval.id}/complete", data={"decision": "approve"})
    assert refused.status_code == 409
    assert "Своё согласование нельзя решить самому" in refused.get_data(as_text=True)
    assert client.post(f"/inbox/tasks/{approval.id}/claim").status_code == 409
    page = client.get(f"/inbox/tasks/{approval.id}").get_data(as_text=True)
    assert "Это ваш запрос: его решает другой руководитель." in page
    assert "Взять в работу" not in page and 'name="decision"' not in page
    db_session.expire_all()
    assert db_session.get(HumanTask, approval.id).status == HumanTaskStatus.open

    login_as(Role.admin)
    done = client.post(f"/inbox/tasks/{approval.id}/complete", data={"decision": "approve"})
    assert done.status_code == 302
    db_session.expire_all()
    reservation = db_session.scalars(
        select(Reservation).where(Reservation.premise_id == premise.id)
    ).one()
    assert reservation.manager_id == head.id and reservation.is_active


def test_an_admins_own_request_is_not_theirs_to_decide_either(
    db_session, building, make_premise, make_client, make_user
):
    admin = make_user(Role.admin)
    approval, _ = _over_limit_request(db_session, building, make_premise, make_client, admin)
    assert approval.role == Role.head_of_sales  # not the admin's own lane: the head decides
    with pytest.raises(TaskNotAvailable, match="Своё согласование"):
        runtime.complete(db_session, approval.id, admin, {"decision": "approve"})
    db_session.rollback()
    head = make_user(Role.head_of_sales)
    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()


def test_a_managers_over_limit_request_still_goes_to_the_head_of_sales(
    db_session, building, make_premise, make_client, make_user
):
    manager = make_user(Role.sales_manager)
    approval, _ = _over_limit_request(db_session, building, make_premise, make_client, manager)
    assert approval.role == Role.head_of_sales and approval.assignee_id is None
    assert approval.can_act(make_user(Role.head_of_sales))
    assert not approval.can_act(manager)
