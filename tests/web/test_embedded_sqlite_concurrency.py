"""The embedded mode under load: gunicorn (2 workers × 4 threads, as `make run`) on a SQLite file,
50 online reservations posted at once. Every answer is a reservation or a refusal in business
words (4xx), never a 500 «database is locked»; the rows written are exactly the answers given.

The server and its database are this module's own, whatever TEST_DATABASE_URL says: the embedded
mode is SQLite by definition.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine.bpmn import repository
from engine.sales.actions import RESERVATION_PROCESS
from models.clients.client import Client
from models.sales.reservation import Reservation
from models.users.api_key import IdempotencyRecord
from tests.factories import catalog, users
from tests.server_support import Gunicorn
from tests.web.api_support import order
from web import create_app
from web.config import ROOT, TestConfig
from web.extensions import db

POSTS = 50
CONTESTED = 10  # the last 10 orders ask for premises that 10 earlier orders ask for too


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """A migrated SQLite file with the reservation process published, 40 flats and a key."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('embedded') / 'sales.sqlite'}"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    application = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        repository.latest(db.session, RESERVATION_PROCESS)
        building = catalog.building(db.session, floors_above=25)
        flats = [
            catalog.premise(db.session, building, number=str(n), floor=1 + n // 4).id
            for n in range(1, POSTS - CONTESTED + 1)
        ]
        _, raw = users.api_key(db.session)
        db.session.commit()
        db.session.remove()
    return application, url, flats, raw


@pytest.fixture(scope="module")
def server(embedded, tmp_path_factory):
    _, url, _, _ = embedded
    running = Gunicorn(
        url,
        tmp_path_factory.mktemp("gunicorn") / "gunicorn.log",
        workers=2,
        threads=4,  # as `make run`
        options=("--keep-alive", "0", "--log-level", "warning"),
        env={"SHARED_CACHE_SECONDS": "0"},
    )
    try:
        running.wait_ready()
        yield running.base
    finally:
        running.stop()


def _post(base: str, raw: str, body: dict, idempotency_key: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base}/api/v1/reservations",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {raw}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        text = refused.read().decode(errors="replace")
        try:
            return refused.code, json.loads(text)
        except ValueError:
            return refused.code, {"text": text[:300]}


def test_fifty_simultaneous_online_reservations_all_get_a_business_answer(embedded, server):
    application, _, flats, raw = embedded
    wanted = flats + flats[:CONTESTED]  # 50 orders: 40 flats, 10 of them asked for twice
    barrier = threading.Barrier(POSTS)
    answers: list = [None] * POSTS

    def send(index: int) -> None:
        barrier.wait()
        buyer = {"phone": f"+7999{index:07d}", "email": f"buyer{index}@example.ru"}
        answers[index] = _post(server, raw, order(wanted[index], **buyer), f"order-{index}")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)

    statuses = Counter(status for status, _ in answers)
    assert statuses[500] == 0, [body for status, body in answers if status >= 500][:3]
    assert set(statuses) <= {201, 409, 422}, statuses
    made = {body["id"]: body["premise_id"] for status, body in answers if status == 201}
    assert sorted(made.values()) == sorted(flats), [b for s, b in answers if s != 201][:5]
    refused = [body for status, body in answers if status != 201]
    assert len(refused) == CONTESTED
    assert all(body.get("message") for body in refused)

    with application.app_context():
        stored = dict(db.session.execute(select(Reservation.id, Reservation.premise_id)).all())
        clients = db.session.scalar(select(func.count()).select_from(Client))
        records = db.session.scalar(select(func.count()).select_from(IdempotencyRecord))
        db.session.remove()
    assert stored == made
    assert clients == len(made)  # a refused order leaves no client behind
    assert records == POSTS  # every answer is stored for its Idempotency-Key
