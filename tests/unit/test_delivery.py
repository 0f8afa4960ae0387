"""Pieces of delivery that need no server: addresses, the message's form, the gateway choice."""

from __future__ import annotations

import email
import email.policy

import pytest

from engine.notifications.delivery import (
    DeliveryError,
    Email,
    Mailer,
    Sms,
    ascii_address,
    sms_gateway,
)


def test_a_russian_domain_is_sent_in_its_ascii_form():
    assert ascii_address("ivan@почта.рф") == "ivan@xn--80a1acny.xn--p1ai"
    assert ascii_address(" ivan@mail.ru ") == "ivan@mail.ru"


@pytest.mark.parametrize("address", ["", "ivan", "ivan@", "@mail.ru", "iv an@mail.ru"])
def test_an_address_that_cannot_be_sent_is_a_clear_reason(address):
    with pytest.raises(DeliveryError, match="Неверный адрес"):
        ascii_address(address)


def test_cyrillic_before_the_at_sign_is_refused_with_the_reason():
    with pytest.raises(DeliveryError, match="нелатинскими буквами до @"):
        ascii_address("иван@почта.рф")


def test_an_email_is_utf8_text_with_a_stable_message_id():
    mailer = Mailer({"MAIL_DEFAULT_SENDER": "Отдел продаж <sales@developer.ru>"})
    raw = mailer.compose(Email(42, "ivan@mail.ru", "Бронь № 7", "Здравствуйте!")).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)

    assert raw.isascii()  # 7-bit safe for any relay
    assert parsed["Subject"] == "Бронь № 7"
    assert parsed["From"].addresses[0].display_name == "Отдел продаж"
    assert parsed["Message-ID"] == "<outbox-42@developer.ru>"
    assert parsed.get_content() == "Здравствуйте!"
    assert mailer.envelope_sender == "sales@developer.ru"


def test_an_unknown_sms_gateway_fails_each_sms_with_the_setting_to_fix():
    gateway = sms_gateway({"SMS_GATEWAY": "smsc"})
    with pytest.raises(DeliveryError, match="SMS_GATEWAY='smsc'"):
        gateway.send(Sms(1, "+79991234567", "Текст"))
