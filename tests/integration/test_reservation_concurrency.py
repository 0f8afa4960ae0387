"""One premise, many buyers at once: exactly one reservation, clean refusals (PostgreSQL).

The guarantee under test: at most one active reservation per premise is enforced by the database
(the partial unique index `uq_reservation_active_premise`); the availability check and the write
happen in one transaction with the premise row locked; the limit per client is checked with the
client row locked. Every attempt runs on a connection of its own. To make the race certain rather
than likely, a *gate* connection holds the contested rows FOR UPDATE until every attempt waits
behind it (seen in `pg_stat_activity`), then lets them all go at once.

Through the engine: 50 buyers on one premise; one buyer on ten premises (the limit per client);
the index itself, without the lock. Through HTTP: the same 50-buyer race on gunicorn with several
worker processes, on the very database of the test session; gunicorn is stopped before the test
ends, so the tables can be emptied afterwards. Also: one new buyer on three premises at once
(one card, the limit holds) and a known buyer giving consent on two premises at once (no
deadlock).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from engine.bpmn import repository
from engine.sales import use_cases as reservations
from models.catalog.objects import Premise, PremiseChange, PremiseStatus
from models.clients.client import Client, ClientPhone, Consent
from models.db.base import utcnow
from models.process.instance import ProcessBusinessKey, ProcessInstance, ProcessStatus
from models.sales.reservation import Channel, Reservation, ReservationError, ReservationStatus
from models.users.api_key import IdempotencyRecord
from tests.factories import users
from tests.server_support import Gunicorn
from tests.time_support import lock_waits, wait_until
from web.config import TestConfig

ATTEMPTS = 50
GUNICORN_WORKERS = 4
GUNICORN_THREADS = 4  # as in scripts/run.sh: gthread workers, several requests per process
WAIT_S = 30.0


@pytest.fixture(autouse=True)
def _postgres_only(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL (в CI задан)")


@pytest.fixture
def engine(database_url):
    """Connections of their own for every attempt: no pool to queue behind."""
    engine = create_engine(TestConfig.normalise_database_url(database_url), poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def processes(app, db_session):
    """Publish the reservation process first: the race is about premises, not about version 1."""
    repository.latest(db_session, reservations.RESERVATION_PROCESS)
    db_session.commit()


# --------------------------------------------------------------------------- helpers


class Gate:
    """Rows held FOR UPDATE by a connection of its own until the attempts queue behind them."""

    def __init__(self, engine, table: str, ids: list[int]):
        self.connection = engine.connect()
        self.connection.execute(
            text(f'SELECT id FROM "{table}" WHERE id = ANY(:ids) FOR UPDATE'), {"ids": ids}
        )
        self.pid = self.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def wait_for(self, count: int) -> int:
        """Until `count` backends wait for a lock (behind the gate or behind each other), or
        WAIT_S pass; the number seen."""
        with suppress(AssertionError):  # fewer met: the caller's assertion says how many
            wait_until(lambda: self.waiting() >= count, timeout=WAIT_S, every=0.05)
        return self.waiting()

    def waiting(self) -> int:
        return lock_waits(self.connection.engine, but_pid=self.pid)

    def open(self) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None


def race(app, engine, work: Callable[[Session, int], int], count: int, gate: Gate) -> list:
    """`work(session, index)` in `count` threads, each on its own connection, released at once.

    An attempt commits when `work` returns (its result: the reservation id) and rolls back on
    an exception (its result: the exception).
    """
    results: list = [None] * count
    ready = threading.Barrier(count + 1)

    def attempt(index: int) -> None:
        with app.app_context(), Session(engine) as session:
            try:
                session.connection()  # connected before the race, not during it
                ready.wait(WAIT_S)
                results[index] = work(session, index)
                session.commit()
            except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
                session.rollback()
                results[index] = error

    threads = [threading.Thread(target=attempt, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    try:
        ready.wait(WAIT_S)
        waiting = gate.wait_for(count)
    finally:
        gate.open()
    for thread in threads:
        thread.join(WAIT_S)
    assert not any(t.is_alive() for t in threads), "an attempt hung"
    assert waiting == count, f"only {waiting} of {count} attempts met at the gate"
    return results


def outcome(results: list) -> tuple[list[int], Counter, list]:
    """(ids of reservations made, refusal codes, anything else that happened)."""
    made = [r for r in results if isinstance(r, int)]
    refused = Counter(r.code for r in results if isinstance(r, ReservationError))
    other = [r for r in results if not isinstance(r, int | ReservationError)]
    return made, refused, other


def book(session: Session, premise_id: int, full_name: str, phone: str) -> int:
    """What the API's POST /reservations does below HTTP: the one online booking use case."""
    made = reservations.book(
        session, premise_id, full_name=full_name, phone=phone, email=None, api_key_id=None
    )
    return made.reservation.id


