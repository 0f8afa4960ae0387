"""The sandbox every analyst-written expression and script runs in.

Gateway conditions, timer expressions, script tasks, pre/post scripts and service-task
parameters all go through here. A source text is parsed, checked against a whitelist of syntax,
names and attributes (``sandbox_check``), instrumented with run-time guards
(``sandbox_transform``), compiled once (LRU cache by source text) and run with the safe names
of ``sandbox_names`` as its only builtins. What is refused and what is bounded is described in
``docs/expressions.md``.

Public API:

- ``check(source, mode)`` lists the problems of a source without running it;
- ``ensure_safe(source, mode)`` raises ``SandboxError`` for the first of them;
- ``evaluate(expression, data)`` returns the value of an expression;
- ``execute(script, data)`` runs a script and writes its variables back into ``data``;
- ``SandboxEnvironment`` / ``SandboxScriptEngine`` plug all this into SpiffWorkflow.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.sandbox.base import DEFAULT_LIMITS, Limits, Problem, SandboxError, SandboxLimitError
from engine.sandbox.check import Mode, parse_checked
from engine.sandbox.data import to_storable, write_back
from engine.sandbox.guards import Guards
from engine.sandbox.names import SAFE_NAMES, iso_duration
from engine.sandbox.transform import instrument

__all__ = [
    "DEFAULT_LIMITS",
    "SAFE_NAMES",
    "Limits",
    "Problem",
    "SandboxEnvironment",
    "SandboxError",
    "SandboxLimitError",
    "SandboxScriptEngine",
    "SandboxTaskError",
    "ServiceHandler",
    "check",
    "ensure_safe",
    "evaluate",
    "execute",
]

ServiceHandler = Callable[[str, dict[str, Any], dict[str, Any]], Any]

_BUILTINS: dict[str, Any] = dict(SAFE_NAMES)  # never reachable from sandboxed code
_FILENAME = "<string>"  # SpiffWorkflow looks for this file name to report the failing line
_CACHE_SIZE = 4096


@lru_cache(maxsize=_CACHE_SIZE)
def _compile(source: str, mode: Mode, limits: Limits) -> CodeType | tuple[Problem, ...]:
    """Checked and instrumented code for ``source``, or the problems that refuse it."""
    tree, problems = parse_checked(source, mode, limits)
    if problems or tree is None:
        return tuple(problems)
    try:
        return compile(instrument(tree), _FILENAME, mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return (Problem("Текст слишком сложный для выполнения"),)


def check(source: str, mode: Mode = "eval", limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Problems of ``source`` ('eval': an expression, 'exec': a script); empty when safe."""
    if not isinstance(source, str):
        return [Problem("Текст выражения должен быть строкой")]
    compiled = _compile(source, mode, limits)
    return list(compiled) if isinstance(compiled, tuple) else []


def ensure_safe(source: str, mode: Mode = "eval", limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise ``SandboxError`` (holding every problem) unless ``source`` passes the check."""
    _compiled(source, mode, limits)


def _compiled(source: str, mode: Mode, limits: Limits) -> CodeType:
    if not isinstance(source, str):
        raise SandboxError("Текст выражения должен быть строкой")
    compiled = _compile(source, mode, limits)
    if isinstance(compiled, tuple):
        raise SandboxError.from_problems(compiled)
    return compiled


def _visible(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The part of a mapping sandboxed code may see: names not starting with '_'."""
    if not data:
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and not k.startswith("_")}


def _namespace(guards: Guards, names: Mapping[str, Any] | None, data: dict) -> dict[str, Any]:
    namespace = _visible(names)
    namespace.update(data)
    namespace.update(guards.namespace())
    namespace["__builtins__"] = _BUILTINS
    return namespace


