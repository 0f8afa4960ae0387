"""bench_reservations (c): many reservations whose deadlines pass at once, expired by engine.tick.

Seeding. A few hundred reservations are made for real, in-process, through
`engine.reservations.reserve` with `reservation.term.online` = PT1S (terms are read at reservation
time), so their workflows hold real expiry timers that have passed. The rest are bulk clones of
the last one: premise, client, reservation and process rows are inserted directly, the workflow
state is the real one's with its premise, client and reservation ids (and labels) swapped.
Then every instance is *armed* at once: `process_instance.next_timer_at` and
`reservation.expires_at` are set to one moment T, a second ahead. The tick workers — separate
processes, each looping `engine.tick.run_until_idle` as Celery beat would, without beat's 10 s
period — are already running, and a monitor counts the premises still held every 0.25 s.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text, update

from engine.core.tick import run_until_idle
from engine.core.workflow_io import deserialize, serialize
from engine.sales import use_cases as reservations
from engine.sandbox import SandboxScriptEngine
from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client
from models.db.base import utcnow
from models.process.instance import ProcessBusinessKey, ProcessInstance, ProcessModel, ProcessStatus
from models.sales.reservation import Channel, Reservation, ReservationStatus
from models.settings.store import reset_setting, set_setting
from tests.benchmarks.reservation_support import (
    app_config,
    cpu_seconds,
    median_ms,
    percentile,
    seed_building,
)
from web import create_app
from web.extensions import db

CHUNK = 1000
POLL_S = 0.25
TOKENS = {"premise_id": "@@PREMISE@@", "client_id": "@@CLIENT@@", "reservation_id": "@@RES@@"}


@dataclass
class Seeded:
    building_id: int
    reservation_ids: list[int]
    instance_ids: list[int]
    real: int
    real_ms: float  # one in-process reserve() + commit, mean
    clone_s: float
    state_kb: float
    raw_ms: float  # SpiffWorkflow alone, in memory: one expiry's step, median


@dataclass
class Expiry:
    count: int
    workers: int
    released: int = 0
    expired: int = 0
    total_s: float = float("nan")  # T → the last premise seen released
    visible_p50_s: float = float("nan")  # T → half / 95 % of premises seen released
    visible_p95_s: float = float("nan")
    action_p50_s: float = float("nan")  # expires_at → ended_at (set inside the tick's action)
    action_p95_s: float = float("nan")
    action_max_s: float = float("nan")
    fired: int = 0
    errors: int = 0
    worker_cpu_s: float = 0.0  # the tick processes, and their PostgreSQL backends
    postgres_cpu_s: float = 0.0
    instance_statuses: Counter = field(default_factory=Counter)
    timed_out: bool = False
    watched_s: float = 0.0  # T → the monitor's last look
    first_error: str | None = None

    @property
    def rate(self) -> float:
        """Releases per second, all done or not."""
        seconds = self.watched_s if self.timed_out else self.total_s
        if not self.released or not seconds or seconds <= 0:
            return float("nan")
        return self.released / seconds


# --------------------------------------------------------------------------- seeding


def seed(count: int, real: int) -> Seeded:
    building_id, premise_ids = seed_building("Истекающие брони", count)
    client_ids = _bulk_clients(count)
    set_setting(db.session, "reservation.term.online", "PT1S")
    db.session.commit()

    started = time.perf_counter()
    reservation_ids = []
    for index in range(real):
        made = reservations.reserve(
            db.session,
            premise_ids[index],
            db.session.get(Client, client_ids[index]),
            channel=Channel.online,
            user=None,
        ).reservation
        db.session.commit()
        reservation_ids.append(made.id)
    real_ms = (time.perf_counter() - started) / max(real, 1) * 1000
    reset_setting(db.session, "reservation.term.online")
    db.session.commit()

    instance_ids = list(
        db.session.scalars(
            select(ProcessBusinessKey.instance_id)
            .where(
                ProcessBusinessKey.name == "reservation_id",
                ProcessBusinessKey.value.in_([str(r) for r in reservation_ids]),
            )
            .order_by(ProcessBusinessKey.instance_id)
        )
    )
    template = db.session.get(ProcessInstance, instance_ids[-1])
    state = template.serialized
    started = time.perf_counter()
    clone_ids, clone_instances = _clone(
        template, state, premise_ids[real:], client_ids[real:], building_id
    )
    clone_s = time.perf_counter() - started
    # Nothing is due until armed: the real ones' timers have passed already.
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id.in_(instance_ids))
        .values(next_timer_at=None)
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    # The floor is measured on the template's own state: its deadline must have passed.
    deadline = db.session.get(Reservation, reservation_ids[-1]).expires_at
    time.sleep(max((deadline - utcnow()).total_seconds() + 0.2, 0))
    return Seeded(
        building_id=building_id,
        reservation_ids=reservation_ids + clone_ids,
        instance_ids=instance_ids + clone_instances,
        real=real,
        real_ms=real_ms,
        clone_s=clone_s,
        state_kb=len(state) / 1024,
        raw_ms=raw_expiry_ms(state),
    )


def raw_expiry_ms(state: str, runs: int = 200) -> float:
    """SpiffWorkflow alone, in memory, on the state of a reservation whose deadline has passed:
    deserialize, fire the timer, run the expiry with its actions answered by a stub, serialize.
    What one release costs before any database work: the floor of the tick's CPU per release."""
    answers = {
        "end_reservation": {"status": "expired", "premise_id": 1},
        "promote_queue": {"promoted": None},
    }
    script_engine = SandboxScriptEngine(
        service_handler=lambda name, params, data: json.dumps(answers.get(name, {}))
    )

    def step() -> None:
        workflow = deserialize(state, db.session)
        workflow.script_engine = script_engine
        workflow.refresh_timers()
        workflow.do_engine_steps()
        if not workflow.is_completed():
            raise RuntimeError("the stubbed expiry did not complete the reservation process")
        serialize(workflow)

    return median_ms(step, runs)


