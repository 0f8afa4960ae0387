"""bench_engine, reservation-sized: the head of sales allows a reservation over the client's
limit — `approve_over_limit` of processes/reservation.bpmn, the process the issue sizes the
benchmark by. Completing it takes the premise (a service task), enters the `hold` subprocess and
waits there on a message and two timers.

(a) in memory, SpiffWorkflow alone: the service task answered by a stub with the terms the real
    action returns;
(b), (c) the same step through the engine and the inbox: the real action locks the premise and
    the client, writes the reservation and notifies the manager and the client.
"""

from __future__ import annotations

import json
from datetime import timedelta

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import bpmn
from engine.core.workflow_io import ready_user_tasks
from engine.sales import use_cases as reservations
from engine.sandbox import SandboxScriptEngine
from models.clients.client import Client, ConsentKind
from models.db.base import utcnow
from models.sales.reservation import Channel
from models.users.user import User
from web.config import ROOT
from web.extensions import db

RESERVATION = ROOT / "processes" / "reservation.bpmn"
TASK = "approve_over_limit"


def stub_engine() -> SandboxScriptEngine:
    now = utcnow()
    terms = {
        "reservation_id": 1,
        "expires_at": (now + timedelta(days=3)).isoformat(),
        "remind_at": (now + timedelta(days=2, hours=12)).isoformat(),
        "confirm_by": (now + timedelta(days=1)).isoformat(),
        "paid": False,
    }
    answers = {"reserve_premise": terms}
    return SandboxScriptEngine(
        service_handler=lambda name, params, data: json.dumps(answers.get(name, {}))
    )


def waiting_for_approval(codec) -> str:
    """A reservation request over the limit, in memory, waiting at `approve_over_limit`."""
    definition = bpmn.load(RESERVATION.read_text("utf-8"))
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    workflow.script_engine = stub_engine()
    start_data = {
        "premise_id": 1,
        "client_id": 1,
        "premise_number": "101",
        "client_name": "Бенчмарк Покупатель",
        "channel": "offline",
        "paid": False,
        "manager_id": 1,
        "over_limit": True,
        "from_queue": False,
        "queue_entry_id": None,
        "api_key_id": None,
        "started_by": 1,
    }
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(start_data)
    workflow.do_engine_steps()
    [approval] = ready_user_tasks(workflow)
    if approval.task_spec.bpmn_id != TASK:
        raise RuntimeError(f"expected {TASK}, got {approval.task_spec.bpmn_id}")
    return codec[0](workflow)


def holds(workflow) -> bool:
    """The approved request took the premise and waits in `hold` for a message or a timer."""
    return not workflow.is_completed() and bool(workflow.waiting_events())


def raw_step():
    """(a) for the reservation, with SpiffWorkflow's serializer and, beside it, the engine's."""
    from tests.benchmarks.bench_engine import SHIPPED_CODEC, RawStep

    return RawStep(SHIPPED_CODEC, waiting_for_approval, stub_engine, holds)


def prepare_requests(people, premise_ids: list[int]) -> list[int]:
    """A client already holding two reservations (the limit) asks for one more on each of the
    remaining premises: every request waits for the head of sales at `approve_over_limit`."""
    from tests.benchmarks.bench_engine import _open_tasks

    manager = db.session.get(User, people.manager_id)
    client = Client(full_name="Лимитов Бенчмарк")
    client.add_phone("+79990000001")
    client.add_email("limit.bench@example.ru")
    client.give_consent(  # so the client is told, by email and SMS, as a real buyer would be
        ConsentKind.personal_data, channel="office", text_version="1", taken_by_id=manager.id
    )
    db.session.add(client)
    db.session.commit()
    held, requested = premise_ids[:2], premise_ids[2:]
    for premise_id in held:
        reservations.reserve(db.session, premise_id, client, channel=Channel.offline, user=manager)
        db.session.commit()
    task_ids = []
    for premise_id in requested:
        instance = reservations.reserve(
            db.session,
            premise_id,
            client,
            channel=Channel.offline,
            user=manager,
            request_approval=True,
        ).instance
        db.session.commit()
        [approval] = _open_tasks(instance.id)
        if approval.task_name != TASK:
            raise RuntimeError(f"expected {TASK}, got {approval.task_name}")
        task_ids.append(approval.id)
    return task_ids


def waiting_instances(task_ids: list[int]) -> int:
    """How many of the approved requests now hold their premise, waiting in `hold`."""
    from sqlalchemy import func, select

    from models.process.human_task import HumanTask
    from models.process.instance import ProcessInstance, ProcessStatus

    return db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(
            HumanTask.id.in_(task_ids),
            ProcessInstance.status == ProcessStatus.waiting,
            ProcessInstance.next_timer_at.is_not(None),
        )
    )
