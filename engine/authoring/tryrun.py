"""Trying a draft before publishing: its BPMN runs entirely in memory with sample data.

Nothing here touches the database. The spec is built with `bpmn.build` (not `load`), so no
reference to an unpublished version is cached or written; expressions and scripts run in the
same sandbox as in production; a service task does not call its action: the try-run log says
which action would be called with which parameters, and the task gets an empty result, or the
result the analyst gave for that action in the sample data under the key `_results` (none
given: the action's own stand-in, `Action.sample`, if it has one):

    {"premise_id": 7, "_results": {"reserve_premise": {"reservation_id": 1}}}

A result `{"_error": "code", "message": "..."}` makes the action fail with that BPMN error code,
so a boundary error event's path can be tried too.

User tasks are completed with the same form validation as the inbox, waiting timers can be
fired at once, messages sent by name. Between requests the state travels as a dict (`dump` /
`restore`): the web layer signs it, this module trusts only what it is handed back signed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine import bpmn
from engine.authoring.tryrun_input import (
    ERROR_KEY,
    RESULTS_KEY,
    TryRunRefused,
    in_russian,
    parse_json_object,
)
from engine.bpmn import loops, role_of_lane
from engine.bpmn.validation import check_xml
from engine.core import actions, forms
from engine.core.actions import ActionError
from engine.core.errors import FormInvalid
from engine.core.human_tasks import render_title
from engine.core.run import (  # the engine's own catching of an action error by a boundary event
    MAX_CAUGHT_ERRORS,
    action_error_of,
    catcher_of,
    describe,
    failed_task,
    throw_to,
)
from engine.core.workflow_io import (
    deserialize,
    find_task,
    ready_user_tasks,
    serialize,
    task_data_json,
)
from engine.sandbox import SandboxScriptEngine
from models.users.user import ROLE_LABELS

__all__ = [
    "RESULTS_KEY",
    "TryRun",
    "TryRunRefused",
    "dump",
    "parse_json_object",
    "restore",
    "start",
]

MAX_STEPS = 500  # engine steps per request: a draft looping without a wait stops here
MAX_LOG = 300
_PAST = "2000-01-01T00:00:00+00:00"


class _TooManySteps(Exception):
    pass


@dataclass
class UserTaskView:
    guid: str
    name: str
    title: str
    role: str
    deadline: str
    approval: bool
    fields: list[forms.FormField]


@dataclass
class TimerView:
    bpmn_id: str
    name: str
    due: str


@dataclass
class TryRun:
    workflow: BpmnWorkflow
    results: dict[str, Any] = field(default_factory=dict)
    log: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    error_task: str | None = None

    # --- what the page shows -------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.workflow.is_completed()

    def user_tasks(self) -> list[UserTaskView]:
        views = []
        for task in ready_user_tasks(self.workflow):
            spec = task.task_spec
            properties = spec.extensions.get("properties", {})
            role = role_of_lane(spec.lane)
            label = spec.bpmn_name or spec.bpmn_id
            views.append(
                UserTaskView(
                    guid=str(task.id),
                    name=label,
                    title=render_title(properties.get("title"), task.data) or label,
                    role=ROLE_LABELS.get(role, spec.lane or "—") if role else (spec.lane or "—"),
                    deadline=properties.get("deadline", ""),
                    approval=properties.get("approval", "").lower() == "true",
                    fields=[forms.FormField.from_json(f) for f in spec.extensions.get("form", [])],
                )
            )
        return views

    def waiting_timers(self) -> list[TimerView]:
        views = []
        for task in self._timer_tasks():
            details = task.task_spec.event_definition.details(task)
            value = details.value
            due = value.get("next", "") if isinstance(value, dict) else str(value or "")
            spec = task.task_spec
            views.append(TimerView(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due))
        return views

    def waiting_messages(self) -> list[str]:
        return sorted({e.name for e in self._waiting_messages() if e.name})

    def data(self) -> dict:
        tasks = self.workflow.get_tasks(state=TaskState.COMPLETED)
        if not tasks:
            return {}
        return task_data_json(max(tasks, key=lambda t: t.last_state_change))

    def _waiting_messages(self):
        return [e for e in self.workflow.waiting_events() if "Message" in e.event_type]

    # --- what the analyst does ------------------------------------------------------------
    def complete(self, guid: str, raw: dict[str, Any], *, user_id: int | None = None) -> None:
        self._usable()
        task = find_task(self.workflow, guid)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TryRunRefused("Эта задача уже не ждёт выполнения")
        spec = task.task_spec
        approval = spec.extensions.get("properties", {}).get("approval", "").lower() == "true"
        fields = [forms.FormField.from_json(f) for f in spec.extensions.get("form", [])]
        values, errors = forms.validate(fields, raw, approval=approval)
        if errors:
            raise FormInvalid(errors)
        if approval:
            values["decided_by"] = user_id
        task.set_data(**values)
        shown = forms.summary(fields, values) or "без данных"
        self._note("task", f"Выполнена задача «{spec.bpmn_name or spec.bpmn_id}»: {shown}")
        self._run(task.run)

    def fire_timers(self, only: str | None = None) -> int:
        """Waiting timers fire now, as if their time had come: all of them, or the one whose
        BPMN id is `only`."""
        self._usable()
        fired = []
        for task in self._timer_tasks():
            if only and task.task_spec.bpmn_id != only:
                continue
            if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
                value = task._get_internal_data("event_value")
                if not isinstance(value, dict):
                    continue
                value["next"] = _PAST
            else:
                task._set_internal_data(event_value=_PAST, event_fired=True)
            fired.append(task.task_spec.bpmn_name or task.task_spec.bpmn_id)
        if not fired:
            raise TryRunRefused(
                f"Процесс не ждёт таймера «{only}»" if only else "Процесс не ждёт ни одного таймера"
            )
        self._note("timer", "Сработали таймеры: " + ", ".join(f"«{n}»" for n in fired))
        self._run(self.workflow.refresh_timers)
        return len(fired)

    def _timer_tasks(self) -> list:
        tasks = self.workflow.top_workflow.event_manager.tasks.values()
        return [
            t
            for t in tasks
            if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
        ]

    def send_message(self, name: str, payload: dict[str, Any]) -> None:
        self._usable()
        name = (name or "").strip()
        if name not in self.waiting_messages():
            raise TryRunRefused(f"Процесс не ждёт сообщения «{name}»")
        event = BpmnEvent(MessageEventDefinition(name), dict(payload))
        self._note("message", f"Получено сообщение «{name}»: {_json(payload)}")
        self._run(lambda: self.workflow.send_event(event))

    # --- inside -----------------------------------------------------------------------------
    def _usable(self) -> None:
        if self.error:
            raise TryRunRefused("Запуск остановлен ошибкой: начните заново")
        if self.finished:
            raise TryRunRefused("Процесс уже завершён: начните заново")

    def _note(self, kind: str, text: str) -> None:
        self.log.append({"kind": kind, "text": text[:1000]})
        del self.log[:-MAX_LOG]

    def _run(self, first=None) -> None:
        self.workflow.script_engine = self._engine()
        steps = 0

        def count(task) -> None:
            nonlocal steps
            steps += 1
            spec = task.task_spec
            if getattr(spec, "bpmn_id", None) and not spec.manual:
                self._note("step", f"Пройден шаг «{spec.bpmn_name or spec.bpmn_id}»")
            if steps > MAX_STEPS:
                raise _TooManySteps

        step = first
        for _ in range(MAX_CAUGHT_ERRORS):
            try:
                if step is not None:
                    step()
                self.workflow.do_engine_steps(did_complete_task=count)
            except _TooManySteps:
                message = f"Больше {MAX_STEPS} шагов без остановки: похоже на бесконечный цикл"
                self._fail(None, message)
                return
            except Exception as error:  # noqa: BLE001 - every failure is shown, none escapes
                step = None
                if not self._caught(error):
                    self._fail(failed_task(self.workflow), describe(error))
                    return
            else:
                self._summarise()
                return
        self._fail(None, "слишком много ошибок подряд")

    def _caught(self, error: BaseException) -> bool:
        """An action error (simulated from `_results`) caught by a boundary error event."""
        failed = failed_task(self.workflow)
        action_error = action_error_of(error)
        catcher = catcher_of(self.workflow, failed, action_error)
        if catcher is None:
            return False
        throw_to(self.workflow, failed, catcher, action_error)
        label = catcher.task_spec.bpmn_name or catcher.task_spec.bpmn_id
        self._note("error", f"Ошибка «{action_error.code}» перехвачена событием «{label}»")
        return True

    def _fail(self, task, message: str) -> None:
        where = ""
        if task is not None:
            self.error_task = task.task_spec.bpmn_id
            where = f" на шаге «{task.task_spec.bpmn_name or task.task_spec.bpmn_id}»"
        self.error = f"Ошибка{where}: {in_russian(message)}"
        self._note("error", self.error)

    def _summarise(self) -> None:
        if self.finished:
            self._note("end", "Процесс завершён")
            return
        waits = [f"задачу «{t.name}» ({t.role})" for t in self.user_tasks()]
        waits += [f"таймер «{t.name}» до {t.due}" for t in self.waiting_timers()]
        waits += [f"сообщение «{name}»" for name in self.waiting_messages()]
        if waits:
            self._note("wait", "Ждёт " + "; ".join(waits))

    def _engine(self) -> SandboxScriptEngine:
        def would_call(name: str, params: dict, task_data: dict) -> Any:
            values = {key: spec.get("value") for key, spec in (params or {}).items()}
            result = (
                self.results[name] if name in self.results else _sample(name, values, task_data)
            )
            self._note(
                "action",
                f"Вызвал бы действие «{name}» с параметрами {_json(values)}; "
                f"результат: {_json(result)}",
            )
            if isinstance(result, dict) and ERROR_KEY in result:
                message = str(result.get("message") or f"ошибка «{result[ERROR_KEY]}» (проба)")
                raise ActionError(str(result[ERROR_KEY]), message)
            return result

        return SandboxScriptEngine(service_handler=would_call)


def _sample(name: str, values: dict, task_data: dict) -> Any:
    """The action's own stand-in result (`Action.sample`), else an empty one."""
    found = actions.get(name)
    if found is None or found.sample is None:
        return {}
    return found.sample(values, dict(task_data))