def count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def assert_held_by(session: Session, premise_id: int, reservation_id: int) -> None:
    """Premise, reservation and process rows tell the same story: one holder."""
    session.expire_all()
    reservation = session.get(Reservation, reservation_id)
    assert reservation.premise_id == premise_id
    assert reservation.status == ReservationStatus.active
    assert session.scalars(
        select(Reservation.id).where(Reservation.premise_id == premise_id)
    ).all() == [reservation_id], "a refused attempt left a reservation behind"
    premise = session.get(Premise, premise_id)
    assert premise.status == PremiseStatus.reserved
    assert [(c.old_value, c.new_value) for c in premise.changes if c.field == "status"] == [
        ("available", "reserved")
    ]
    [instance] = session.scalars(
        select(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(
            ProcessInstance.process_id == reservations.RESERVATION_PROCESS,
            ProcessBusinessKey.name == "premise_id",
            ProcessBusinessKey.value == str(premise_id),
        )
    ).all()
    assert instance.status == ProcessStatus.waiting
    assert instance.business_keys["reservation_id"] == reservation_id
    assert instance.next_timer_at is not None  # the expiry is scheduled
    keys = {key.name: key.value for key in instance.keys}
    assert keys["reservation_id"] == str(reservation_id)
    assert keys["client_id"] == str(reservation.client_id)
    assert count(session, ProcessInstance, ProcessInstance.status == ProcessStatus.error) == 0


# --------------------------------------------------------------------------- (a) one premise


def test_fifty_buyers_at_once_get_one_reservation_and_49_clean_refusals(
    app, db_session, engine, processes, make_building, make_premise
):
    premise_id = make_premise(make_building(), number="101").id
    db_session.commit()  # the attempts run on connections of their own

    def attempt(session: Session, index: int) -> int:
        return book(session, premise_id, f"Покупатель {index}", f"+7999100{index:04d}")

    gate = Gate(engine, "premise", [premise_id])
    results = race(app, engine, attempt, ATTEMPTS, gate)

    made, refused, other = outcome(results)
    assert other == []
    assert len(made) == 1
    assert refused == {"premise_unavailable": ATTEMPTS - 1}
    assert_held_by(db_session, premise_id, made[0])
    # A refused attempt rolls back everything, its new client card and consent too.
    winner = db_session.get(Reservation, made[0]).client_id
    assert db_session.scalars(select(Client.id)).all() == [winner]
    assert count(db_session, ClientPhone) == 1
    assert count(db_session, Consent) == 1
    assert count(db_session, ProcessInstance) == 1


# --------------------------------------------------------------------------- (b) one client


def test_one_client_on_ten_premises_at_once_gets_exactly_the_limit(
    app, db_session, engine, processes, make_building, make_premise, make_client
):
    building = make_building()
    premise_ids = [make_premise(building, number=str(n)).id for n in range(1, 11)]
    buyer = make_client("Быстрый Покупатель", "+79992000001")
    db_session.commit()  # the attempts run on connections of their own
    buyer_id = buyer.id

    def attempt(session: Session, index: int) -> int:
        client = session.get(Client, buyer_id)
        made = reservations.reserve(
            session, premise_ids[index], client, channel=Channel.online, user=None
        )
        return made.reservation.id

    # Everyone passes the unlocked pre-check (no reservation yet) and queues for the client row:
    # the locked check in `reserve_premise` alone must hold the line.
    gate = Gate(engine, "client", [buyer_id])
    results = race(app, engine, attempt, len(premise_ids), gate)

    made, refused, other = outcome(results)
    assert other == []
    assert len(made) == 2  # reservation.max_per_client, default
    assert refused == {"client_limit_reached": len(premise_ids) - 2}
    db_session.expire_all()
    active = db_session.scalars(
        select(Reservation).where(
            Reservation.client_id == buyer_id, Reservation.status == ReservationStatus.active
        )
    ).all()
    assert sorted(r.id for r in active) == sorted(made)
    assert count(db_session, Reservation) == 2
    for reservation in active:
        assert_held_by(db_session, reservation.premise_id, reservation.id)
    free = db_session.scalars(select(Premise).where(Premise.id.in_(premise_ids))).all()
    assert Counter(p.status for p in free) == {
        PremiseStatus.reserved: 2,
        PremiseStatus.available: len(premise_ids) - 2,
    }
    assert count(db_session, ProcessInstance) == 2


# --------------------------------------------------------------------------- the index itself


def test_the_database_refuses_a_second_active_reservation_even_without_the_lock(
    app, db_session, engine, processes, make_building, make_premise, make_client
):
    premise_id = make_premise(make_building()).id
    first = make_client("Первый", "+79993000001")
    second = make_client("Второй", "+79993000002")
    db_session.commit()
    reservations.reserve(db_session, premise_id, first, channel=Channel.online, user=None)
    db_session.commit()

    with Session(engine) as session:  # straight to the table: no lock, no status check
        now = utcnow()
        session.add(
            Reservation(
                premise_id=premise_id,
                client_id=second.id,
                channel=Channel.online,
                status=ReservationStatus.active,
                starts_at=now,
                expires_at=now,
                fixed_price=Decimal("1.00"),
                fixed_price_per_m2=Decimal("1.00"),
            )
        )
        with pytest.raises(IntegrityError, match="uq_reservation_active_premise"):
            session.flush()
        session.rollback()

    definition = db_session.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_reservation_active_premise'")
    )
    assert "UNIQUE" in definition and "WHERE" in definition and "active" in definition


