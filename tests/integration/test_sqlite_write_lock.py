"""SQLite (embedded mode): a transaction that reads first and writes afterwards is not failed by
a writer that commits in between (web/sqlite_locking.py).

Each test lets another connection write at the worst moment: just before the transaction's
first write, after its first reads. That connection does not wait (busy timeout 0): when the
transaction under test already holds the write lock, it is the other one that steps back.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from engine.core import runtime
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus
from models.users.api_key import ApiKey
from models.users.user import Role
from tests.factories.users import PASSWORD
from tests.web.api_support import RESERVATIONS, bearer, counts, issue_key, order
from web import create_app, jobs
from web.extensions import db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("про встроенный режим: только SQLite")


@pytest.fixture
def writer_in_between(app):
    """`writer_in_between()`: from now on, before the app's next write, another connection
    changes a row and commits if it gets the lock at once. Returns what it managed, filled in
    then: [True] (committed) or [False] (locked out)."""
    outcomes: list[bool] = []

    def before_write(connection, cursor, statement, parameters, context, executemany):
        if outcomes or not statement.lstrip().upper().startswith(WRITES):
            return
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("UPDATE project SET name = name || '.'")
            outcomes.append(True)
        except sqlite3.OperationalError:  # the transaction under test holds the write lock
            outcomes.append(False)
        finally:
            other.close()

    def arm() -> list[bool]:
        event.listen(db.engine, "before_cursor_execute", before_write)
        return outcomes

    yield arm
    if event.contains(db.engine, "before_cursor_execute", before_write):
        event.remove(db.engine, "before_cursor_execute", before_write)


def test_a_reading_request_that_writes_after_all_is_run_again_holding_the_lock(
    client, make_building, writer_in_between
):
    make_building()  # the row the other connection changes
    key_id, raw = issue_key()
    db.session.get(ApiKey, key_id).last_used_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    other_writer = writer_in_between()
    answer = client.get("/api/v1/premises", headers=bearer(raw))  # reads the key, then touches it

    assert answer.status_code == 200, answer.json
    assert other_writer == [True]  # the other writer won the first run
    db.session.expire_all()
    assert db.session.get(ApiKey, key_id).last_used_at > utcnow() - timedelta(minutes=1)


def test_the_tick_job_holds_the_write_lock_from_its_first_read(
    app, make_building, make_premise, make_user, writer_in_between
):
    approval_id = _overdue_approval(make_building, make_premise, make_user)

    other_writer = writer_in_between()
    outcome = jobs.engine_tick.run()

    assert outcome["errors"] == 0
    assert other_writer == [False]  # the other writer had to wait for the tick
    db.session.expire_all()
    assert db.session.get(HumanTask, approval_id).escalated_at is not None


def _overdue_approval(make_building, make_premise, make_user) -> int:
    premise = make_premise(make_building(), price="10000000.00")
    manager = make_user(Role.sales_manager)
    instance = runtime.start(
        db.session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    [propose] = _open(instance.id)
    runtime.complete(db.session, propose.id, manager, {"new_price": "1000000", "reason": "x"})
    [approval] = _open(instance.id)
    approval.due_at = utcnow() - timedelta(minutes=1)
    approval_id = approval.id
    db.session.commit()  # and nothing read after it: the job begins its own transaction
    return approval_id


def _open(instance_id: int) -> list[HumanTask]:
    return db.session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open
        )
    ).all()


@pytest.fixture
def impatient_app(app):
    """A second app on the same database whose writers wait only 50 ms for the write lock."""
    return create_app({**app.config, "SQLITE_BUSY_TIMEOUT_MS": 50})


@pytest.fixture
def lock_held_elsewhere(app):
    """Another connection holds SQLite's write lock for the duration of the test."""
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.execute("ROLLBACK")
    other.close()


def test_a_writer_kept_waiting_past_the_busy_timeout_is_told_the_server_is_busy(
    impatient_app, make_building, make_premise, make_user, request
):
    premise_id = make_premise(make_building()).id
    admin_id = make_user(Role.admin).id
    _, raw = issue_key()
    request.getfixturevalue("lock_held_elsewhere")

    begins = []
    with impatient_app.app_context():
        engine = db.engine

    def count_begins(connection, cursor, statement, *_):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(engine, "before_cursor_execute", count_begins)
    http = impatient_app.test_client()
    answer = http.post(RESERVATIONS, json=order(premise_id), headers=bearer(raw, "order-1"))
    with http.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(admin_id), True
    page = http.post("/admin/notifications/outbox/1/resend")
    event.remove(engine, "before_cursor_execute", count_begins)

    assert begins == ["BEGIN IMMEDIATE"] * 2  # each request waited once, not once more

    assert (answer.status_code, answer.json["error"]) == (503, "busy")
    assert "занят" in answer.json["message"] and answer.headers["Retry-After"] == "5"
    assert page.status_code == 503 and "Сервер занят" in page.get_data(as_text=True)
    assert counts()["reservation"] == 0


def test_logging_in_does_not_wait_for_the_writers(impatient_app, make_user, request):
    """A login only reads: it is not kept behind the writers (nor they behind its password
    check), so it succeeds while another connection holds the write lock."""
    make_user(Role.sales_manager, email="manager@developer.ru")
    db.session.commit()
    request.getfixturevalue("lock_held_elsewhere")

    http = impatient_app.test_client()
    answer = http.post("/login", data={"email": "manager@developer.ru", "password": PASSWORD})

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/projects")