def evaluate(
    expression: str,
    data: Mapping[str, Any] | None = None,
    *,
    names: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Value of ``expression`` with ``data`` (task data) and extra ``names`` in scope."""
    code = _compiled(expression, "eval", limits)
    guards = Guards(limits, "eval")
    return eval(code, _namespace(guards, names, _visible(data)))


def execute(
    script: str,
    data: dict[str, Any],
    *,
    names: Mapping[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Run ``script``; its new and changed variables are written back into ``data``."""
    code = _compiled(script, "exec", limits)
    guards = Guards(limits, "exec")
    original = _visible(data)
    namespace = _namespace(guards, names, dict(original))
    exec(code, namespace)
    hidden = frozenset(_visible(names)) - frozenset(original)
    write_back(data, namespace, original, hidden)
    return data


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment running everything in the sandbox.

    ``environment_globals`` are extra trusted names (helpers of the application); like
    task data they must not start with '_'. Same contract as ``TaskDataEnvironment``: task data
    wins over external context (data objects) and scripts write their variables back.
    """

    def __init__(
        self, environment_globals: Mapping[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        super().__init__(dict(environment_globals or {}))
        hidden = [name for name in self.globals if not name.isidentifier() or name[0] == "_"]
        if hidden:
            raise ValueError(f"Names given to the sandbox must not start with '_': {hidden}")
        self.limits = limits

    def _names(self, external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        return {**self.globals, **(external_context or {})}

    def evaluate(
        self, expression: str, context: dict, external_context: Mapping | None = None
    ) -> Any:
        return evaluate(
            expression, context, names=self._names(external_context), limits=self.limits
        )

    def execute(self, script: str, context: dict, external_context: Mapping | None = None) -> bool:
        execute(script, context, names=self._names(external_context), limits=self.limits)
        return True


class SandboxTaskError(WorkflowTaskException):
    """A sandbox refusal raised while running a task; ``sandbox_error`` is the cause."""

    def __init__(self, task: Any, error: SandboxError, source: str) -> None:
        line = error.line or _failing_line(error)
        lines = source.splitlines()
        error_line = lines[line - 1] if line and 0 < line <= len(lines) else ""
        super().__init__(
            error.message, task=task, exception=error, line_number=line, error_line=error_line
        )
        self.sandbox_error = error


def _failing_line(error: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == _FILENAME]
    return frames[-1].lineno if frames else None


def _sandbox_cause(error: BaseException) -> SandboxError | None:
    cause = error.__cause__ or error.__context__
    return cause if isinstance(cause, SandboxError) else None


class SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow script engine on the sandbox, with service tasks sent to a handler.

    ``service_handler(operation_name, operation_params, task_data)`` receives SpiffWorkflow's
    evaluated parameters (``{name: {"value": ..., "type": ...}}``). What it returns becomes the
    task's result variable: a ``str`` is taken as JSON text (SpiffWorkflow's own convention),
    any other value is encoded to JSON here (``Decimal`` and dates as strings).
    """

    def __init__(
        self,
        environment: BasePythonScriptEngineEnvironment | None = None,
        service_handler: ServiceHandler | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(environment or SandboxEnvironment(limits=limits))
        self.service_handler = service_handler

    def validate(self, expression: str) -> None:
        super().validate(expression)  # a SyntaxError stays a SyntaxError: DMN relies on it
        ensure_safe(expression, "exec")

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as err:
            cause = _sandbox_cause(err)
            if cause is None:
                raise
            raise SandboxTaskError(task, cause, expression) from cause

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        try:
            return super().execute(task, script, external_context)
        except WorkflowTaskException as err:
            cause = _sandbox_cause(err)
            if cause is None:
                raise
            raise SandboxTaskError(task, cause, script) from cause

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """Run a service task through the handler; returns JSON, as SpiffWorkflow expects."""
        name = kwargs.get("operation_name")
        params = kwargs.get("operation_params") or {}
        if self.service_handler is None:
            message = f"Не задан обработчик сервисных задач: операция «{name}» не выполнена"
            raise WorkflowTaskException(message, task=task)
        try:
            result = self.service_handler(name, params, task.data)
            if isinstance(result, str):
                json.loads(result)  # SpiffWorkflow decodes it after we return: fail here instead
                return result
            return json.dumps(result, default=_json_default, ensure_ascii=False)
        except SpiffWorkflowException:
            raise
        except Exception as err:
            message = f"Сервисная задача «{name}» завершилась ошибкой: {err}"
            raise WorkflowTaskException(message, task=task, exception=err) from err


def _json_default(value: Any) -> Any:
    """JSON for the non-JSON values a service handler may return."""
    if isinstance(value, Decimal):
        return to_storable(value, "result")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"результат типа {type(value).__name__} нельзя записать в данные задачи")