# --------------------------------------------------------------------------- known gaps


def test_one_new_buyer_on_three_premises_at_once_stays_within_the_limit(
    app, db_session, engine, processes, make_building, make_premise
):
    building = make_building()
    premise_ids = [make_premise(building, number=str(n)).id for n in range(1, 4)]
    db_session.commit()  # the attempts run on connections of their own

    def attempt(session: Session, index: int) -> int:
        return book(session, premise_ids[index], "Новый Покупатель", "+79994000001")

    gate = Gate(engine, "premise", premise_ids)  # every attempt has looked the phone up by then
    made, refused, other = outcome(race(app, engine, attempt, len(premise_ids), gate))

    assert other == []
    assert len(made) == 2, f"{len(made)} reservations for one phone"
    assert refused == {"client_limit_reached": 1}
    assert count(db_session, Client) == 1


def test_a_known_buyer_giving_consent_on_two_premises_at_once_gets_both(
    app, db_session, engine, processes, make_building, make_premise, make_client
):
    building = make_building()
    premise_ids = [make_premise(building, number=str(n)).id for n in (1, 2)]
    # A card without consent, e.g. from an import.
    make_client("Давний Покупатель", "+79995000001", personal_data=False)
    db_session.commit()  # the attempts run on connections of their own

    def attempt(session: Session, index: int) -> int:
        return book(session, premise_ids[index], "Давний Покупатель", "+79995000001")

    gate = Gate(engine, "premise", premise_ids)  # both consents are inserted by then
    made, refused, other = outcome(race(app, engine, attempt, 2, gate))

    assert other == []
    assert refused == Counter(), "a free premise refused"
    assert len(made) == 2  # within the limit of 2


