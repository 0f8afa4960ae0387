"""Network failures in words an administrator can act on (the outbox shows them), instead of
the operating system's English («[Errno 111] Connection refused»)."""

from __future__ import annotations

import errno
import socket
import ssl

_BY_ERRNO = {
    errno.ECONNREFUSED: "сервер отказал в соединении: он не запущен или порт закрыт",
    errno.ECONNRESET: "сервер сбросил соединение",
    errno.ETIMEDOUT: "сервер не ответил вовремя",
    errno.EHOSTUNREACH: "сервер недоступен из этой сети",
    errno.ENETUNREACH: "сеть недоступна",
    errno.EPIPE: "соединение оборвалось во время передачи",
}


def reason(error: BaseException) -> str:
    """Why a connection failed, in Russian; what to check is in the words."""
    inner = getattr(error, "reason", None)  # urllib wraps the socket's error
    if isinstance(inner, BaseException):
        error = inner
    if isinstance(error, socket.gaierror):
        return "имя сервера не найдено: проверьте адрес в настройках"
    if isinstance(error, TimeoutError | socket.timeout):
        return "сервер не ответил вовремя"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "сертификат сервера не прошёл проверку"
    if isinstance(error, ssl.SSLError):
        return "не удалось установить защищённое соединение (TLS)"
    code = getattr(error, "errno", None)
    if code in _BY_ERRNO:
        return _BY_ERRNO[code]
    if code:
        return f"сетевая ошибка (код {code})"
    return "сетевая ошибка"
