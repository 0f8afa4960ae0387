"""What a script leaves behind: variables written back into task data.

Task data is serialized as JSON by SpiffWorkflow's serializer, which also understands
``datetime``, ``timedelta`` and ``UUID``. Everything else a script produces is converted or
left out here, so a script can never leave task data that fails to save:

- ``Decimal`` becomes a string (money is kept as strings), ``date`` an ISO string, tuples lists;
- functions, sets, iterators, ranges and other helpers are temporary and are not saved;
- a collection holding something unsaveable is refused with a clear message.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from engine.sandbox.base import SandboxError

RESERVED_KEY = "typename"  # SpiffWorkflow's serializer treats dicts with this key as objects
_MAX_DEPTH = 50
_PLAIN_DECIMAL_EXPONENT = 100
_SCALARS = (type(None), bool, int, float, str, datetime, timedelta, UUID)
_KEYS = (str, int, float, bool, type(None))
_SAVED = (*_SCALARS, Decimal, date, list, tuple, dict)
_ABSENT: Any = object()
_MAX_DIGITS = sys.get_int_max_str_digits()  # JSON cannot write a longer int (0: no limit)
_UNSAVED = 10**_MAX_DIGITS if _MAX_DIGITS else float("inf")
_UNSAVED_BITS = int(_MAX_DIGITS * 3.32) if _MAX_DIGITS else sys.maxsize  # below: fewer digits


def write_back(
    context: dict[str, Any],
    namespace: Mapping[str, Any],
    original: Mapping[str, Any],
    hidden: frozenset[str],
) -> None:
    """Copy the script's variables from ``namespace`` into ``context`` (the task data).

    ``original`` holds the values the script started with; ``hidden`` the names that never go
    back (helpers given to the script, data objects of the workflow).
    """
    for key in [key for key in context if key in original and key not in namespace]:
        del context[key]  # removed by the script with `del`
    for key, value in namespace.items():
        if key.startswith("_") or key in hidden:
            continue
        if not isinstance(value, _SAVED):
            context.pop(key, None)  # a temporary: function, set, iterator, range...
            continue
        try:
            context[key] = to_storable(value, key)
        except SandboxError:
            if value is not original.get(key, _ABSENT):
                raise
            # Data the script did not touch stays as it was: not this script's doing.


def to_storable(value: Any, path: str, depth: int = 0) -> Any:
    """A JSON-safe copy of ``value``; ``path`` names it in error messages."""
    if path == RESERVED_KEY:
        raise SandboxError(f"Имя «{RESERVED_KEY}» зарезервировано и не может быть ключом данных")
    if depth > _MAX_DEPTH:
        raise SandboxError(f"Слишком глубокая вложенность данных в «{path}»")
    if type(value) is int and value.bit_length() >= _UNSAVED_BITS and abs(value) >= _UNSAVED:
        raise SandboxError(
            f"Значение «{path}» — слишком длинное целое число для данных задачи "
            f"(больше {_MAX_DIGITS} цифр)"
        )
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Decimal):
        plain = value.is_finite() and abs(value.adjusted()) <= _PLAIN_DECIMAL_EXPONENT
        return format(value, "f") if plain else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [
            to_storable(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {_key(key, path): to_storable(item, f"{path}.{key}", depth + 1)
                for key, item in value.items()}  # fmt: skip
    kind = type(value).__name__
    raise SandboxError(f"Значение «{path}» нельзя сохранить в данных задачи: тип {kind}")


def _key(key: Any, path: str) -> Any:
    if not isinstance(key, _KEYS):
        kind = type(key).__name__
        raise SandboxError(f"Ключ словаря «{path}» должен быть строкой или числом, а не {kind}")
    if key == RESERVED_KEY:
        raise SandboxError(f"Имя «{RESERVED_KEY}» зарезервировано и не может быть ключом данных")
    return key
