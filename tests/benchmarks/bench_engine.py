"""The process engine: one approval step raw / through runtime / over HTTP, the inbox with 100k
open tasks, and engine.tick over 10k due timers.

Two inbox steps are measured, each as (a), (b) and (c): the reservation-sized one the issue
names — the head of sales allows a reservation over the client's limit (`approve_over_limit` of
processes/reservation.bpmn, which then takes the premise and waits in `hold`;
tests/benchmarks/engine_reservation_step.py) — and, for comparison, the approval of a price
change (`approve_price_change` of processes/price_change.bpmn, a third of the size).

(a) raw SpiffWorkflow in memory: deserialize → complete the task → do_engine_steps → serialize
    (sandboxed script engine, service tasks answered by a stub), with SpiffWorkflow's own
    serializer as shipped (SPIFF_CONFIG: the spec travels in every state);
    (a') the same with the engine's serializer (engine/workflow_io.py: the spec by reference,
    built once per worker) — printed beside, so the ratios against either baseline are seen;
(b) the same step through `engine.runtime.complete` + commit, on the database;
(c) the same step as `POST /inbox/tasks/<id>/complete` through the Flask test client;
(d) the inbox queries (`web.inbox.queries.tab_query`: first page + the view's count) and
    `GET /inbox/?tab=available` over 100,000 open `human_task` rows;
(e) `engine.tick.run_until_idle` over 10,000 instances whose timer is due (one worker; on
    PostgreSQL also two worker processes at once, as FOR UPDATE SKIP LOCKED allows).

(a) is measured again between the (b) and (c) iterations, and the ratios b/a and c/a use that
figure: other work on the machine slows every step, and like is compared with like.

(b)–(e) run on a fresh SQLite file in a temp dir and on PostgreSQL: a database
`bench_engine_<pid>` is created next to the one BENCH_POSTGRES_URL / TEST_DATABASE_URL names
(default postgresql+psycopg://postgres@127.0.0.1:5432/test) and dropped afterwards; nothing
else on the server is touched. `--quick` or BENCH_QUICK=1 scales (d) and (e) down.
Only prints: targets are reported as met / NOT met, nothing here fails the run on a time.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, event, func, insert, select, text, update

from engine import bpmn, speed
from engine.bpmn import repository
from engine.core import actions, runtime
from engine.core.forms import approval_form
from engine.core.human_tasks import MANAGER_OF
from engine.core.tick import run_until_idle
from engine.core.workflow_io import deserialize, ready_user_tasks, serialize
from engine.sandbox import SandboxScriptEngine
from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus, Project
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance, ProcessModel, ProcessStatus
from models.users.user import Role, User
from tests.benchmarks import engine_reservation_step as reservation_step
from tests.benchmarks.support import migrated_app, postgres_database
from web.config import ROOT
from web.extensions import db
from web.inbox.listing import COUNT_CAP, capped_count, capped_count_statement
from web.inbox.queries import TABS, tab_query

PRICE_CHANGE = ROOT / "processes" / "price_change.bpmn"
FEATURES = ROOT / "tests" / "processes" / "data" / "engine_features.bpmn"

RAW_RUNS = 60  # (a): median of ≥ 50
STEP_RUNS = 30  # (b), (c): median of ≥ 30
WARM_UPS = 3
INBOX_RUNS = 20  # (d)
PAGE_SIZE = 50  # web.inbox.views.PER_PAGE
INBOX_INSTANCES = 300

TARGET_RATIO_HTTP = 5.0  # c / a on PostgreSQL
TARGET_INBOX_MS = 30.0
TARGET_TICK_S = 60.0
TICK_TARGET_TIMERS = 10_000

# Roles of the 100k inbox rows (weights) and users per role who may hold them.
ROLE_WEIGHTS = {
    Role.sales_manager: 45,
    Role.mortgage_broker: 15,
    Role.lawyer: 10,
    Role.head_of_sales: 15,
    Role.marketer: 5,
    Role.analyst: 5,
    Role.admin: 5,
}
USERS_PER_ROLE = 6
REAL_STARTS = 200  # (e): instances started through runtime.start before cloning the rest
START_BUDGET_S = 60.0  # start all of them through the runtime only if that fits this budget
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Sizes:
    inbox_tasks: int
    timers: dict[str, int]  # per database label


FULL = Sizes(inbox_tasks=100_000, timers={"SQLite": 2_000, "PostgreSQL": 10_000})
QUICK = Sizes(inbox_tasks=10_000, timers={"SQLite": 300, "PostgreSQL": 1_000})


@dataclass
class Scenario:
    """One inbox step measured as (a), (b) and (c)."""

    task: str
    process: str
    prepared_by: str  # how the instances were brought to the task, for the printout
    prepare: Callable[[People, list[int]], list[int]]
    finished: Callable[[list[int]], int]  # how many instances reached the expected state
    finished_as: str
    step_ms: dict[str, float] = field(default_factory=dict)
    http_ms: dict[str, float] = field(default_factory=dict)
    raw_alongside_ms: dict[str, float] = field(default_factory=dict)
    ours_alongside_ms: dict[str, float] = field(default_factory=dict)
    raw_ms: float = 0.0  # (a) alone, before the databases
    ours_ms: float = 0.0
    state_kb: float = 0.0
    tasks: int = 0


@dataclass
class Report:
    """Figures collected for the final table."""

    price: Scenario
    reservation: Scenario
    inbox_ms: dict[str, float] = field(default_factory=dict)
    inbox_get_ms: dict[str, float] = field(default_factory=dict)
    inbox_rows: dict[str, int] = field(default_factory=dict)
    tick_s: dict[str, float] = field(default_factory=dict)
    tick_count: dict[str, int] = field(default_factory=dict)
    tick_parallel_s: dict[str, float] = field(default_factory=dict)
    tick_parallel_count: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--quick" in argv or os.environ.get("BENCH_QUICK", "") not in ("", "0")
    sizes = QUICK if quick else FULL
    speed.install(True)  # as create_app() does: (a) runs SpiffWorkflow before any app exists
    started = time.perf_counter()
    print(
        f"mode: {'quick' if quick else 'full'}; CPU cores: {os.cpu_count()}; "
        f"load average: {_load()} (other work on the machine inflates every figure)"
    )
    report = Report(
        price=Scenario(
            "approve_price_change",
            "processes/price_change.bpmn",
            "runtime.start + runtime.complete(propose_price) + commit",
            prepare_approvals,
            _completed_instances,
            "completed",
        ),
        reservation=Scenario(
            reservation_step.TASK,
            "processes/reservation.bpmn",
            "two reservations for one client, then a request over the limit on each premise",
            reservation_step.prepare_requests,
            reservation_step.waiting_instances,
            "holding their premise",
        ),
    )
    bench_raw(report.price, RawStep())
    bench_raw(
        report.reservation,
        reservation_step.raw_step(),
    )
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as folder:
        sqlite_url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        bench_database(report, "SQLite", sqlite_url, sizes, Path(folder) / "uploads-sqlite")
        with postgres_database("bench_engine") as url:
            if url is not None:
                bench_database(report, "PostgreSQL", url, sizes, Path(folder) / "uploads-pg")
    print_summary(report)
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")


# --------------------------------------------------------------------------- (a) raw


# What the actions would answer in the in-memory workflow (no database): the cut is measured
# against the premise's reference price (issue 14), here the price at start.
_STAND_IN_RESULTS = {
    "measure_price_cut": {
        "price": "10000000.00",
        "reference_price": "10000000.00",
        "reference_source": "импорт",
        "cut_pct": "10.00",
    }
}


def _raw_script_engine() -> SandboxScriptEngine:
    return SandboxScriptEngine(
        service_handler=lambda name, params, data: json.dumps(_STAND_IN_RESULTS.get(name, {}))
    )


_SHIPPED = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SHIPPED_CODEC = (_SHIPPED.serialize_json, _SHIPPED.deserialize_json)
OUR_CODEC = (serialize, deserialize)


def waiting_at_approval(codec) -> str:
    """A price-change workflow, in memory, waiting at `approve_price_change`."""
    definition = bpmn.load(PRICE_CHANGE.read_text("utf-8"))
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    workflow.script_engine = _raw_script_engine()
    start_data = {
        "premise_number": "101",
        "current_price": "10000000.00",
        "premise_id": 1,
        "started_by": 1,
    }
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(start_data)
    workflow.do_engine_steps()
    [propose] = ready_user_tasks(workflow)
    propose.set_data(new_price="9000000.00", reason="бенчмарк")
    propose.run()
    workflow.do_engine_steps()
    [approval] = ready_user_tasks(workflow)
    if approval.task_spec.bpmn_id != "approve_price_change":
        raise RuntimeError(f"expected approve_price_change, got {approval.task_spec.bpmn_id}")
    return codec[0](workflow)


def _completed(workflow) -> bool:
    return workflow.is_completed()


class RawStep:
    """Step (a): the approval step of one in-memory workflow, from the same JSON every time.

    `waiting(codec)` builds the state waiting at the approval, `script_engine()` answers its
    service tasks, `reached(workflow)` tells whether the step ended where it should."""

    def __init__(
        self,
        codec=SHIPPED_CODEC,
        waiting=waiting_at_approval,
        script_engine=_raw_script_engine,
        reached=_completed,
    ) -> None:
        self.serialize, self.deserialize = codec
        self.state = waiting(codec)
        self.script_engine = script_engine()
        self.reached = reached
        self.samples: list[float] = []
        self.ours = (
            None if codec is OUR_CODEC else RawStep(OUR_CODEC, waiting, script_engine, reached)
        )

    def run(self) -> tuple[float, float, float, bool]:
        """(deserialize, run + engine steps, serialize) in seconds, and whether it ended where
        it should."""
        t0 = time.perf_counter()
        workflow = self.deserialize(self.state)
        workflow.script_engine = self.script_engine
        t1 = time.perf_counter()
        [task] = ready_user_tasks(workflow)
        task.set_data(decision="approve", decision_comment="", approved=True, decided_by=1)
        task.run()
        workflow.do_engine_steps()
        t2 = time.perf_counter()
        self.serialize(workflow)
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, self.reached(workflow)

    def sample(self, runs: int = 2) -> None:
        """Measure (a) again between (b) or (c) iterations, under the same machine load."""
        for _ in range(runs):
            parts = self.run()
            self.samples.append(sum(parts[:3]))
        if self.ours is not None:
            self.ours.sample(runs)


def _measure_raw(raw: RawStep, title: str) -> float:
    print(title)
    parts: dict[str, list[float]] = {"deserialize": [], "run + engine steps": [], "serialize": []}
    totals = []
    completed = 0
    for index in range(WARM_UPS + RAW_RUNS):
        deserialize_s, run_s, serialize_s, done = raw.run()
        if index < WARM_UPS:
            continue
        completed += done
        parts["deserialize"].append(deserialize_s)
        parts["run + engine steps"].append(run_s)
        parts["serialize"].append(serialize_s)
        totals.append(deserialize_s + run_s + serialize_s)
    median = statistics.median(totals) * 1000
    state_kb = len(raw.state) / 1024
    print(f"  serialized state: {state_kb:.1f} KB; ended as expected {completed}/{RAW_RUNS}")
    print(f"  whole step: {median:.2f} ms (median of {RAW_RUNS})")
    for name, values in parts.items():
        print(f"    {name}: {statistics.median(values) * 1000:.2f} ms")
    return median


def bench_raw(scenario: Scenario, raw) -> None:
    workflow = SHIPPED_CODEC[1](raw.state)
    scenario.tasks = len(workflow.tasks)
    scenario.state_kb = len(raw.ours.state) / 1024
    scenario.raw_ms = _measure_raw(
        raw,
        f"\n(a) raw SpiffWorkflow, in memory, its own serializer (SPIFF_CONFIG): "
        f"{scenario.process} at {scenario.task} ({scenario.tasks} tasks in the tree)",
    )
    scenario.ours_ms = _measure_raw(
        raw.ours, "(a') the same with the engine's serializer (spec by reference)"
    )


def _load() -> str:
    try:
        return ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------- databases


def bench_database(report: Report, label: str, url: str, sizes: Sizes, uploads: Path) -> None:
    print(f"\n=== {label} === (load average {_load()})")
    app = migrated_app(url, uploads)
    counter = StatementCounter(app)
    runs = STEP_RUNS + WARM_UPS
    with app.app_context():
        people = seed_users()
        premises = seed_premises(2 * runs + 4, "Бенчмарк движка: цены")
        held = seed_premises(2 * (runs + 2), "Бенчмарк движка: брони")
        db.session.remove()
    # (a) again, interleaved with (b) and (c): the ratios compare like with like
    print(f"\n-- {report.price.process}, {report.price.task}")
    step_and_http(
        report.price,
        label,
        app,
        people,
        premises[:runs],
        premises[runs : 2 * runs],
        counter,
        RawStep(),
    )
    print(f"\n-- {report.reservation.process}, {report.reservation.task} (reservation-sized)")
    raw = reservation_step.raw_step()
    step_and_http(
        report.reservation, label, app, people, held[: runs + 2], held[runs + 2 :], counter, raw
    )
    bench_tick(report, label, app, premises[-1], sizes.timers[label], counter)
    bench_inbox(report, label, app, people, sizes.inbox_tasks)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def step_and_http(scenario: Scenario, label, app, people, for_step, for_http, counter, raw):
    bench_step(scenario, label, app, people, for_step, counter, raw)
    bench_http(scenario, label, app, people, for_http, raw)
    scenario.raw_alongside_ms[label] = statistics.median(raw.samples) * 1000
    scenario.ours_alongside_ms[label] = statistics.median(raw.ours.samples) * 1000
    a = scenario.raw_alongside_ms[label]
    print(
        f"(a) measured between the (b) and (c) iterations: {a:.2f} ms (median of "
        f"{len(raw.samples)}); b / a = {scenario.step_ms[label] / a:.1f}, "
        f"c / a = {scenario.http_ms[label] / a:.1f}"
    )


class StatementCounter:
    """Counts SQL statements and the time spent in the driver, to split DB time from Python."""

    def __init__(self, app: Flask):
        self.count = 0
        self.seconds = 0.0
        self._started: list[float] = []
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *args) -> None:
        self.count += 1
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0


@dataclass
class People:
    head_id: int
    manager_id: int
    by_role: dict[Role, list[int]]


def seed_users() -> People:
    users: dict[Role, list[User]] = {}
    for role in Role:
        for number in range(1, USERS_PER_ROLE + 1):
            user = User(
                email=f"{role.value}{number}@bench.local",
                role=role,
                full_name=f"Бенчмарк {role.value} {number}",
            )
            user.password_hash = "-"  # nobody logs in with a password here
            users.setdefault(role, []).append(user)
    db.session.add_all([u for group in users.values() for u in group])
    db.session.commit()
    return People(
        head_id=users[Role.head_of_sales][0].id,
        manager_id=users[Role.sales_manager][0].id,
        by_role={role: [u.id for u in group] for role, group in users.items()},
    )


def seed_premises(count: int, name: str = "Бенчмарк движка") -> list[int]:
    project = Project(name=name, city="Москва")
    building = Building(
        project=project,
        name="Корпус 1",
        address="г. Москва, ул. Тестовая, 1",
        floors_above=count // 8 + 1,
        floors_below=0,
    )
    db.session.add_all([project, building])
    premises = []
    for number in range(1, count + 1):
        premise = Premise(
            building=building,
            number=str(number),
            kind=PremiseKind.apartment,
            rooms=2,
            total_area=Decimal("50.00"),
            price=Decimal("10000000.00"),
            status=PremiseStatus.available,
        )
        premise.floor = building.ensure_section(1).ensure_floor(number // 8 + 1)
        db.session.add(premise)
        premises.append(premise)
    db.session.commit()
    return [p.id for p in premises]


def prepare_approvals(people: People, premise_ids: list[int]) -> list[int]:
    """Start price changes and propose a 10 % cut: each waits at approve_price_change."""
    manager = db.session.get(User, people.manager_id)
    task_ids = []
    for premise_id in premise_ids:
        premise = db.session.get(Premise, premise_id)
        instance = runtime.start(
            db.session,
            "price_change",
            data={"premise_number": premise.number, "current_price": str(premise.price)},
            business_keys={"premise_id": premise.id},
            user=manager,
        )
        [propose] = _open_tasks(instance.id)
        runtime.complete(
            db.session, propose.id, manager, {"new_price": "9000000", "reason": "бенчмарк"}
        )
        db.session.commit()
        [approval] = _open_tasks(instance.id)
        if approval.task_name != "approve_price_change":
            raise RuntimeError(f"expected approve_price_change, got {approval.task_name}")
        task_ids.append(approval.id)
    return task_ids


def _open_tasks(instance_id: int) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.open)
            .order_by(HumanTask.id)
        )
    )


def _completed_instances(task_ids: list[int]) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(HumanTask.id.in_(task_ids), ProcessInstance.status == ProcessStatus.completed)
    )


# --------------------------------------------------------------------------- (b) runtime


def bench_step(scenario: Scenario, label, app, people, premise_ids, counter, raw) -> None:
    with app.app_context():
        started = time.perf_counter()
        task_ids = scenario.prepare(people, premise_ids)
        prepare_s = time.perf_counter() - started
        timings, statements, sql_ms = [], [], []
        for index, task_id in enumerate(task_ids):
            if index >= WARM_UPS:
                raw.sample()
            db.session.remove()  # every step starts like a request: an empty session
            head = db.session.get(User, people.head_id)
            counter.reset()
            t0 = time.perf_counter()
            runtime.complete(db.session, task_id, head, {"decision": "approve"})
            db.session.commit()
            elapsed = time.perf_counter() - t0
            if index >= WARM_UPS:
                timings.append(elapsed)
                statements.append(counter.count)
                sql_ms.append(counter.seconds * 1000)
        db.session.remove()
        done = scenario.finished(task_ids)
        db.session.remove()
    scenario.step_ms[label] = statistics.median(timings) * 1000
    per_instance = prepare_s / len(task_ids) * 1000
    print(f"(b) runtime.complete({scenario.task}) + commit")
    print(f"  prepared {len(task_ids)} instances at the task: {per_instance:.1f} ms each")
    print(f"    ({scenario.prepared_by})")
    print(
        f"  step: {scenario.step_ms[label]:.2f} ms (median of {len(timings)}); "
        f"{statistics.median(statements):.0f} SQL statements, "
        f"{statistics.median(sql_ms):.2f} ms of it in the driver; "
        f"instances {scenario.finished_as} {done}/{len(task_ids)}"
    )


# --------------------------------------------------------------------------- (c) HTTP


def _login(app: Flask, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def bench_http(scenario: Scenario, label, app, people, premise_ids, raw) -> None:
    with app.app_context():
        task_ids = scenario.prepare(people, premise_ids)
        db.session.remove()
    # No app context is active here: each request pushes and tears down its own, so each
    # gets a fresh SQLAlchemy session, as in production.
    client = _login(app, people.head_id)
    timings = []
    for index, task_id in enumerate(task_ids):
        if index >= WARM_UPS:
            raw.sample()
        t0 = time.perf_counter()
        response = client.post(f"/inbox/tasks/{task_id}/complete", data={"decision": "approve"})
        elapsed = time.perf_counter() - t0
        if response.status_code != 302:
            raise RuntimeError(f"POST complete answered {response.status_code}")
        # A browser follows the redirect and the inbox page consumes the flash message; here
        # nobody does, and 100 unread flashes would bloat the session cookie of every request.
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        if index >= WARM_UPS:
            timings.append(elapsed)
    with app.app_context():
        done = scenario.finished(task_ids)
        db.session.remove()
    scenario.http_ms[label] = statistics.median(timings) * 1000
    print("(c) POST /inbox/tasks/<id>/complete as head_of_sales (test client)")
    print(
        f"  request: {scenario.http_ms[label]:.2f} ms (median of {len(timings)}); "
        f"instances {scenario.finished_as} {done}/{len(task_ids)}"
    )


# --------------------------------------------------------------------------- (e) tick


def _ensure_features_action() -> None:
    if actions.get("test_explode") is None:
        import tests.processes.conftest  # noqa: F401 - registers the `test_explode` action


def bench_tick(report, label, app, premise_id, count, counter) -> None:
    _ensure_features_action()
    print(f"(e) engine.tick.run_until_idle over {count:,} due timers (engine_features, PT1S)")
    with app.app_context():
        repository.publish(db.session, FEATURES.read_text("utf-8"), note="бенчмарк")
        db.session.commit()
        first_id = _create_due_timers(count, premise_id, REAL_STARTS)
        counter.reset()
        t0 = time.perf_counter()
        result = run_until_idle(db.session)
        elapsed = time.perf_counter() - t0
        statements, sql_s = counter.count, counter.seconds
        db.session.remove()
        left, opened = _tick_outcome(first_id)
    report.tick_s[label] = elapsed
    report.tick_count[label] = result.timers
    print(
        f"  one worker: fired {result.timers:,} timers ({result.errors} errors) in {elapsed:.1f} s:"
        f" {result.timers / elapsed:.0f} instances/s, "
        f"{elapsed / max(result.timers, 1) * 1000:.2f} ms each"
    )
    print(
        f"    {statements / max(result.timers, 1):.1f} SQL statements per instance, "
        f"{sql_s / elapsed * 100:.0f} % of the time in the driver; "
        f"still due: {left}, confirm tasks opened: {opened:,}"
    )
    if count < TICK_TARGET_TIMERS:
        projected = elapsed * TICK_TARGET_TIMERS / max(result.timers, 1)
        print(f"    projected for {TICK_TARGET_TIMERS:,} timers: {projected:.0f} s")
    if label != "PostgreSQL":
        return  # SKIP LOCKED, hence parallel workers, is PostgreSQL's
    workers = 2
    with app.app_context():
        first_id = _create_due_timers(count, premise_id, 1)
        db.session.remove()
        db.engine.dispose()  # no pooled connection may cross the fork
    fired, errors, elapsed = _tick_in_processes(app, workers)
    with app.app_context():
        left, opened = _tick_outcome(first_id)
        db.session.remove()
    report.tick_parallel_s[label] = elapsed
    report.tick_parallel_count[label] = sum(fired)
    print(
        f"  {workers} worker processes at once (FOR UPDATE SKIP LOCKED): fired "
        f"{' + '.join(f'{n:,}' for n in fired)} timers ({errors} errors) in {elapsed:.1f} s: "
        f"{sum(fired) / elapsed:.0f} instances/s; still due: {left}, confirm tasks opened: "
        f"{opened:,}"
    )


def _create_due_timers(count: int, premise_id: int, real: int) -> int:
    """`count` engine_features instances waiting at a PT1S timer, due now; the first id."""
    first_id = (db.session.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
    real = max(1, min(count, real))
    started = time.perf_counter()
    ids = []
    for index in range(real):
        instance = runtime.start(
            db.session,
            "engine_features",
            data={"mode": "timer", "amount": "10.50", "wait_for": "PT1S"},
            business_keys={"premise_id": premise_id},
        )
        ids.append(instance.id)
        if index % 50 == 49:
            db.session.commit()
    db.session.commit()
    start_s = (time.perf_counter() - started) / real
    if real > 1:
        print(f"  runtime.start + commit: {start_s * 1000:.1f} ms per instance ({real} started)")
    rest = count - real
    if rest and (real == 1 or start_s * count > START_BUDGET_S):
        cloned_s = clone_instances(db.session.get(ProcessInstance, ids[0]), rest)
        print(
            f"  {rest:,} more cloned from the serialized state of one "
            f"(fresh UUIDs, bulk INSERT): {cloned_s:.1f} s"
        )
    else:
        for index in range(rest):
            runtime.start(
                db.session,
                "engine_features",
                data={"mode": "timer", "amount": "10.50", "wait_for": "PT1S"},
                business_keys={"premise_id": premise_id},
            )
            if index % 50 == 49:
                db.session.commit()
        db.session.commit()
    # Every timer was set 1 s after its start: wait it out, then make all rows due.
    time.sleep(1.2)
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id >= first_id)
        .values(next_timer_at=utcnow() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    _analyze()
    db.session.remove()
    return first_id


def _tick_outcome(first_id: int) -> tuple[int, int]:
    """Instances from `first_id` on whose timer is still due, and `confirm` tasks they opened."""
    left = db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(ProcessInstance.id >= first_id, ProcessInstance.next_timer_at.is_not(None))
    )
    opened = db.session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(
            HumanTask.instance_id >= first_id,
            HumanTask.task_name == "confirm",
            HumanTask.status == HumanTaskStatus.open,
        )
    )
    db.session.remove()
    return left, opened


def _tick_worker(app: Flask, results) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pool is not ours to use
        started = time.perf_counter()
        outcome = run_until_idle(db.session)
        results.put((outcome.timers, outcome.errors, time.perf_counter() - started))
        db.session.remove()


def _tick_in_processes(app: Flask, workers: int) -> tuple[list[int], int, float]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_tick_worker, args=(app, results)) for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    return [o[0] for o in outcomes], sum(o[1] for o in outcomes), elapsed


def clone_instances(template: ProcessInstance, count: int) -> float:
    """Insert `count` copies of a waiting instance; every UUID in its state is made fresh."""
    started = time.perf_counter()
    state = template.serialized
    guids = sorted(set(UUID_RE.findall(state)))
    now = utcnow()
    base = {
        "model_id": template.model_id,
        "process_id": template.process_id,
        "status": ProcessStatus.waiting,
        "title": template.title,
        "business_keys": {},
        "next_timer_at": now - timedelta(seconds=1),
        "started_at": now,
        "updated_at": now,
        "lock_version": 1,
    }
    chunk = []
    for _ in range(count):
        fresh = {guid: str(uuid.uuid4()) for guid in guids}
        serialized = UUID_RE.sub(lambda m, fresh=fresh: fresh.get(m.group(0), m.group(0)), state)
        chunk.append({**base, "serialized": serialized})
        if len(chunk) == 1000:
            db.session.execute(insert(ProcessInstance), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(ProcessInstance), chunk)
    db.session.commit()
    return time.perf_counter() - started


def _analyze() -> None:
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # both databases: fresh statistics for the planner
    db.session.commit()


# --------------------------------------------------------------------------- (d) inbox


def seed_inbox(people: People, count: int, rng: random.Random) -> float:
    """`count` open human tasks over a few hundred instances: mixed roles, assignees, dates."""
    started = time.perf_counter()
    db.session.execute(delete(HumanTask))
    model_id = db.session.scalar(
        select(ProcessModel.id).where(ProcessModel.process_id == "price_change")
    )
    now = utcnow()
    db.session.execute(
        insert(ProcessInstance),
        [
            {
                "model_id": model_id,
                "process_id": "price_change",
                "status": ProcessStatus.waiting,
                "serialized": "",
                "title": f"Изменение цены помещения: premise_id={number}",
                "business_keys": {"premise_id": number},
                "started_at": now,
                "updated_at": now,
                "lock_version": 1,
            }
            for number in range(INBOX_INSTANCES)
        ],
    )
    instance_ids = db.session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.process_id == "price_change")
        .order_by(ProcessInstance.id.desc())
        .limit(INBOX_INSTANCES)
    ).all()
    roles, weights = zip(*ROLE_WEIGHTS.items(), strict=True)
    approval = [f.to_json() for f in approval_form()]
    chunk = []
    for number in range(count):
        role = rng.choices(roles, weights)[0]
        created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        kind = rng.random()
        if kind < 0.15:
            due = None
        elif kind < 0.45:
            due = now - timedelta(minutes=rng.randint(1, 60 * 24 * 20))  # overdue
        else:
            due = now + timedelta(minutes=rng.randint(1, 60 * 24 * 20))
        escalated = due is not None and due < now and rng.random() < 0.6
        is_approval = rng.random() < 0.3
        chunk.append(
            {
                "instance_id": rng.choice(instance_ids),
                "task_guid": str(uuid.uuid4()),
                "task_name": "approve_price_change" if is_approval else "propose_price",
                "task_label": "Согласовать снижение цены" if is_approval else "Новая цена",
                "process_name": rng.choice(
                    ["Изменение цены помещения", "Бронирование", "Ипотека", "Договор"]
                ),
                "title": f"Задача № {number}: помещение {rng.randint(1, 5000)}",
                "role": role,
                "escalation_role": MANAGER_OF[role],
                "assignee_id": (rng.choice(people.by_role[role]) if rng.random() < 0.4 else None),
                "status": HumanTaskStatus.open,
                "form": approval if is_approval else [],
                "is_approval": is_approval,
                "links": {},
                "created_at": created,
                "due_at": due,
                "remind_at": due - timedelta(hours=1) if due else None,
                "reminded_at": due - timedelta(hours=1) if due and due < now else None,
                "escalated_at": due if escalated else None,
            }
        )
        if len(chunk) == 10_000:
            db.session.execute(insert(HumanTask), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(HumanTask), chunk)
    db.session.commit()
    _analyze()
    return time.perf_counter() - started


def _count_query(user: User, tab: str, now):
    """Every row of a tab, counted exactly (the view itself counts up to COUNT_CAP)."""
    return tab_query(user, tab, now).with_only_columns(func.count()).order_by(None)


def bench_inbox(report, label, app, people, count) -> None:
    print(f"(d) inbox over {count:,} open tasks")
    with app.app_context():
        seed_s = seed_inbox(people, count, random.Random(2026))
        print(f"  bulk insert + ANALYZE: {seed_s:.1f} s")
        viewers = [
            ("head_of_sales", people.head_id),
            ("sales_manager", people.manager_id),
            ("admin", people.by_role[Role.admin][0]),
        ]
        results: list[tuple[float, str, str, float, float, int, int]] = []
        for role_name, user_id in viewers:
            for tab in TABS:
                page_ms, count_ms, total_ms, rows, total = _time_tab(user_id, tab)
                results.append((total_ms, role_name, tab, page_ms, count_ms, rows, total))
        print(
            f"  tab_query: first page (LIMIT {PAGE_SIZE}) + the view's count (capped at "
            f"{COUNT_CAP:,}), median of {INBOX_RUNS}; total = every row of the tab"
        )
        print(f"    {'user':<14} {'tab':<10} {'page ms':>8} {'count ms':>9} {'total':>8} rows")
        for total_ms, role_name, tab, page_ms, count_ms, _rows, total in results:
            mark = "" if total_ms <= TARGET_INBOX_MS else "  > target"
            print(
                f"    {role_name:<14} {tab:<10} {page_ms:>8.2f} {count_ms:>9.2f} "
                f"{total_ms:>8.2f} {total:>6,}{mark}"
            )
        slowest = max(results)
        report.inbox_ms[label] = slowest[0]
        report.inbox_rows[label] = count

    client = _login(app, people.head_id)
    for _ in range(2):
        response = client.get("/inbox/?tab=available")
        if response.status_code != 200:
            raise RuntimeError(f"GET /inbox/ answered {response.status_code}")
    report.inbox_get_ms[label] = _median_ms(lambda: client.get("/inbox/?tab=available"))
    print(
        f"  GET /inbox/?tab=available as head_of_sales: {report.inbox_get_ms[label]:.1f} ms "
        f"(median of {INBOX_RUNS}; the whole view: its page, the tab counts, the process list)"
    )
    if slowest[0] > TARGET_INBOX_MS or os.environ.get("BENCH_EXPLAIN"):
        _, role_name, tab, page_ms, count_ms, _, _ = slowest
        with app.app_context():
            user = db.session.get(User, dict(viewers)[role_name])
            now = utcnow()
            queries = [
                (f"page ({page_ms:.1f} ms)", tab_query(user, tab, now).limit(PAGE_SIZE)),
                (f"count ({count_ms:.1f} ms)", capped_count_statement(tab_query(user, tab, now))),
            ]
            for what, statement in queries:
                print(f"  plan of the slowest tab, {role_name} / {tab}, {what}:")
                for line in explain(statement):
                    print(f"    {line}")
            db.session.remove()


def _time_tab(user_id: int, tab: str) -> tuple[float, float, float, int, int]:
    pages, counts, totals = [], [], []
    rows = total = 0
    for index in range(2 + INBOX_RUNS):
        db.session.remove()
        user = db.session.get(User, user_id)
        now = utcnow()
        t0 = time.perf_counter()
        rows = len(db.session.scalars(tab_query(user, tab, now).limit(PAGE_SIZE)).all())
        t1 = time.perf_counter()
        capped_count(db.session, tab_query(user, tab, now))
        t2 = time.perf_counter()
        if index >= 2:
            pages.append((t1 - t0) * 1000)
            counts.append((t2 - t1) * 1000)
            totals.append((t2 - t0) * 1000)
    total = db.session.scalar(_count_query(user, tab, now))  # the table's column, not timed
    db.session.remove()
    return (
        statistics.median(pages),
        statistics.median(counts),
        statistics.median(totals),
        rows,
        total,
    )


def explain(statement) -> list[str]:
    """The plan of `statement` as the driver receives it (parameters already processed)."""
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, sql, parameters, context, executemany):
        captured.append((sql, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        db.session.execute(statement).all()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    sql, parameters = captured[-1]
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    connection = db.session.connection()
    rows = connection.exec_driver_sql(prefix + sql, parameters).all()
    return [" | ".join(str(v) for v in row) for row in rows]


def _median_ms(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(INBOX_RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


# --------------------------------------------------------------------------- summary


def _ratios(values: dict[str, float], base: dict[str, float]) -> dict[str, float]:
    return {k: v / base[k] for k, v in values.items() if base.get(k)}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_summary(report: Report) -> None:
    print("\n=== summary (medians) ===")
    print(f"{'':<44} {'SQLite':>12} {'PostgreSQL':>12}")

    def row(name: str, values: dict[str, float], fmt: str) -> None:
        cells = [
            format(values[label], fmt) if label in values else "—"
            for label in ("SQLite", "PostgreSQL")
        ]
        print(f"{name:<44} {cells[0]:>12} {cells[1]:>12}")

    for scenario in (report.reservation, report.price):
        a, alongside, ours = scenario.raw_ms, scenario.raw_alongside_ms, scenario.ours_alongside_ms
        print(
            f"{scenario.process}, {scenario.task} ({scenario.tasks} tasks, "
            f"{scenario.state_kb:.1f} KB of state)"
        )
        print(f"{'(a) raw Spiff step, alone, ms':<44} {a:>12.2f} {a:>12.2f}")
        row("(a) raw Spiff step, between b and c runs, ms", alongside, ".2f")
        row("(a') same, engine's serializer, alongside, ms", ours, ".2f")
        row("(b) runtime.complete + commit, ms", scenario.step_ms, ".2f")
        row("(c) POST /inbox/tasks/<id>/complete, ms", scenario.http_ms, ".2f")
        row("    b / a (a measured alongside)", _ratios(scenario.step_ms, alongside), ".1f")
        row("    c / a (a measured alongside)", _ratios(scenario.http_ms, alongside), ".1f")
        row("    c / a (a alone)", {k: v / a for k, v in scenario.http_ms.items()}, ".1f")
        row("    b / a' (a' measured alongside)", _ratios(scenario.step_ms, ours), ".1f")
        row("    c / a' (a' measured alongside)", _ratios(scenario.http_ms, ours), ".1f")
    row("(d) slowest tab: page + count, ms", report.inbox_ms, ".2f")
    row("(d) open tasks", {k: float(v) for k, v in report.inbox_rows.items()}, ",.0f")
    row("(d) GET /inbox/?tab=available, ms", report.inbox_get_ms, ".1f")
    row("(e) tick: timers fired", {k: float(v) for k, v in report.tick_count.items()}, ",.0f")
    row("(e) tick: seconds", report.tick_s, ".1f")
    row(
        "(e) tick: instances / s",
        {k: report.tick_count[k] / v for k, v in report.tick_s.items()},
        ".0f",
    )
    row("(e) tick, 2 worker processes: seconds", report.tick_parallel_s, ".1f")
    row(
        "(e) tick, 2 worker processes: instances / s",
        {k: report.tick_parallel_count[k] / v for k, v in report.tick_parallel_s.items()},
        ".0f",
    )
    print("\ntargets")
    pg = "PostgreSQL"
    if pg not in report.reservation.http_ms:
        print("  PostgreSQL not measured: targets on PostgreSQL unknown")
        return
    for scenario, note in (
        (report.reservation, "the reservation-sized process the issue names"),
        (report.price, "a smaller process, for comparison"),
    ):
        http, a, ours = (
            scenario.http_ms[pg],
            scenario.raw_alongside_ms[pg],
            scenario.ours_alongside_ms[pg],
        )
        print(
            f"  c / a ≤ {TARGET_RATIO_HTTP:.0f} on PostgreSQL, {scenario.task} ({note}): "
            f"{http / a:.1f} ({http:.1f} / {a:.2f} ms) — {_met(http / a <= TARGET_RATIO_HTTP)}"
        )
        print(
            f"    against (a'), the engine's own serializer in memory: "
            f"{http / ours:.1f} ({http:.1f} / {ours:.2f} ms)"
        )
    inbox = report.inbox_ms[pg]
    print(
        f"  inbox query ≤ {TARGET_INBOX_MS:.0f} ms median with {report.inbox_rows[pg]:,} tasks "
        f"(slowest tab): {inbox:.1f} ms — {_met(inbox <= TARGET_INBOX_MS)}"
    )
    scaled = "" if report.tick_count[pg] == TICK_TARGET_TIMERS else " (projected)"
    seconds = report.tick_s[pg] * TICK_TARGET_TIMERS / max(report.tick_count[pg], 1)
    print(
        f"  tick over {TICK_TARGET_TIMERS:,} timers ≤ {TARGET_TICK_S:.0f} s, one worker: "
        f"{seconds:.0f} s{scaled} — {_met(seconds <= TARGET_TICK_S)}"
    )
    if pg in report.tick_parallel_s:
        seconds = (
            report.tick_parallel_s[pg] * TICK_TARGET_TIMERS / max(report.tick_parallel_count[pg], 1)
        )
        print(
            f"  tick over {TICK_TARGET_TIMERS:,} timers ≤ {TARGET_TICK_S:.0f} s, 2 workers: "
            f"{seconds:.0f} s{scaled} — {_met(seconds <= TARGET_TICK_S)}"
        )
    print(f"  load average (1, 5, 15 min) at the end: {_load()}")


if __name__ == "__main__":
    main()
