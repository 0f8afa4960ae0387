"""Two simultaneous POSTs with one Idempotency-Key create one reservation (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from engine.bpmn import repository
from engine.sales.actions import RESERVATION_PROCESS
from tests.web.api_support import counts, issue_key, order, post_reservation
from web.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL (в CI задан)")


@pytest.fixture(autouse=True)
def _process_published(_postgres_only, app):
    """As after `make run` (processes load): two first requests must not publish it at once."""
    repository.latest(db.session, RESERVATION_PROCESS)
    db.session.commit()


def _post_at_once(app, raw: str, bodies: list[dict], idempotency_key: str) -> list:
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def send(index: int) -> None:
        http = app.test_client()  # a thread of its own: its own app context and session
        barrier.wait()
        answers[index] = post_reservation(http, raw, bodies[index], idempotency_key)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_requests_with_one_key_at_once_create_one_reservation(app, make_building, make_premise):
    premise = make_premise(make_building())
    _, raw = issue_key()

    answers = _post_at_once(app, raw, [order(premise.id)] * 2, "order-42")

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json == answers[1].json
    found = counts()
    assert (found["reservation"], found["client"], found["idempotency_record"]) == (1, 1, 1)


def test_two_bodies_with_one_key_at_once_create_at_most_one_reservation(
    app, make_building, make_premise
):
    building = make_building()
    flats = [make_premise(building, number=str(n)).id for n in (1, 2)]
    _, raw = issue_key()

    answers = _post_at_once(app, raw, [order(flats[0]), order(flats[1])], "order-42")

    assert sorted(a.status_code for a in answers) == [201, 422]
    assert counts()["reservation"] == 1
