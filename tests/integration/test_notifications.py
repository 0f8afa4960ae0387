"""Who is told what: outbox rows written with the business change, delivered by the send pass to
a real SMTP server on loopback (the test reads what the server received)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.clients.events import PROMOTION_OFFER
from engine.core.events import APPROVAL_REQUESTED
from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from engine.notifications.outbox import send_due
from engine.notifications.templates import save
from engine.sales.events import QUEUE_PROMOTED
from engine.sales.use_cases import reserve
from models.db.base import utcnow
from models.notifications.in_app import Notification
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from models.sales.reservation import Channel
from models.users.user import Role
from tests.notification_support import running_smtp_server
from web.extensions import db

BUYER = {"name": "Клиентова Мария Ивановна", "phone": "+79991234567", "email": "client@buyer.ru"}


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def outbox() -> list[OutboundMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()


def in_app(user_id: int) -> list[str]:
    return db.session.scalars(
        select(Notification.text).where(Notification.user_id == user_id)
    ).all()


def test_a_reservation_emails_and_texts_the_client_and_tells_the_manager(
    db_session, make_building, make_premise, make_user, make_client, smtp_server
):
    premise = make_premise(make_building(), number="101", price="10500000.00")
    manager = make_user(Role.sales_manager, email="manager@developer.ru", full_name="Петрова Анна")
    client = make_client(**BUYER, manager_id=manager.id)

    reserve(db_session, premise.id, client, channel=Channel.offline, user=manager)
    db_session.commit()

    rows = {(m.channel, m.to_address): m for m in outbox()}
    assert set(rows) == {
        (MessageChannel.email, "client@buyer.ru"),
        (MessageChannel.sms, "+79991234567"),
        (MessageChannel.email, "manager@developer.ru"),
    }
    assert all(
        m.status == MessageStatus.pending and m.event == "reservation_made" for m in rows.values()
    )
    assert in_app(manager.id) == [
        f"Бронь поставлена: № 101, Клиентова Мария Ивановна, до {_expiry_text(rows)}"
    ]

    result = send_due(db_session, smtp_server.settings())

    assert (result.sent, result.retried, result.failed) == (3, 0, 0)
    [letter] = smtp_server.inbox.to("client@buyer.ru")
    assert letter.message["To"] == "client@buyer.ru"
    assert letter.message["Subject"] == "Помещение № 101 забронировано за вами"
    assert letter.message.get_content_charset() == "utf-8"
    assert letter.mail_from == "sales@developer.ru"
    assert "Здравствуйте, Клиентова Мария Ивановна!" in letter.body
    assert "10\u00a0500\u00a0000,00\u00a0₽" in letter.body
    assert "Ваш менеджер: Петрова Анна." in letter.body
    [to_manager] = smtp_server.inbox.to("manager@developer.ru")
    assert to_manager.message["Subject"] == "Бронь поставлена: № 101, Клиентова Мария Ивановна"
    sms = next(m for m in outbox() if m.channel == MessageChannel.sms)
    assert (sms.status, sms.delivered_via) == (MessageStatus.sent, "sms-dev")
    assert sms.body.startswith("Помещение № 101 забронировано за вами до ")


def _expiry_text(rows) -> str:
    sms = rows[(MessageChannel.sms, "+79991234567")]
    return sms.body.removeprefix("Помещение № 101 забронировано за вами до ").rstrip(".")


def test_a_client_without_consent_to_personal_data_gets_no_message(
    db_session, make_building, make_premise, make_user, make_client
):
    premise = make_premise(make_building())
    manager = make_user(Role.sales_manager)
    client = make_client(**BUYER, personal_data=False)

    reserve(db_session, premise.id, client, channel=Channel.offline, user=manager)
    db_session.commit()

    assert [m.to_address for m in outbox()] == [manager.email]
    assert len(in_app(manager.id)) == 1


def test_a_marketing_offer_goes_only_to_clients_with_marketing_consent(db_session, make_client):
    agrees = make_client("Согласен", "+79991234567", "yes@buyer.ru", marketing=True)
    declines = make_client("Не согласен", "+79990000001", "no@buyer.ru")
    context = {"offer_title": "Скидка на кладовые", "offer_text": "Кладовые со скидкой 5 %."}

    for client in (agrees, declines):
        emit(db_session, PROMOTION_OFFER, client_id=client.id, context=context)
    db_session.commit()

    assert {(m.channel, m.to_address) for m in outbox()} == {
        (MessageChannel.email, "yes@buyer.ru"),
        (MessageChannel.sms, "+79991234567"),
    }
    assert next(m for m in outbox() if m.channel == MessageChannel.email).subject == (
        "Скидка на кладовые"
    )


def test_service_messages_do_not_need_marketing_consent(db_session, make_user, make_client):
    manager = make_user(Role.sales_manager)
    client = make_client(**BUYER, marketing=False)

    emit(
        db_session,
        QUEUE_PROMOTED,
        client_id=client.id,
        user_ids=[manager.id],
        context={"premise_number": "7", "client_name": client.full_name},
    )
    db_session.commit()

    assert {m.to_address for m in outbox()} == {"client@buyer.ru", "+79991234567", manager.email}


def test_an_approval_request_reaches_each_decider_in_the_app_and_by_email(db_session, make_user):
    first = make_user(Role.head_of_sales, email="boss1@developer.ru")
    second = make_user(Role.head_of_sales, email="boss2@developer.ru")

    emit(
        db_session,
        APPROVAL_REQUESTED,
        user_ids=[first.id, second.id],
        context={"title": "Снижение цены № 5", "process": "Изменение цены"},
        link="/inbox/tasks/1",
    )
    db_session.commit()

    assert [(m.to_address, m.subject) for m in outbox()] == [
        ("boss1@developer.ru", "Нужно ваше решение: Снижение цены № 5"),
        ("boss2@developer.ru", "Нужно ваше решение: Снижение цены № 5"),
    ]
    assert in_app(second.id) == ["Нужно ваше решение: Снижение цены № 5"]


def test_a_task_due_tells_its_owner_in_the_app_and_by_email(db_session, make_user):
    owner = make_user(Role.sales_manager, email="owner@developer.ru")

    emit(
        db_session,
        TASK_DUE,
        user_ids=[owner.id],
        context={"title": "Перезвонить", "client_name": "Иванов И. И.", "due_at_text": "завтра"},
    )
    db_session.commit()

    [message] = outbox()
    assert message.subject == "Задача: Перезвонить, срок завтра"
    assert in_app(owner.id) == ["Срок задачи завтра: Перезвонить (Иванов И. И.)"]


def test_an_edited_template_changes_the_text_that_is_sent(db_session, make_user, smtp_server):
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    save(
        db_session,
        ("task_due", "staff", "email"),
        subject="Не забудьте: {title}",
        body="Клиент {client_name} ждёт звонка до {due_at_text}. {{не шаблон}}",
        user_id=None,
    )
    db_session.commit()

    emit(
        db_session,
        TASK_DUE,
        user_ids=[owner.id],
        context={"title": "Перезвонить", "client_name": "Иванов", "due_at_text": "12:00"},
    )
    db_session.commit()
    send_due(db_session, smtp_server.settings())

    [letter] = smtp_server.inbox.to("owner@developer.ru")
    assert letter.message["Subject"] == "Не забудьте: Перезвонить"
    assert letter.body.strip() == "Клиент Иванов ждёт звонка до 12:00. {не шаблон}"


def test_nothing_is_sent_twice(db_session, make_user, smtp_server):
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    emit(db_session, TASK_DUE, user_ids=[owner.id], context={"title": "Позвонить"})
    db_session.commit()

    first = send_due(db_session, smtp_server.settings())
    second = send_due(db_session, smtp_server.settings(), now=utcnow())

    assert (first.sent, second.total) == (1, 0)
    assert len(smtp_server.inbox.messages) == 1