def start(xml: str, sample: dict[str, Any]) -> TryRun:
    """Check and build the draft, start it with `sample` and run it until it waits."""
    problems = check_xml(xml)
    if problems:
        raise TryRunRefused(
            "В черновике есть ошибки: исправьте их перед пробным запуском", problems
        )
    definition = bpmn.build(bpmn.parse_xml(xml))
    data = dict(sample)
    results = data.pop(RESULTS_KEY, {})
    if not isinstance(results, dict):
        raise TryRunRefused(f"«{RESULTS_KEY}»: нужен объект {{«действие»: результат}}")
    data.setdefault("started_by", None)
    workflow = BpmnWorkflow(
        definition.spec, definition.subprocess_specs, script_engine=SandboxScriptEngine()
    )
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    run = TryRun(workflow, results=results)
    run._note("start", f"Запуск «{definition.name}» с данными {_json(data)}")
    run._run()
    return run


def dump(run: TryRun) -> dict[str, Any]:
    return {
        "workflow": serialize(run.workflow, embed_spec=True),
        "results": run.results,
        "log": run.log,
        "error": run.error,
        "error_task": run.error_task,
    }


def restore(state: dict[str, Any]) -> TryRun:
    """The try-run from a state `dump` produced (the caller has checked its signature)."""
    try:
        workflow = deserialize(state["workflow"])
        run = TryRun(
            workflow,
            results=dict(state.get("results") or {}),
            log=list(state.get("log") or []),
            error=state.get("error"),
            error_task=state.get("error_task"),
        )
    except Exception as error:  # noqa: BLE001 - a state that does not read means "start again"
        raise TryRunRefused("Состояние пробного запуска не читается: начните заново") from error
    run.workflow.script_engine = run._engine()
    loops.keep_items_local([workflow.spec, *workflow.subprocess_specs.values()])
    return run


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)[:500]
