"""An outbox message in memory: how long it waits after each failed attempt, when it is given
up on, and what is recorded once it is delivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.notifications.outbox import MessageStatus, OutboundMessage, retry_delay

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (30, 60)],
)
def test_the_wait_doubles_after_each_failure_from_a_minute_up_to_an_hour(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_a_failed_attempt_before_the_last_is_retried_after_the_back_off():
    message = OutboundMessage(status=MessageStatus.pending, attempts=3, next_attempt_at=NOW)
    message.attempt_failed("SMTP 451: try later", NOW, max_attempts=4)
    assert (message.status, message.last_error, message.next_attempt_at) == (
        MessageStatus.pending,
        "SMTP 451: try later",
        NOW + timedelta(minutes=4),
    )


def test_the_last_allowed_attempt_failing_gives_the_message_up():
    message = OutboundMessage(status=MessageStatus.pending, attempts=4, next_attempt_at=NOW)
    message.attempt_failed("SMTP 550: no such user", NOW, max_attempts=4)
    assert (message.status, message.last_error, message.next_attempt_at) == (
        MessageStatus.failed,
        "SMTP 550: no such user",
        NOW,
    )
    assert message.can_resend()


def test_a_delivered_message_records_when_how_and_the_provider_s_reference():
    message = OutboundMessage(status=MessageStatus.pending, attempts=1)
    message.delivered("sms-http", "x" * 150, NOW)
    assert (message.status, message.sent_at, message.delivered_via) == (
        MessageStatus.sent,
        NOW,
        "sms-http",
    )
    assert message.provider_message_id == "x" * 100
    assert (message.is_dev_only, message.can_resend()) == (False, False)


@pytest.mark.parametrize("reference", [None, ""])
def test_a_delivery_without_a_reference_stores_none(reference):
    message = OutboundMessage(status=MessageStatus.pending)
    message.delivered("smtp", reference, NOW)
    assert message.provider_message_id is None


def test_an_sms_recorded_by_the_development_gateway_is_marked_as_never_sent():
    message = OutboundMessage(status=MessageStatus.pending)
    message.delivered("sms-dev", "dev-1", NOW)
    assert (message.is_dev_only, message.provider_message_id) == (True, "dev-1")
