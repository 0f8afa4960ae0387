"""A generic HTTP SMS gateway: one JSON POST per message. `SMS_GATEWAY=http` selects it.

The production provider is not chosen yet; most Russian SMS providers (and any small adapter in
front of one) can take this request. Settings:

    SMS_HTTP_URL      where to POST, e.g. https://sms.example.ru/api/send   (required)
    SMS_HTTP_TOKEN    sent as `Authorization: Bearer <token>` when set
    SMS_HTTP_SENDER   the sender name (alpha name) registered with the provider; optional
    SMS_HTTP_TIMEOUT  seconds to wait for the answer (default 10)

The request:

    POST <SMS_HTTP_URL>
    Content-Type: application/json; charset=utf-8
    Authorization: Bearer <SMS_HTTP_TOKEN>
    Idempotency-Key: outbox-<id>

    {"to": "+79991234567", "text": "Помещение № 101 забронировано…",
     "sender": "<SMS_HTTP_SENDER>", "reference": "outbox-<id>"}

`reference` (and the Idempotency-Key header) is the same on every retry of one outbox row, so a
provider that deduplicates will not send twice. The answer:

- any 2xx is success; if its JSON body has `id` or `message_id`, that is kept on the row;
- a 2xx whose JSON body has a non-empty `error` is a failure (providers that always answer 200);
- any other status is a failure, retried with back-off; the status and the start of the body
  become the reason shown in the outbox; so does a network error or a timeout.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from engine.notifications import network
from engine.notifications.delivery import DeliveryError, Sms, UnusableSmsGateway


class HttpSmsGateway:
    via = "sms-http"

    def __init__(self, url: str, *, token: str = "", sender: str = "", timeout: float = 10.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError("SMS_HTTP_URL must be an http:// or https:// address")
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> HttpSmsGateway | UnusableSmsGateway:
        url = str(settings.get("SMS_HTTP_URL") or "")
        try:
            return cls(
                url,
                token=str(settings.get("SMS_HTTP_TOKEN") or ""),
                sender=str(settings.get("SMS_HTTP_SENDER") or ""),
                timeout=float(settings.get("SMS_HTTP_TIMEOUT") or 10),
            )
        except ValueError:
            return UnusableSmsGateway(f"SMS_HTTP_URL не задан или неверен: {url!r}")

    def request_for(self, sms: Sms) -> urllib.request.Request:
        reference = f"outbox-{sms.message_id}"
        payload = {"to": sms.to, "text": sms.text, "reference": reference}
        if self.sender:
            payload["sender"] = self.sender
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": reference,
            "User-Agent": "sales-outbox/1",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, sms: Sms) -> str | None:
        try:
            with urllib.request.urlopen(self.request_for(sms), timeout=self.timeout) as response:
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            text = _text(error.read(2000))
            raise DeliveryError(f"SMS-шлюз ответил HTTP {error.code}: {text}".strip()) from None
        except (urllib.error.URLError, OSError) as error:
            why = network.reason(error)
            raise DeliveryError(f"SMS-шлюз недоступен ({self.url}): {why}") from None
        return _provider_id(answer)


def _provider_id(answer: bytes) -> str | None:
    try:
        data = json.loads(answer) if answer.strip() else {}
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("error"):
        reason = _text(json.dumps(data["error"], ensure_ascii=False))
        raise DeliveryError(f"SMS-шлюз сообщил об ошибке: {reason}")
    found = data.get("id", data.get("message_id"))
    return str(found) if found not in (None, "") else None


def _text(raw: bytes | str) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return " ".join(raw.split())[:200]
