"""Fixtures for running BPMN processes through the engine against the real database."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from engine import speed
from models.process.human_task import HumanTask, HumanTaskStatus
from tests.factories import process
from tests.process_support import ExplodeSwitch
from tests.spiff_walks import walks_compared
from web.extensions import db

SPEEDS = ("speed-on", "speed-off")
# The speed-off pass (about 8 s) covers the modules whose paths the speed-ups change: actions
# guarded or not, the tick's batches and preloaders, the stored state. The price change, the
# migration, the try-run and the reservation's edge cases run the same machinery on other flows:
# on only, which spares `make test` another 8 s.
OFF_TOO = {
    "test_engine_features",
    "test_reservation",
    "test_tick_batches",
    "test_unguarded_actions",
    "test_workflow_state",
}


def pytest_generate_tests(metafunc):
    """The process tests of OFF_TOO run with engine/speed/ on and off, but one marked
    `speed_on_only` (it checks how a speed-up works, e.g. that no savepoint is taken)."""
    if "engine_speed" in metafunc.fixturenames:
        only_on = (
            metafunc.module.__name__.rpartition(".")[2] not in OFF_TOO
            or metafunc.definition.get_closest_marker("speed_on_only") is not None
        )
        metafunc.parametrize("engine_speed", SPEEDS[:1] if only_on else SPEEDS, indirect=True)


@pytest.fixture(autouse=True)
def engine_speed(request):
    """The speed switch as the test's parameter says; on, every task-tree walk is also made
    SpiffWorkflow's way and compared (tests/spiff_walks.py). Yields whether it is on."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app")  # create_app() installs the switch from its config
    on = request.param == "speed-on"
    speed.install(on)
    try:
        if on:
            with walks_compared():
                yield True
        else:
            yield False
    finally:
        speed.install(True)


@pytest.fixture
def savepoints(db_session):
    """The SAVEPOINT statements sent while the test runs."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SAVEPOINT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def explode_switch():
    ExplodeSwitch.broken = True
    yield ExplodeSwitch
    ExplodeSwitch.broken = True


@pytest.fixture
def features_process(db_session):
    model = process.published(db_session, "engine_features")
    db_session.commit()
    return model


@pytest.fixture
def open_tasks(db_session):
    def query(instance_id: int | None = None) -> list[HumanTask]:
        statement = select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
        if instance_id is not None:
            statement = statement.where(HumanTask.instance_id == instance_id)
        return list(db_session.scalars(statement.order_by(HumanTask.id)))

    return query
