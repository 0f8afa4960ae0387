"""Running a workflow until it waits: service actions, BPMN error events, state and history."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.core import actions, human_tasks
from engine.core.actions import ActionContext, ActionError, Followup
from engine.core.workflow_io import next_timer, ready_user_tasks, serialize
from engine.sandbox import SandboxScriptEngine
from engine.speed import steps
from engine.speed.steps import UnguardedActionFailed, unguarded_actions
from models.db import history_rows
from models.db.errors import DomainError
from models.process.instance import (
    ProcessBusinessKey,
    ProcessEvent,
    ProcessEventKind,
    ProcessInstance,
    ProcessStatus,
)
from models.users.user import User

log = logging.getLogger(__name__)
MAX_CAUGHT_ERRORS = 20


__all__ = ["UnguardedActionFailed", "unguarded_actions"]  # engine/speed/steps.py: the callers'


def script_engine(
    session: Session,
    instance: ProcessInstance,
    user: User | None,
    followups: list[Followup] | None = None,
    *,
    guarded: bool | None = None,
):
    """The sandboxed script engine, with service tasks bound to this instance's session.

    Each action runs guarded, in a savepoint of its own, or unguarded (engine/speed/steps.py);
    `guarded=None`: as `unguarded_actions` has set it."""
    guarded = steps.guarded(guarded)

    def call_action(operation_name: str, operation_params: dict, task_data: dict) -> str:
        params = {name: spec.get("value") for name, spec in operation_params.items()}
        ctx = ActionContext(session, instance.id, user.id if user else None, guarded=guarded)
        result = steps.run_action(
            session,
            operation_name,
            lambda: actions.call(operation_name, ctx, params),
            guarded=guarded,
        )
        _add_keys(session, instance, ctx.business_keys)
        if followups is not None:
            followups.extend(ctx.followups)
        return json.dumps(result, default=str)

    return SandboxScriptEngine(service_handler=call_action)


def _add_keys(session: Session, instance: ProcessInstance, keys: dict) -> None:
    if not keys:
        return
    merged = dict(instance.business_keys or {})
    for name, value in keys.items():
        if name not in merged:
            instance.keys.append(ProcessBusinessKey(name=name, value=str(value)))
        merged[name] = value
    instance.business_keys = merged


def advance(
    session: Session,
    instance: ProcessInstance,
    workflow,
    *,
    user: User | None,
    now: datetime,
    first: Callable[[], Any] | None = None,
    new_instance: bool = False,
    closed: str | None = None,
    guarded: bool | None = None,
    flush: bool = True,
    refuse: bool = False,
) -> None:
    """Run until the workflow waits, then store its state, inbox rows and next timer.

    `refuse`: a step a person asked for (a task completed, a message sent) that an action's
    business rule refused raises that `DomainError` instead of leaving the instance in
    `error`: the edge rolls the whole request back and shows the message at its field, so a
    refused step writes nothing and holds nothing. A failure that is not a rule (a crash, a
    timer's step) still puts the instance in `error` for the administrator.
    `closed`: the guid of the task whose inbox row the caller has already closed.
    Work the actions queued on other instances runs afterwards, in the same transaction.
    `guarded`, `flush=False`: a tick batch's instance (engine/speed/batches.py).
    """
    followups: list[Followup] = []
    # Open inbox rows mirror the ready user tasks as of the last save: with none ready then
    # but the one the caller closed, there are no rows to read now (a timer's expiry, a
    # message, a new instance, the completion of an instance's only task).
    had_rows = not new_instance and any(
        str(task.id) != closed for task in ready_user_tasks(workflow)
    )
    guarded = steps.guarded(guarded)
    # Unguarded, the actions' writes wait for the flush below: a constraint they break fails
    # there, and the caller's redo runs them again guarded, where it fails inside the action.
    workflow.script_engine = script_engine(session, instance, user, followups, guarded=guarded)
    failure = run_steps(session, instance, workflow, user, now, first=first)
    refusal = refusal_of(failure) if refuse else None
    if refusal is not None:
        raise refusal
    human_tasks.sync(session, instance, workflow, _evaluator(workflow), now, has_rows=had_rows)
    if instance.status != ProcessStatus.error:
        if workflow.is_completed():
            instance.status = ProcessStatus.completed
            instance.finished_at = now
            record(session, instance, ProcessEventKind.completed, now=now)
        else:
            instance.status = ProcessStatus.waiting
    instance.next_timer_at = next_timer(workflow) if instance.is_active else None
    instance.serialized = serialize(workflow)
    instance.updated_at = now
    steps.flush_step(session, guarded=guarded, batch=not flush, followups=bool(followups))
    run_followups(session, followups, user, now, refuse)


def run_followups(session: Session, followups, user: User | None, now, refuse=False) -> None:
    for followup in followups:
        _run_followup(session, followup, user, now, refuse)


def _run_followup(
    session: Session, followup: Followup, user: User | None, now, refuse: bool
) -> None:
    """Start a process or deliver a message an action asked for. A message refused by a rule
    refuses the step that sent it when that step refuses (a person asked for it)."""
    from engine.core import runtime  # the facade sits above this module

    if followup.kind == "start":
        runtime.start(
            session,
            followup.name,
            followup.data,
            followup.keys,
            user,
            now=now,
            **followup.options,
        )
    else:
        [(key, value)] = followup.keys.items()
        runtime.send_message(
            session, followup.name, key, value, followup.data, user=user, now=now, refuse=refuse
        )


def run_steps(session, instance, workflow, user, now, first=None) -> BaseException | None:
    """Run engine steps; an ActionError caught by a boundary error event continues the flow.

    Returns the failure when the instance went to `error` (its reason is stored and
    recorded), None when it ran until it waits.
    """
    step = first
    for _ in range(MAX_CAUGHT_ERRORS):
        try:
            if step is not None:
                step()
            workflow.do_engine_steps()
            return None
        except Exception as error:  # noqa: BLE001 - every failure is recorded, none escapes
            step = None
            failed = failed_task(workflow)
            action_error = action_error_of(error)
            catcher = catcher_of(workflow, failed, action_error)
            if catcher is None:
                _mark_error(session, instance, failed, error, user, now)
                return error
            throw_to(workflow, failed, catcher, action_error)
            record(
                session,
                instance,
                ProcessEventKind.bpmn_error,
                user=user,
                task_name=failed.task_spec.bpmn_id,
                task_label=failed.task_spec.bpmn_name,
                data={"code": action_error.code},
                message=action_error.message,
                now=now,
            )
    error = RuntimeError("слишком много ошибок подряд")
    _mark_error(session, instance, None, error, user, now)
    return error


def record(
    session: Session,
    instance: ProcessInstance,
    kind: ProcessEventKind,
    *,
    user: User | None = None,
    data: dict | None = None,
    message: str = "",
    task_name: str | None = None,
    task_label: str | None = None,
    now: datetime,
) -> None:
    history_rows.add(
        session,
        ProcessEvent(
            instance_id=instance.id,
            kind=kind,
            user_id=user.id if user else None,
            data=json.loads(json.dumps(data or {}, default=str)),
            message=message,
            task_name=task_name,
            task_label=task_label,
            at=now,
        ),
    )


def failed_task(workflow):
    errored = workflow.get_tasks(state=TaskState.ERROR)
    if not errored:
        return None
    return max(errored, key=lambda t: t.last_state_change)


def action_error_of(error: BaseException) -> ActionError | None:
    return _first_in_chain(error, ActionError)


def refusal_of(error: BaseException | None) -> DomainError | None:
    """The business rule behind a failure (the outermost `DomainError` in its chain), if any."""
    return _first_in_chain(error, DomainError)


def _first_in_chain(error: BaseException | None, kind: type):
    """The first exception of `kind` in a failure and what caused it (SpiffWorkflow wraps an
    action's error in its own, as `.exception`)."""
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return None


def catcher_of(workflow, failed, action_error: ActionError | None):
    """A waiting boundary error event attached to the failed task that catches this code."""
    if failed is None or action_error is None:
        return None
    for task in workflow.top_workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        if (
            type(definition).__name__ == "ErrorEventDefinition"
            and definition.code in (None, action_error.code)
            and task.parent is failed.parent
        ):
            return task
    return None


def throw_to(workflow, failed, catcher, action_error: ActionError) -> None:
    payload = {"error_code": action_error.code, "error_message": action_error.message}
    catcher.data.update(payload)
    event = BpmnEvent(catcher.task_spec.event_definition, payload=payload, target=failed.workflow)
    workflow.top_workflow.catch(event)


def _mark_error(session, instance, failed, error, user, now) -> None:
    task_name = failed.task_spec.bpmn_id if failed is not None else None
    label = (failed.task_spec.bpmn_name or task_name) if failed is not None else None
    message = describe(error)
    log.error("instance %s failed at %s: %s", instance.id, task_name, message, exc_info=error)
    instance.status = ProcessStatus.error
    instance.error_task = task_name
    instance.error_message = message
    record(
        session,
        instance,
        ProcessEventKind.error,
        user=user,
        task_name=task_name,
        task_label=label,
        message=message,
        now=now,
    )


def describe(error: BaseException) -> str:
    """A readable reason: the innermost meaningful message, without a traceback."""
    inner = getattr(error, "exception", None) or error.__cause__
    text = getattr(error, "message", None) or str(error)
    if inner is not None and inner is not error:
        inner_text = getattr(inner, "message", None) or str(inner)
        if inner_text and inner_text not in text:
            text = f"{text}: {inner_text}"
    return text[:2000] or type(error).__name__


def _evaluator(workflow):
    def evaluate(task, expression: str):
        return workflow.script_engine.evaluate(task, expression)

    return evaluate
