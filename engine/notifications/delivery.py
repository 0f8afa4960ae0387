"""Carrying a message out: email over SMTP, SMS through a pluggable gateway. No database here.

Settings come as a plain mapping (web/config.py `delivery_settings` builds it from the app's
config): `MAIL_SERVER`, `MAIL_PORT`, `MAIL_USE_TLS` (STARTTLS), `MAIL_USE_SSL` (SMTPS),
`MAIL_USERNAME`, `MAIL_PASSWORD`, `MAIL_DEFAULT_SENDER`, `MAIL_TIMEOUT`; `SMS_GATEWAY`
(`dev` or `http`) and, for `http`, the settings read by engine/sms_http.py.

Every failure is a `DeliveryError` whose text is the reason shown in the outbox.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email import charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Any, Protocol

from engine.notifications import network

log = logging.getLogger(__name__)

UTF8 = charset.Charset("utf-8")
UTF8.body_encoding = charset.QP  # readable in the raw message, safe for 7-bit servers


class DeliveryError(Exception):
    """The message did not go out; str(error) is the reason, in Russian, for the outbox."""


@dataclass(frozen=True)
class Email:
    message_id: int  # the outbox row: also the stable Message-ID, so a retry is recognisable
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Sms:
    message_id: int
    to: str  # E.164, +79991234567
    text: str


class SmsGateway(Protocol):
    """What an SMS provider must offer. `send` returns the provider's message id (or None) or
    raises DeliveryError with the reason; it must be safe to call again for the same
    `sms.message_id` (providers that accept an idempotency key get one)."""

    via: str  # recorded on the outbox row: "sms-dev", "sms-http"

    def send(self, sms: Sms) -> str | None: ...


class DevSmsGateway:
    """Development gateway: nothing leaves the machine. The outbox row itself is the record
    (status sent, `delivered_via` = "sms-dev", the text in `body`); the log shows it too."""

    via = "sms-dev"

    def send(self, sms: Sms) -> str | None:
        log.info("SMS (dev, not sent) to %s: %s", sms.to, sms.text)
        return None


class UnusableSmsGateway:
    """Stands in when the settings name no usable gateway: every SMS fails with the reason."""

    via = "sms"

    def __init__(self, reason: str):
        self.reason = reason

    def send(self, sms: Sms) -> str | None:
        raise DeliveryError(self.reason)


def sms_gateway(settings: Mapping[str, Any]) -> SmsGateway:
    kind = str(settings.get("SMS_GATEWAY") or "dev").lower()
    if kind == "dev":
        return DevSmsGateway()
    if kind == "http":
        from engine.notifications.sms_http import HttpSmsGateway

        return HttpSmsGateway.from_settings(settings)
    return UnusableSmsGateway(f"Неизвестный SMS-шлюз SMS_GATEWAY={kind!r}: укажите dev или http")


class Mailer:
    """One SMTP session for a batch of emails: `with Mailer(settings) as mailer: mailer.send(e)`.

    Connects on the first email. A refusal of one message (550 for the recipient or the data)
    fails that message only; a dropped connection is reopened once; a server that cannot be
    reached fails the rest of the batch with the same reason at once instead of waiting for a
    timeout per message."""

    via = "smtp"

    def __init__(self, settings: Mapping[str, Any]):
        self.host = str(settings.get("MAIL_SERVER") or "localhost")
        self.port = int(settings.get("MAIL_PORT") or 25)
        self.use_ssl = bool(settings.get("MAIL_USE_SSL"))
        self.use_tls = bool(settings.get("MAIL_USE_TLS"))
        self.username = settings.get("MAIL_USERNAME") or None
        self.password = settings.get("MAIL_PASSWORD") or ""
        self.sender = str(settings.get("MAIL_DEFAULT_SENDER") or "noreply@localhost")
        self.timeout = float(settings.get("MAIL_TIMEOUT") or 10)
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def send(self, email: Email) -> str:
        """Deliver one email; returns its Message-ID; DeliveryError with the reason if not."""
        email = replace(email, to=ascii_address(email.to))
        message = self.compose(email)
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.send_message(message, from_addr=self.envelope_sender, to_addrs=[email.to])
                return message["Message-ID"]
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                raise DeliveryError(
                    f"SMTP-сервер отказал получателю: {_reply(code, text)}"
                ) from None
            except smtplib.SMTPResponseException as error:  # sender or data refused
                raise DeliveryError(
                    f"SMTP-сервер отказал: {_reply(error.smtp_code, error.smtp_error)}"
                ) from None
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                self._drop()
                if attempt == 2:
                    raise DeliveryError(
                        f"SMTP-сервер разорвал соединение: {network.reason(error)}"
                    ) from None
            except smtplib.SMTPException as error:  # e.g. a non-ASCII address without SMTPUTF8
                raise DeliveryError(f"Письмо не отправлено: {error}") from None
        raise AssertionError("unreachable")

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender)[1] or self.sender

    def compose(self, email: Email) -> MIMEText:
        """A UTF-8 text/plain message: quoted-printable body, encoded-word headers.

        Built with the classic (compat32) API: it writes the same standard MIME as
        `EmailMessage` but about twenty times faster, which shows at thousands of emails."""
        message = MIMEText(email.body, "plain", UTF8)
        name, address = parseaddr(self.sender)
        message["From"] = formataddr((name, address or self.sender), charset="utf-8")
        message["To"] = email.to
        message["Subject"] = Header(email.subject, "utf-8")
        message["Date"] = formatdate(localtime=False)
        domain = self.envelope_sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<outbox-{email.message_id}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        return message

    def _connection(self) -> smtplib.SMTP:
        if self._unreachable:
            raise DeliveryError(self._unreachable)
        if self._smtp is not None:
            return self._smtp
        try:
            self._smtp = self._open()
        except smtplib.SMTPAuthenticationError as error:
            reply = _reply(error.smtp_code, error.smtp_error)
            self._unreachable = f"SMTP-сервер не принял логин: {reply}"
        except (smtplib.SMTPException, OSError) as error:
            why = (
                _reply(error.smtp_code, error.smtp_error)
                if hasattr(error, "smtp_code")
                else (
                    network.reason(error) if isinstance(error, OSError) else "сбой протокола SMTP"
                )
            )
            self._unreachable = f"Нет связи с SMTP-сервером {self.host}:{self.port}: {why}"
        if self._unreachable:
            raise DeliveryError(self._unreachable)
        return self._smtp

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp


def ascii_address(address: str) -> str:
    """user@почта.рф → user@xn--80a1acny.xn--p1ai; DeliveryError for what cannot be sent."""
    local, at, domain = (address or "").strip().rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in address.strip()):
        raise DeliveryError(f"Неверный адрес эл. почты: «{address}»")
    if not local.isascii():
        raise DeliveryError(
            f"Адрес «{address}» с нелатинскими буквами до @ этот отправитель не поддерживает"
        )
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        raise DeliveryError(f"Неверный домен в адресе эл. почты: «{address}»") from None


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()
