"""Helpers of bench_reservations: a throw-away PostgreSQL database, the app, gunicorn, HTTP."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, text

from engine import bpmn
from engine.bpmn import repository
from engine.core.workflow_io import serialize
from engine.sales.actions import RESERVATION_PROCESS
from engine.sandbox import SandboxScriptEngine
from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus, Project
from tests.benchmarks.support import migrated_app
from web.config import ROOT, Config, TestConfig
from web.extensions import db

PER_FLOOR = 250


def app_config(url: str) -> dict:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    folder = tempfile.mkdtemp(prefix="bench-reservations-uploads-")
    return {
        **settings,
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": folder,
        "SHARED_CACHE_SECONDS": Config.SHARED_CACHE_SECONDS,  # as in production
    }


def make_app(url: str) -> Flask:
    """The app on `url`, migrated, with the reservation process published."""
    app = migrated_app(url, Path(app_config(url)["UPLOAD_FOLDER"]))
    with app.app_context():
        repository.latest(db.session, RESERVATION_PROCESS)
        db.session.commit()
    return app


def seed_building(name: str, count: int) -> tuple[int, list[int]]:
    """A building of `count` free premises (bulk insert); (building id, premise ids)."""
    project = Project(name=f"Бенчмарк: {name}", city="Москва")
    building = Building(
        project=project,
        name=name,
        address="г. Москва, ул. Тестовая, 1",
        floors_above=count // PER_FLOOR + 1,
        floors_below=0,
    )
    db.session.add_all([project, building])
    section = building.ensure_section(1)
    floors = [section.ensure_floor(n) for n in range(1, count // PER_FLOOR + 2)]
    db.session.flush()
    rows = [
        {
            "building_id": building.id,
            "floor_id": floors[index // PER_FLOOR].id,
            "number": str(index + 1),
            "kind": PremiseKind.apartment,
            "rooms": 2,
            "total_area": Decimal("50.00"),
            "price": Decimal("10000000.00"),
            "status": PremiseStatus.available,
        }
        for index in range(count)
    ]
    ids = []
    for start in range(0, len(rows), 2000):
        ids += db.session.scalars(
            insert(Premise).returning(Premise.id, sort_by_parameter_order=True),
            rows[start : start + 2000],
        ).all()
    db.session.commit()
    return building.id, list(ids)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn "web:create_app()"` on a free port against `url`; a context manager."""

    def __init__(self, url: str, args: list[str]):
        self.url = url
        self.args = args
        self.port = free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])

    def __enter__(self) -> Gunicorn:
        self.log = self.log_path.open("wb")
        env = {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": "bench-reservations"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *self.args]
            + ["--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "web:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
            try:
                if Client(self.port).send("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz:\n{self.tail()}")

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
        if exc[0] is not None:
            print(f"gunicorn log (tail):\n{self.tail()}")
        self.log_path.unlink(missing_ok=True)

    def tail(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text("utf-8", "replace")[-3000:]


class Client:
    """One keep-alive HTTP connection; a dropped connection is reopened and the request resent
    (safe: every POST carries its own Idempotency-Key)."""

    def __init__(self, port: int, api_key: str | None = None):
        self.port = port
        self.api_key = api_key
        self.connection: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        merged = {"Content-Type": "application/json", **(headers or {})}
        if self.api_key:
            merged["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=payload, headers=merged)
                response = self.connection.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"raw": raw[:300].decode("utf-8", "replace")}

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def reservation_body(premise_id: int, index: int, prefix: int) -> dict:
    """A buyer of its own per attempt: phone +7 999 <prefix digit><6 digits of index>."""
    return {
        "premise_id": premise_id,
        "client": {
            "full_name": f"Покупатель {prefix}-{index}",
            "phone": f"+7999{prefix % 10}{index:06d}",
        },
        "consent_personal_data": True,
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each live process (Linux /proc; empty elsewhere)."""
    found = {}
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def backend_pids() -> list[int]:
    """PostgreSQL backends connected to the current database (call inside an app context)."""
    return list(
        db.session.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        )
    )


def load() -> str:
    try:
        return ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def raw_booking_ms(app: Flask, runs: int = 300) -> float:
    """SpiffWorkflow alone, in memory: what one online booking costs it before any HTTP, ORM or
    database work — a new reservation workflow run to its first wait (the premise taken by a stub
    of `reserve_premise`), then serialized. The floor of gunicorn's CPU per reservation in (a)."""
    with app.app_context():
        model = repository.latest(db.session, RESERVATION_PROCESS)
        definition = bpmn.definition_of(model)
        db.session.remove()
    now = datetime.now(UTC)
    answers = {
        "reserve_premise": {
            "reservation_id": 1,
            "expires_at": (now + timedelta(days=1)).isoformat(),
            "remind_at": (now + timedelta(hours=12)).isoformat(),
            "confirm_by": (now + timedelta(days=1)).isoformat(),
            "paid": False,
        }
    }
    script_engine = SandboxScriptEngine(
        service_handler=lambda name, params, data: json.dumps(answers.get(name, {}))
    )
    start_data = {
        "premise_id": 1,
        "client_id": 1,
        "premise_number": "1",
        "client_name": "Покупатель",
        "channel": "online",
        "paid": False,
        "manager_id": None,
        "over_limit": False,
        "from_queue": False,
        "queue_entry_id": None,
        "api_key_id": 1,
        "started_by": None,
    }

    def booking() -> None:
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
        workflow.script_engine = script_engine
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(start_data)
        workflow.do_engine_steps()
        if not workflow.get_tasks(state=TaskState.WAITING, spec_name="expire_timer"):
            raise RuntimeError("the stubbed booking did not reach the reservation's hold")
        serialize(workflow)

    return median_ms(booking, runs)


def median_ms(step, runs: int) -> float:
    """The median time of `step()` in ms over `runs` calls, after one untimed warm-up call."""
    step()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000
