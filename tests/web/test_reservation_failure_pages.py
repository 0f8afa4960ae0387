"""Through the pages: a refused payment shows its message at the field and nothing else; the
administrator cancels a failed process with a reason and sees what it gave back; the monitor
lists a premise held without a live process and frees it (issue 13, § 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core import runtime
from models.catalog.objects import PremiseStatus
from models.process.instance import ProcessInstance, ProcessStatus
from models.sales.reservation import Reservation, ReservationStatus
from models.users.user import Role

NEW_CLIENT = {"phone": "8 (916) 123-45-67", "full_name": "Смирнова Ольга", "consent": "y"}


@pytest.fixture
def flat(make_building, make_premise):
    return make_premise(make_building(), number="35", price="9000000.00")


@pytest.fixture
def reservation(client, login_as, db_session, flat) -> Reservation:
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    return db_session.scalars(select(Reservation)).one()


@pytest.mark.parametrize("fee", ["-5000", "0", "0,00"])
def test_a_payment_that_is_not_a_positive_sum_is_refused_at_the_field(
    client, db_session, reservation, flat, fee
):
    answer = client.post(f"/reservations/{reservation.id}/pay", data={"fee": fee})

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Сумма оплаты должна быть больше нуля" in page
    assert "Оплата зарегистрирована" not in page
    assert f'value="{fee}"' in page  # the form keeps what was typed
    db_session.expire_all()
    assert not reservation.is_paid
    assert flat.status == PremiseStatus.reserved
    instance = db_session.scalars(select(ProcessInstance)).one()
    assert instance.status == ProcessStatus.waiting
    assert client.get(f"/reservations/{reservation.id}").status_code == 200
    assert "Оплата зарегистрирована" not in client.get("/inbox/").get_data(as_text=True)


def put_in_error(db_session, reservation, manager_id) -> ProcessInstance:
    runtime.send_message(
        db_session,
        "reservation_event",
        "reservation_id",
        reservation.id,
        {"outcome": "paid", "fee": "-5000", "user_id": manager_id},
        refuse=False,
    )
    db_session.commit()
    return db_session.scalars(select(ProcessInstance)).one()


def test_the_administrator_cancels_a_failed_process_with_a_reason_and_the_premise_is_free(
    client, login_as, db_session, reservation, flat
):
    instance = put_in_error(db_session, reservation, reservation.manager_id)
    login_as(Role.admin)
    monitor = client.get("/processes/instances").get_data(as_text=True)
    assert 'data-testid="held-premises"' in monitor and "№ 35" in monitor
    card = client.get(f"/processes/instances/{instance.id}").get_data(as_text=True)
    assert "При отмене: бронь снимается, помещение освобождается" in card

    refused = client.post(f"/processes/instances/{instance.id}/cancel", data={"reason": " "})
    assert refused.status_code == 302
    assert "Укажите причину отмены" in client.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    db_session.expire_all()
    assert instance.status == ProcessStatus.error

    done = client.post(
        f"/processes/instances/{instance.id}/cancel", data={"reason": "ошибочная сумма"}
    )
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Процесс отменён. Бронь снята, помещение свободно" in page
    db_session.expire_all()
    assert reservation.status == ReservationStatus.cancelled
    assert flat.status == PremiseStatus.available
    monitor = client.get("/processes/instances").get_data(as_text=True)
    assert 'data-testid="held-none"' in monitor


def test_the_administrator_frees_a_premise_held_without_a_reservation(
    client, login_as, db_session, flat
):
    flat.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    login_as(Role.admin)
    monitor = client.get("/processes/instances").get_data(as_text=True)
    assert "нет действующей брони" in monitor

    client.post(f"/processes/held/{flat.id}/release", data={"reason": ""})
    db_session.expire_all()
    assert flat.status == PremiseStatus.reserved  # a reason is required

    answer = client.post(f"/processes/held/{flat.id}/release", data={"reason": "сбой импорта"})
    assert "Помещение освобождено" in client.get(answer.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert flat.status == PremiseStatus.available


@pytest.mark.leaves_held
def test_only_the_administrator_frees_a_held_premise(client, login_as, db_session, flat):
    flat.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    for role in (Role.analyst, Role.head_of_sales, Role.sales_manager):
        login_as(role)
        answer = client.post(f"/processes/held/{flat.id}/release", data={"reason": "x"})
        assert answer.status_code == 403
    db_session.expire_all()
    assert flat.status == PremiseStatus.reserved