def _bulk_clients(count: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, count, CHUNK):
        ids += db.session.scalars(
            insert(Client).returning(Client.id, sort_by_parameter_order=True),
            [{"full_name": f"Истекающий {n}"} for n in range(start, min(count, start + CHUNK))],
        ).all()
    db.session.commit()
    return list(ids)


def _tokenised(template: ProcessInstance, state: str) -> str:
    keys = template.business_keys
    for name, token in TOKENS.items():
        state, found = re.subn(rf'"{name}": {keys[name]}(?=[,}}\s])', f'"{name}": {token}', state)
        if not found:
            raise RuntimeError(f"{name} not found in the template state")
    reservation = db.session.get(Reservation, keys["reservation_id"])
    for name, value, token in (
        ("premise_number", reservation.premise.number, "@@NUMBER@@"),
        ("client_name", reservation.client.full_name, "@@NAME@@"),
    ):
        state = state.replace(f'"{name}": "{value}"', f'"{name}": "{token}"')
    return state


def _clone(template, state, premise_ids, client_ids, building_id) -> tuple[list[int], list[int]]:
    """Reservations, premise statuses, instances and their keys for the rest, in bulk."""
    pattern = _tokenised(template, state)
    model = db.session.get(ProcessModel, template.model_id)
    numbers = dict(
        db.session.execute(
            select(Premise.id, Premise.number).where(Premise.building_id == building_id)
        ).all()
    )
    now = utcnow()
    reservation_ids: list[int] = []
    instance_ids: list[int] = []
    for start in range(0, len(premise_ids), CHUNK):
        pairs = list(
            zip(premise_ids[start : start + CHUNK], client_ids[start : start + CHUNK], strict=True)
        )
        made = db.session.scalars(
            insert(Reservation).returning(Reservation.id, sort_by_parameter_order=True),
            [
                {
                    "premise_id": premise_id,
                    "client_id": client_id,
                    "channel": Channel.online,
                    "status": ReservationStatus.active,
                    "is_paid": False,
                    "starts_at": now,
                    "expires_at": now + timedelta(days=1),
                    "fixed_price": Decimal("10000000.00"),
                    "fixed_price_per_m2": Decimal("200000.00"),
                    "fixed_discounts": [],
                    "from_queue": False,
                    "end_reason": "",
                    "created_at": now,
                }
                for premise_id, client_id in pairs
            ],
        ).all()
        db.session.execute(
            update(Premise)
            .where(Premise.id.in_([p for p, _ in pairs]))
            .values(status=PremiseStatus.reserved)
        )
        rows = []
        for (premise_id, client_id), reservation_id in zip(pairs, made, strict=True):
            number = numbers[premise_id]
            name = f"Истекающий {client_id}"
            rows.append(
                {
                    "model_id": model.id,
                    "process_id": model.process_id,
                    "status": ProcessStatus.waiting,
                    "serialized": pattern.replace("@@PREMISE@@", str(premise_id))
                    .replace("@@CLIENT@@", str(client_id))
                    .replace("@@RES@@", str(reservation_id))
                    .replace("@@NUMBER@@", number)
                    .replace("@@NAME@@", name),
                    "title": f"{model.name}: № {number}, {name}",
                    "business_keys": {
                        "premise_id": premise_id,
                        "client_id": client_id,
                        "reservation_id": reservation_id,
                    },
                    "next_timer_at": None,
                    "started_at": now,
                    "updated_at": now,
                    "lock_version": 1,
                }
            )
        instances = db.session.scalars(
            insert(ProcessInstance).returning(ProcessInstance.id, sort_by_parameter_order=True),
            rows,
        ).all()
        db.session.execute(
            insert(ProcessBusinessKey),
            [
                {"instance_id": instance_id, "name": name, "value": str(row["business_keys"][name])}
                for instance_id, row in zip(instances, rows, strict=True)
                for name in TOKENS
            ],
        )
        db.session.commit()
        reservation_ids += made
        instance_ids += instances
    return reservation_ids, instance_ids


# --------------------------------------------------------------------------- the tick workers


def held(building_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.building_id == building_id, Premise.status != PremiseStatus.available)
    )


