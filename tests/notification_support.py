"""Real servers on loopback for notification tests: an SMTP server (aiosmtpd) and a tiny HTTP
SMS provider, each started by a fixture.

A test module wraps them in its own fixture:

    @pytest.fixture
    def smtp_server():
        with running_smtp_server() as server:
            yield server
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from web.config import TestConfig, delivery_settings


def free_port() -> int:
    """A loopback port nobody listens on (until someone starts a server there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class SmtpInbox:
    """aiosmtpd handler: keeps what arrives. `refuse` (e.g. "550 …") refuses every recipient,
    `refuse_only` maps single addresses to their refusal."""

    messages: list[Received] = field(default_factory=list)
    refuse: str | None = None
    refuse_only: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse or address in self.refuse_only:
            return self.refuse or self.refuse_only[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.inbox = SmtpInbox()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self, **overrides) -> dict:
        return mail_settings(self.port, **overrides)


def mail_settings(port: int, **overrides) -> dict:
    """The app's delivery settings pointed at loopback:`port`; the SMS gateway records only."""
    settings = delivery_settings({k: getattr(TestConfig, k) for k in dir(TestConfig)})
    settings.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_DEFAULT_SENDER="Отдел продаж <sales@developer.ru>",
        MAIL_TIMEOUT=5,
        SMS_GATEWAY="dev",
    )
    settings.update(overrides)
    return settings


@contextmanager
def running_smtp_server(port: int | None = None):
    server = SmtpServer(port).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SmsProvider:
    """What the loopback HTTP provider got, and what it answers next."""

    requests: list[dict] = field(default_factory=list)
    status: int = 200
    answer: dict = field(default_factory=lambda: {"id": "prov-1", "status": "queued"})
    url: str = ""


@contextmanager
def running_sms_provider():
    """A JSON-over-HTTP SMS provider on loopback: records each POST, answers as told."""
    provider = SmsProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            provider.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(self.rfile.read(length).decode("utf-8")),
                }
            )
            body = json.dumps(provider.answer, ensure_ascii=False).encode("utf-8")
            self.send_response(provider.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/api/sms/send"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
