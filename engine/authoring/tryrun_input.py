"""What the analyst types into a try-run and reads back: sample data and message payloads as
JSON objects with plain data names, SpiffWorkflow's evaluation errors in Russian."""

from __future__ import annotations

import json
import re
from typing import Any

from engine import bpmn
from models.db.errors import DomainError

RESULTS_KEY = "_results"
ERROR_KEY = "_error"  # a result {"_error": code, "message": text} simulates a failing action
MAX_SAMPLE_CHARS = 20_000


class TryRunRefused(DomainError):
    """The draft cannot be tried, or the input is wrong; `problems` names the elements."""

    def __init__(self, message: str, problems: list[bpmn.Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def parse_json_object(text: str, what: str) -> dict[str, Any]:
    """A JSON object typed by the analyst, or TryRunRefused in Russian."""
    text = (text or "").strip() or "{}"
    if len(text) > MAX_SAMPLE_CHARS:
        raise TryRunRefused(f"{what}: не больше {MAX_SAMPLE_CHARS} символов")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise TryRunRefused(
            f"{what}: это не JSON (ошибка в строке {error.lineno}, позиция {error.colno}; "
            'имена и строки — в двойных кавычках, например {"premise_id": 1})'
        ) from None
    except (ValueError, RecursionError):  # numbers of thousands of digits, deep nesting
        raise TryRunRefused(
            f"{what}: слишком большие числа или слишком глубокая вложенность"
        ) from None
    if not isinstance(value, dict):
        raise TryRunRefused(f'{what}: нужен JSON-объект в фигурных скобках, например {{"a": 1}}')
    bad = [k for k in value if k != RESULTS_KEY and not _DATA_NAME.match(k)]
    bad += [k for k in _nested_keys(value) if k == "typename"]
    if bad:
        names = ", ".join(f"«{k}»" for k in dict.fromkeys(bad))
        raise TryRunRefused(
            f"{what}: имена данных — латиница, цифры и _, не с _ в начале и не typename: {names}"
        )
    return value


_DATA_NAME = re.compile(r"^(?!typename$)[A-Za-z][A-Za-z0-9_]{0,63}$")


def _nested_keys(value: Any):
    """Every key at every depth (the serializer mistakes a dict with `typename` for an object)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield from current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


_PHRASES = [
    (re.compile(r"\bNameError:\s*"), ""),
    (re.compile(r"\bKeyError:\s*'?(.*?)'?$"), r"нет ключа «\1»"),
    (re.compile(r"Error evaluating expression '(.*?)'\.?", re.S), r"не удалось вычислить «\1»."),
    (re.compile(r"name '(\w+)' is not defined\.?"), r"переменная «\1» не задана."),
    (re.compile(r"Did you mean one of '\[(.*?)\]'\?"), r"Есть переменные: \1."),
    (re.compile(r"Did you mean '(.*?)'\?"), r"Возможно, имелась в виду «\1»."),
]


def in_russian(message: str) -> str:
    """SpiffWorkflow's most common messages in the analyst's words."""
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    return re.sub(r"\s+", " ", message).strip()
