"""SMS through the generic HTTP gateway, against a small HTTP provider on loopback; and the
development gateway that only records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.clients.events import PROMOTION_OFFER
from engine.notifications.delivery import DeliveryError, Sms
from engine.notifications.emit import emit
from engine.notifications.outbox import send_due
from engine.notifications.sms_http import HttpSmsGateway
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from tests.factories import clients
from tests.notification_support import free_port, mail_settings, running_sms_provider
from web.extensions import db

CONTEXT = {"offer_title": "Кладовые", "offer_text": "Скидка 5 %."}


@pytest.fixture
def sms_provider():
    with running_sms_provider() as provider:
        yield provider


def queue_an_sms(db_session) -> int:
    client = clients.client(db_session, "Клиентова Мария Ивановна", "+79991234567", marketing=True)
    emit(db_session, PROMOTION_OFFER, client_id=client.id, context=CONTEXT)
    db_session.commit()
    return db_session.scalar(select(OutboundMessage.id).where(OutboundMessage.channel == "sms"))


def sms_row(message_id: int) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


def http_settings(provider, **overrides) -> dict:
    return mail_settings(
        free_port(),
        SMS_GATEWAY="http",
        SMS_HTTP_URL=provider.url,
        SMS_HTTP_TOKEN="secret-token",
        SMS_HTTP_SENDER="ZASTROY",
        **overrides,
    )


def test_an_sms_is_posted_as_json_to_the_provider(db_session, sms_provider):
    message_id = queue_an_sms(db_session)

    result = send_due(db_session, http_settings(sms_provider))

    assert result.sent == 1
    [request] = sms_provider.requests
    assert request["path"] == "/api/sms/send"
    assert request["headers"]["Authorization"] == "Bearer secret-token"
    assert request["headers"]["Idempotency-Key"] == f"outbox-{message_id}"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert request["json"] == {
        "to": "+79991234567",
        "text": "Кладовые. Скидка 5 %. Отказаться: ответьте «СТОП».",
        "sender": "ZASTROY",
        "reference": f"outbox-{message_id}",
    }
    row = sms_row(message_id)
    assert (row.status, row.delivered_via, row.provider_message_id) == (
        MessageStatus.sent,
        "sms-http",
        "prov-1",
    )


def test_a_provider_error_keeps_the_sms_in_the_outbox_with_the_reason(db_session, sms_provider):
    message_id = queue_an_sms(db_session)
    sms_provider.status = 503
    sms_provider.answer = {"error": "Сервис временно недоступен"}

    result = send_due(db_session, http_settings(sms_provider))

    row = sms_row(message_id)
    assert (result.retried, row.status, row.attempts) == (1, MessageStatus.pending, 1)
    assert row.last_error.startswith("SMS-шлюз ответил HTTP 503:")
    assert "Сервис временно недоступен" in row.last_error


def test_an_error_in_a_200_answer_is_a_failure_too(sms_provider):
    sms_provider.answer = {"error": {"code": 7, "text": "Неверный номер"}}
    gateway = HttpSmsGateway(sms_provider.url)

    with pytest.raises(DeliveryError, match="Неверный номер"):
        gateway.send(Sms(1, "+79991234567", "Текст"))


def test_an_unreachable_provider_is_a_clear_reason(db_session):
    message_id = queue_an_sms(db_session)
    url = f"http://127.0.0.1:{free_port()}/send"

    send_due(db_session, mail_settings(free_port(), SMS_GATEWAY="http", SMS_HTTP_URL=url))

    assert sms_row(message_id).last_error.startswith(f"SMS-шлюз недоступен ({url})")


def test_a_gateway_without_an_address_says_what_is_missing(db_session):
    message_id = queue_an_sms(db_session)

    send_due(db_session, mail_settings(free_port(), SMS_GATEWAY="http", SMS_HTTP_URL=""))

    assert sms_row(message_id).last_error == "SMS_HTTP_URL не задан или неверен: ''"


def test_the_development_gateway_only_records(db_session):
    message_id = queue_an_sms(db_session)

    send_due(db_session, mail_settings(free_port(), SMS_GATEWAY="dev"))

    row = sms_row(message_id)
    assert (row.status, row.delivered_via, row.is_dev_only) == (MessageStatus.sent, "sms-dev", True)
    assert row.channel == MessageChannel.sms
