"""Online reservations on PostgreSQL through gunicorn, and their expiry by engine.tick.

(a) throughput: 8 concurrent API clients (keep-alive connections), each reserving its own free
    premises one after another with a new buyer each — reservations per second and latency;
(b) contention: 1,000 attempts on 10 premises from 16 concurrent clients, every attempt a new
    buyer with its own Idempotency-Key — exactly 10 winners, the error breakdown, and the
    database checked afterwards (reservations, premises, process instances, no orphan clients);
(c) expiry: 10,000 reservations whose deadlines pass at the same moment, released by
    engine.tick in separate worker processes (see reservation_expiry.py for how they are made:
    a few hundred for real, the rest bulk clones) — time until every premise is free again and
    the lag between the deadline and the release.

Everything runs in a database `bench_reservations_<pid>` created next to the one
BENCH_POSTGRES_URL / TEST_DATABASE_URL names (default postgresql+psycopg://postgres@127.0.0.1:5432/
test) and dropped afterwards. gunicorn runs as scripts/run.sh starts it (2 workers × 4 threads,
no keep-alive); BENCH_GUNICORN="--workers 4 --threads 2 ..." overrides that; BENCH_TICK_WORKERS
sets the number of tick processes in (c) (default: one per CPU core); BENCH_PARTS=ab runs only
some parts.
BENCH_QUICK=1 (or --quick) scales everything down. Only prints: targets are reported as met /
NOT met.
"""

from __future__ import annotations

import itertools
import os
import random
import shlex
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client, ClientPhone
from models.process.instance import ProcessBusinessKey, ProcessInstance, ProcessStatus
from models.sales.reservation import Reservation, ReservationStatus
from models.users.api_key import ApiKey
from tests.benchmarks import reservation_expiry
from tests.benchmarks.reservation_support import (
    Client as HttpClient,
)
from tests.benchmarks.reservation_support import (
    Gunicorn,
    backend_pids,
    children,
    cpu_seconds,
    load,
    make_app,
    percentile,
    raw_booking_ms,
    reservation_body,
    seed_building,
)
from tests.benchmarks.support import postgres_database
from web.extensions import db

RESERVATIONS = "/api/v1/reservations"
GUNICORN = ["--workers", "2", "--threads", "4", "--keep-alive", "0"]  # scripts/run.sh
THROUGHPUT_CLIENTS = 8
CONTENTION_CLIENTS = 16
CONTENTION_PREMISES = 10
TARGET_RATE = 150.0  # reservations / s through the API
TARGET_EXPIRY_S = 60.0  # all of (c) released
TARGET_LAG_S = 30.0  # p95 deadline → release
EXPIRY_TARGET_COUNT = 10_000


@dataclass
class Sizes:
    per_client: int  # (a) reservations per client
    attempts: int  # (b)
    expiring: int  # (c)
    real: int  # (c) made through reserve() before the clones
    expiry_timeout: float


FULL = Sizes(per_client=150, attempts=1000, expiring=10_000, real=300, expiry_timeout=300.0)
QUICK = Sizes(per_client=30, attempts=200, expiring=1_000, real=100, expiry_timeout=120.0)


@dataclass
class Report:
    gunicorn: str = ""
    rate: float = float("nan")
    made: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    contention: dict = field(default_factory=dict)
    booking_floor_ms: float = float("nan")  # SpiffWorkflow alone, per booking
    expiry: reservation_expiry.Expiry | None = None
    seeded: reservation_expiry.Seeded | None = None


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--quick" in argv or os.environ.get("BENCH_QUICK", "") not in ("", "0")
    sizes = QUICK if quick else FULL
    args = shlex.split(os.environ.get("BENCH_GUNICORN", "")) or GUNICORN
    workers = int(os.environ.get("BENCH_TICK_WORKERS") or os.cpu_count() or 2)
    parts = os.environ.get("BENCH_PARTS", "abc").lower()
    started = time.perf_counter()
    print(
        f"mode: {'quick' if quick else 'full'}; CPU cores: {os.cpu_count()}; load average: "
        f"{load()} (other work on the machine inflates every figure)"
    )
    report = Report(gunicorn=" ".join(args))
    with postgres_database("bench_reservations") as url:
        if url is None:
            return
        app = make_app(url)
        with app.app_context():
            premises = seed_building("Онлайн", THROUGHPUT_CLIENTS * (sizes.per_client + 2))[1]
            contested = seed_building("Спорные", CONTENTION_PREMISES)[1]
            key, raw_key = ApiKey.issue("bench")
            db.session.add(key)
            db.session.commit()
            db.session.remove()
        if "a" in parts or "b" in parts:
            print(f"\ngunicorn {report.gunicorn}")
            with Gunicorn(url, args) as server:
                if "a" in parts:
                    bench_throughput(report, app, server, raw_key, premises, sizes.per_client)
                if "b" in parts:
                    bench_contention(report, app, server.port, raw_key, contested, sizes.attempts)
        if "c" in parts:
            bench_expiry(report, app, url, sizes, workers)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print_summary(report)
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")


