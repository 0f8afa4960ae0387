"""Network failures are told in Russian with what to check (engine/notifications/network.py)."""

from __future__ import annotations

import errno
import socket
import ssl
import urllib.error

import pytest

from engine.notifications.network import reason


@pytest.mark.parametrize(
    ("error", "told"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "отказал в соединении"),
        (socket.gaierror(-2, "Name or service not known"), "имя сервера не найдено"),
        (TimeoutError("timed out"), "не ответил вовремя"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "сертификат"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "сеть недоступна"),
        (OSError(9999, "Something else"), "сетевая ошибка (код 9999)"),
        (urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "x")), "отказал"),
    ],
)
def test_a_network_failure_is_told_in_russian(error, told):
    text = reason(error)
    assert told in text
    assert not any(word in text for word in ("Errno", "refused", "Name or service", "timed out"))