def tick_worker(url, building_id: int, batch_size: int, timeout: float, ready, stop, results):
    """Loop run_until_idle until every premise of the building is free, `stop` or `timeout`."""
    # Failures are counted from the database afterwards; a traceback per instance is noise.
    logging.getLogger("engine").setLevel(logging.CRITICAL)
    app = create_app(app_config(url))
    fired = errors = 0
    busy = 0.0
    with app.app_context():
        held(building_id)
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.rollback()
        ready.put(os.getpid())
        cpu = time.process_time(), cpu_seconds([backend]).get(backend, 0.0)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not stop.is_set():
            started = time.monotonic()
            result = run_until_idle(db.session, batch_size=batch_size)
            fired += result.timers
            errors += result.errors
            if result.total or result.errors:
                busy += time.monotonic() - started
            remaining = held(building_id)
            db.session.rollback()
            if remaining == 0:
                break
            if not result.total:
                time.sleep(0.1)
        postgres = cpu_seconds([backend]).get(backend, 0.0) - cpu[1]
        db.session.remove()
    results.put(
        {
            "pid": os.getpid(),
            "fired": fired,
            "errors": errors,
            "busy_s": busy,
            "cpu_s": time.process_time() - cpu[0],
            "postgres_cpu_s": postgres,
        }
    )


def run(url: str, seeded: Seeded, workers: int, batch_size: int, timeout: float) -> Expiry:
    count = len(seeded.reservation_ids)
    report = Expiry(count=count, workers=workers)
    context = multiprocessing.get_context("spawn")
    ready, stop, results = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(
            target=tick_worker,
            args=(url, seeded.building_id, batch_size, timeout + 30, ready, stop, results),
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)

    moment = _arm(seeded, lead=timedelta(seconds=1))
    timeline = _watch(seeded.building_id, moment, timeout)
    stop.set()
    for process in processes:
        process.join(60)
        if process.is_alive():
            process.terminate()
            process.join(5)
    while not results.empty():
        found = results.get()
        report.fired += found["fired"]
        report.errors += found["errors"]
        report.worker_cpu_s += found["cpu_s"]
        report.postgres_cpu_s += found["postgres_cpu_s"]
    _measure(report, seeded, moment, timeline, timeout)
    return report


def _arm(seeded: Seeded, lead: timedelta) -> datetime:
    moment = utcnow() + lead
    for start in range(0, len(seeded.instance_ids), 5000):
        db.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id.in_(seeded.instance_ids[start : start + 5000]))
            .values(next_timer_at=moment)
        )
        db.session.execute(
            update(Reservation)
            .where(Reservation.id.in_(seeded.reservation_ids[start : start + 5000]))
            .values(expires_at=moment)
        )
    db.session.commit()
    return moment


def _watch(building_id: int, moment: datetime, timeout: float) -> list:
    """(seconds after T, premises still held) every POLL_S until none, stuck or `timeout`."""
    timeline = []
    while True:
        remaining = held(building_id)
        after = (utcnow() - moment).total_seconds()
        timeline.append((after, remaining))
        if remaining == 0 or after > timeout or (after > 5 and not _due_waiting()):
            db.session.rollback()
            return timeline
        db.session.rollback()
        time.sleep(POLL_S)


def _due_waiting() -> int:
    """Instances still to fire (waiting and due); none while premises are held means stuck."""
    return db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(
            ProcessInstance.status == ProcessStatus.waiting,
            ProcessInstance.next_timer_at <= utcnow(),
        )
    )


def _measure(report: Expiry, seeded: Seeded, moment, timeline, timeout) -> None:
    count = report.count
    report.released = count - timeline[-1][1]
    report.timed_out = timeline[-1][1] > 0
    report.watched_s = timeline[-1][0]

    def seen(share: float) -> float:
        for after, remaining in timeline:
            if count - remaining >= share * count:
                return max(after, 0.0)
        return float("nan")

    report.visible_p50_s = seen(0.5)
    report.visible_p95_s = seen(0.95)
    report.total_s = seen(1.0)
    rows = db.session.execute(
        select(Reservation.status, Reservation.expires_at, Reservation.ended_at).where(
            Reservation.id.in_(seeded.reservation_ids)
        )
    ).all()
    lags = [
        (ended - expires).total_seconds()
        for status, expires, ended in rows
        if status == ReservationStatus.expired and ended is not None
    ]
    report.expired = len(lags)
    if lags:
        report.action_p50_s = percentile(lags, 0.5)
        report.action_p95_s = percentile(lags, 0.95)
        report.action_max_s = max(lags)
    report.instance_statuses = Counter(
        db.session.scalars(
            select(ProcessInstance.status).where(ProcessInstance.id.in_(seeded.instance_ids))
        ).all()
    )
    report.first_error = db.session.scalar(
        select(ProcessInstance.error_message)
        .where(
            ProcessInstance.id.in_(seeded.instance_ids),
            ProcessInstance.status == ProcessStatus.error,
        )
        .limit(1)
    )
    db.session.rollback()