# --------------------------------------------------------------------------- (a) throughput


def bench_throughput(report: Report, app, server: Gunicorn, raw_key, premises, per_client) -> None:
    count = THROUGHPUT_CLIENTS
    print(f"\n(a) {count} concurrent API clients × {per_client} reservations on distinct premises")
    warm, timed = premises[: 2 * count], premises[2 * count :]
    # Warm-up (not timed): every gunicorn worker parses the BPMN and fills its caches.
    _post_all(server.port, raw_key, [[p] for p in warm], prefix=1)
    lanes = [timed[i::count][:per_client] for i in range(count)]
    workers = children(server.process.pid)
    with app.app_context():
        backends = backend_pids()
        db.session.remove()
    before = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
    started = time.perf_counter()
    answers = _post_all(server.port, raw_key, lanes, prefix=2)
    elapsed = time.perf_counter() - started
    after = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
    report.statuses = Counter(status for status, _, _ in answers)
    report.made = report.statuses[201]
    report.rate = report.made / elapsed
    latencies = [ms for _, _, ms in answers]
    report.latency_ms = {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
    }
    print(
        f"  {report.made} made in {elapsed:.1f} s: {report.rate:.0f} reservations/s; "
        f"latency p50 {report.latency_ms['p50']:.0f} ms, p95 {report.latency_ms['p95']:.0f} ms, "
        f"p99 {report.latency_ms['p99']:.0f} ms; answers {dict(report.statuses)}"
    )
    per_worker = [after[0].get(pid, 0.0) - cpu for pid, cpu in before[0].items()]
    postgres = sum(after[1].get(pid, 0.0) - cpu for pid, cpu in before[1].items())
    made = max(report.made, 1)
    report.cpu_ms = {
        "gunicorn": sum(per_worker) / made * 1000,
        "postgres": postgres / made * 1000,
        "load generator": (after[2] - before[2]) / made * 1000,
    }
    print(
        "  CPU per reservation: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in report.cpu_ms.items())
        + f"; CPU s per gunicorn worker: {', '.join(f'{c:.1f}' for c in per_worker)}"
    )
    report.booking_floor_ms = raw_booking_ms(app)
    budget = (os.cpu_count() or 2) * 1000 / TARGET_RATE
    rest = budget - report.cpu_ms["postgres"] - report.cpu_ms["load generator"]
    rest -= report.booking_floor_ms
    print(
        f"  SpiffWorkflow alone, in memory (the premise taken by a stub): "
        f"{report.booking_floor_ms:.1f} ms per reservation. At {TARGET_RATE:.0f}/s the "
        f"{os.cpu_count()} cores have {budget:.1f} ms of CPU per reservation; PostgreSQL, the load "
        f"generator and that floor leave {rest:.1f} ms for HTTP, Flask, the ORM and the "
        f"statements, which take "
        f"{report.cpu_ms['gunicorn'] - report.booking_floor_ms:.1f} ms now"
    )
    if per_worker and min(per_worker) * 1.5 < max(per_worker):
        print(
            "  gunicorn workers unbalanced: a gthread worker accepts up to --worker-connections "
            "(1000) keep-alive connections and keeps them, so one process (one GIL) serves most "
            "clients; --worker-connections equal to --threads spreads them"
        )