# --------------------------------------------------------------------------- (c) HTTP


class ApiServer(Gunicorn):
    """The product under gunicorn, asked in JSON."""

    def __init__(self, database_url: str, log_path: Path):
        super().__init__(
            database_url,
            log_path,
            workers=GUNICORN_WORKERS,
            threads=GUNICORN_THREADS,
            # A gthread worker accepts up to worker_connections (1000) requests and queues
            # them for its threads: one process would take the whole burst. Spread it.
            # --preload: import the app once, then fork (4 imports on 2 cores are slow).
            options=("--worker-connections", str(GUNICORN_THREADS), "--preload"),
        )

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT_S)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            connection.request(
                method,
                path,
                body=payload,
                headers={"Content-Type": "application/json"} | (headers or {}),
            )
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"raw": raw[:500].decode("utf-8", "replace")}


def test_fifty_http_requests_at_once_under_gunicorn_get_one_201_and_49_409(
    app, db_session, engine, database_url, processes, make_building, make_premise, tmp_path
):
    premise_id = make_premise(make_building(), number="101").id
    key, raw_key = users.api_key(db_session, "concurrency-test")
    db_session.commit()
    key_id = key.id
    db_session.close()  # nothing of ours stays open while gunicorn works

    server = ApiServer(database_url, tmp_path / "gunicorn.log")
    answers: list = [None] * ATTEMPTS
    try:
        server.wait_ready(WAIT_S)
        ready = threading.Barrier(ATTEMPTS + 1)

        def send(index: int) -> None:
            body = {
                "premise_id": premise_id,
                "client": {"full_name": f"Покупатель {index}", "phone": f"+7999500{index:04d}"},
                "consent_personal_data": True,
            }
            headers = {
                "Authorization": f"Bearer {raw_key}",
                "Idempotency-Key": f"race-{index}",
            }
            ready.wait(WAIT_S)
            try:
                answers[index] = server.request("POST", "/api/v1/reservations", body, headers)
            except Exception as error:  # noqa: BLE001 - reported by the assertions below
                answers[index] = (None, {"exception": repr(error)})

        gate = Gate(engine, "premise", [premise_id])
        threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        try:
            ready.wait(WAIT_S)
            # Every gunicorn thread of every worker ends up waiting behind the gate.
            waiting = gate.wait_for(GUNICORN_WORKERS * GUNICORN_THREADS)
        finally:
            gate.open()
        for thread in threads:
            thread.join(WAIT_S)
        assert not any(t.is_alive() for t in threads), "a request hung"
    finally:
        server.stop()
    print(f"requests waiting behind the gate at once: {waiting}")

    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 1, 409: ATTEMPTS - 1}, (statuses, answers, server.output())
    # More requests met at the gate than one process has threads: several workers raced.
    assert waiting > GUNICORN_THREADS, waiting
    refusals = Counter(body["error"] for status, body in answers if status == 409)
    assert refusals == {"premise_unavailable": ATTEMPTS - 1}
    [made] = [body for status, body in answers if status == 201]
    assert made["premise_id"] == premise_id and made["status"] == "active"

    assert_held_by(db_session, premise_id, made["id"])
    assert db_session.get(Reservation, made["id"]).api_key_id == key_id
    assert db_session.scalars(select(Client.id)).all() == [made["client_id"]]
    assert count(db_session, Consent) == 1
    assert count(db_session, ProcessInstance) == 1
    assert count(db_session, PremiseChange, PremiseChange.premise_id == premise_id) == 1
    assert count(db_session, IdempotencyRecord) == ATTEMPTS  # every answer kept for replays
