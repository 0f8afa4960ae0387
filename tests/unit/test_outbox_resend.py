"""Resending from the outbox, in memory: only a message given up on goes back to the queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.notifications.outbox import MessageNotResendable, MessageStatus, OutboundMessage

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_a_failed_message_goes_back_to_the_queue_with_fresh_retries():
    message = OutboundMessage(status=MessageStatus.failed, attempts=5)
    message.resend(NOW)
    assert (message.status, message.attempts, message.next_attempt_at) == (
        MessageStatus.pending,
        0,
        NOW,
    )


@pytest.mark.parametrize("status", [s for s in MessageStatus if s != MessageStatus.failed])
def test_a_message_not_given_up_on_is_not_resent(status):
    message = OutboundMessage(status=status, attempts=1)
    with pytest.raises(MessageNotResendable) as refused:
        message.resend(NOW)
    assert refused.value.message == "Повторно отправить можно только неотправленное сообщение"
    assert (message.status, message.attempts) == (status, 1)