def _post_all(port: int, raw_key: str, lanes: list[list[int]], prefix: int) -> list:
    """One thread and one keep-alive connection per lane; (status, body, ms) per request."""
    answers: list = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(lanes))

    def run(lane: int) -> None:
        client = HttpClient(port, raw_key)
        barrier.wait()
        for index, premise_id in enumerate(lanes[lane]):
            number = lane * 10_000 + index
            started = time.perf_counter()
            status, body = client.send(
                "POST",
                RESERVATIONS,
                reservation_body(premise_id, number, prefix),
                {"Idempotency-Key": f"bench-{prefix}-{number}"},
            )
            with lock:
                answers.append((status, body, (time.perf_counter() - started) * 1000))
        client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(lanes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# --------------------------------------------------------------------------- (b) contention


def bench_contention(report: Report, app, port: int, raw_key: str, premises, attempts) -> None:
    print(
        f"\n(b) {attempts:,} attempts on {len(premises)} premises from {CONTENTION_CLIENTS} "
        "concurrent clients, a new buyer each"
    )
    targets = [premises[i % len(premises)] for i in range(attempts)]
    random.Random(2026).shuffle(targets)
    numbers = itertools.count()
    lock = threading.Lock()
    answers: list = []
    barrier = threading.Barrier(CONTENTION_CLIENTS)

    def run() -> None:
        client = HttpClient(port, raw_key)
        barrier.wait()
        while True:
            with lock:
                number = next(numbers)
            if number >= attempts:
                break
            started = time.perf_counter()
            status, body = client.send(
                "POST",
                RESERVATIONS,
                reservation_body(targets[number], number, 3),
                {"Idempotency-Key": f"contention-{number}"},
            )
            with lock:
                answers.append((status, body, (time.perf_counter() - started) * 1000))
        client.close()

    threads = [threading.Thread(target=run) for _ in range(CONTENTION_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    breakdown = Counter((status, body.get("error", "")) for status, body, _ in answers)
    winners = Counter(body["premise_id"] for status, body, _ in answers if status == 201)
    server_errors = sum(n for (status, _), n in breakdown.items() if status >= 500)
    latencies = [ms for _, _, ms in answers]
    checks = _check_contention(app, premises, winners)
    report.contention = {
        "winners": sum(winners.values()),
        "premises_won_once": sum(1 for n in winners.values() if n == 1),
        "server_errors": server_errors,
        "breakdown": breakdown,
        "seconds": elapsed,
        "p95_ms": percentile(latencies, 0.95),
        "checks": checks,
    }
    print(
        f"  {len(answers)} answers in {elapsed:.1f} s ({len(answers) / elapsed:.0f}/s), "
        f"latency p95 {report.contention['p95_ms']:.0f} ms"
    )
    print(f"  winners: {sum(winners.values())} (per premise: {sorted(winners.values())})")
    for (status, code), number in sorted(breakdown.items()):
        print(f"    {status} {code or '-':<24} {number:>6}")
    for name, ok in checks.items():
        print(f"  database: {name}: {'yes' if ok else 'NO'}")


def _check_contention(app, premises, winners: Counter) -> dict[str, bool]:
    with app.app_context():
        active = db.session.scalars(
            select(Reservation).where(
                Reservation.premise_id.in_(premises),
                Reservation.status == ReservationStatus.active,
            )
        ).all()
        statuses = db.session.scalars(select(Premise.status).where(Premise.id.in_(premises))).all()
        instances = db.session.execute(
            select(ProcessInstance.status, ProcessInstance.business_keys)
            .join(ProcessBusinessKey)
            .where(
                ProcessBusinessKey.name == "premise_id",
                ProcessBusinessKey.value.in_([str(p) for p in premises]),
            )
        ).all()
        buyers = db.session.scalar(
            select(func.count(func.distinct(ClientPhone.client_id))).where(
                ClientPhone.phone.like("+79993%")
            )
        )
        errors = db.session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.status == ProcessStatus.error)
        )
        winner_clients = {r.client_id for r in active}
        orphans = db.session.scalar(
            select(func.count())
            .select_from(Client)
            .join(ClientPhone)
            .where(ClientPhone.phone.like("+79993%"), Client.id.not_in(winner_clients or {0}))
        )
        db.session.remove()
    reservation_ids = {r.id for r in active}
    return {
        "one active reservation per premise": len(active) == len(premises)
        and len({r.premise_id for r in active}) == len(premises),
        "every premise reserved": all(s == PremiseStatus.reserved for s in statuses),
        "one waiting process per premise, keyed by its reservation": len(instances) == len(premises)
        and all(s == ProcessStatus.waiting for s, _ in instances)
        and {keys.get("reservation_id") for _, keys in instances} == reservation_ids,
        "winners seen over HTTP = winners in the database": set(winners) == set(premises),
        "no client cards but the winners'": buyers == len(premises) and orphans == 0,
        "no process instance in error": errors == 0,
    }


# --------------------------------------------------------------------------- (c) expiry


def bench_expiry(report: Report, app, url: str, sizes: Sizes, workers: int) -> None:
    print(
        f"\n(c) {sizes.expiring:,} reservations with one deadline, released by engine.tick in "
        f"{workers} worker processes"
    )
    with app.app_context():
        started = time.perf_counter()
        seeded = reservation_expiry.seed(sizes.expiring, sizes.real)
        print(
            f"  seeded in {time.perf_counter() - started:.0f} s: {seeded.real} through reserve() "
            f"in-process ({seeded.real_ms:.0f} ms each, commit included), "
            f"{sizes.expiring - seeded.real:,} bulk clones ({seeded.clone_s:.0f} s); workflow "
            f"state {seeded.state_kb:.0f} KB per instance"
        )
        print(
            f"  SpiffWorkflow alone, in memory (actions stubbed): {seeded.raw_ms:.1f} ms per "
            f"release; were the {os.cpu_count()} cores doing nothing else, at most "
            f"{1000 * (os.cpu_count() or 1) / seeded.raw_ms:.0f} releases/s"
        )
        expiry = reservation_expiry.run(url, seeded, workers, 200, sizes.expiry_timeout)
        db.session.remove()
    report.seeded, report.expiry = seeded, expiry
    print(
        f"  released {expiry.released:,} / {expiry.count:,} premises in {expiry.watched_s:.0f} s; "
        f"expired "
        f"{expiry.expired:,} reservations; timers fired {expiry.fired:,}, errors {expiry.errors}"
        + ("; TIMED OUT" if expiry.timed_out else "")
    )
    print(
        f"  deadline → premise seen free: half {expiry.visible_p50_s:.1f} s, 95 % "
        f"{expiry.visible_p95_s:.1f} s, all {expiry.total_s:.1f} s"
    )
    print(
        f"  deadline → ended_at set by the action: p50 {expiry.action_p50_s:.1f} s, "
        f"p95 {expiry.action_p95_s:.1f} s, max {expiry.action_max_s:.1f} s"
    )
    print(f"  process instances: { {str(k): n for k, n in expiry.instance_statuses.items()} }")
    if expiry.first_error:
        print(f"  first instance error: {expiry.first_error[:300]}")
    if expiry.released:
        print(
            f"  throughput: {expiry.released / max(expiry.total_s, 1e-9):.0f} releases/s; CPU "
            f"per release: tick workers {expiry.worker_cpu_s / expiry.released * 1000:.1f} ms, "
            f"their PostgreSQL backends {expiry.postgres_cpu_s / expiry.released * 1000:.1f} ms"
        )


# --------------------------------------------------------------------------- summary


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_summary(report: Report) -> None:
    print(f"\n=== summary (PostgreSQL; gunicorn {report.gunicorn}) ===")
    if report.latency_ms:
        print(
            f"(a) reservations / s, {THROUGHPUT_CLIENTS} clients: {report.rate:.0f} "
            f"(p95 {report.latency_ms['p95']:.0f} ms) — target ≥ {TARGET_RATE:.0f}: "
            f"{_met(report.rate >= TARGET_RATE)}"
        )
        print(
            f"    SpiffWorkflow alone spends {report.booking_floor_ms:.1f} ms per booking; "
            f"gunicorn {report.cpu_ms['gunicorn']:.1f} ms, "
            f"PostgreSQL {report.cpu_ms['postgres']:.1f} ms"
        )
    if report.contention:
        c = report.contention
        ok = (
            c["winners"] == CONTENTION_PREMISES
            and c["premises_won_once"] == CONTENTION_PREMISES
            and c["server_errors"] == 0
            and all(c["checks"].values())
        )
        print(
            f"(b) winners {c['winners']} (must be {CONTENTION_PREMISES}), 5xx "
            f"{c['server_errors']}, database consistent: {all(c['checks'].values())} — "
            f"{_met(ok)}"
        )
    if report.expiry is not None:
        e = report.expiry
        exact = e.count == EXPIRY_TARGET_COUNT and not e.timed_out
        # Not all of 10,000 released (quick mode, or timed out): project at the measured rate
        # (nan, and so "NOT met", when nothing was released at all).
        total = e.total_s if exact else EXPIRY_TARGET_COUNT / e.rate
        lag = e.visible_p95_s if exact else 0.95 * EXPIRY_TARGET_COUNT / e.rate
        how = "measured" if exact else f"projected from {e.released:,} at {e.rate:.0f}/s"
        print(
            f"(c) {EXPIRY_TARGET_COUNT:,} released in {total:.0f} s ({how}) — target ≤ "
            f"{TARGET_EXPIRY_S:.0f} s: {_met(total <= TARGET_EXPIRY_S)}"
        )
        print(
            f"(c) p95 deadline → release {lag:.0f} s ({how}) — target ≤ {TARGET_LAG_S:.0f} s: "
            f"{_met(lag <= TARGET_LAG_S)}"
        )
        print("    (Celery beat fires the tick every 10 s: in production add up to 10 s of lag)")
        if report.seeded is not None:
            cores = os.cpu_count() or 1
            floor_s = 0.95 * EXPIRY_TARGET_COUNT * report.seeded.raw_ms / 1000 / cores
            print(
                f"    SpiffWorkflow alone spends {report.seeded.raw_ms:.1f} ms per release: on "
                f"{cores} cores, with nothing else running, 95 % released after {floor_s:.0f} s"
            )
    print(f"load average (1, 5, 15 min) at the end: {load()}")


if __name__ == "__main__":
    main()
