"""Run-time guards called by instrumented code (see ``sandbox_transform``).

Every call, every ``** * << + %``, every f-string field, every collection display and every
value stored into a collection goes through one of these methods. They count steps, check the
clock, refuse results that are too large *before* building them, and charge the size of what
was built to the run's allocation budget.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from types import FunctionType, MethodDescriptorType
from typing import Any

from engine.sandbox.base import SandboxError, SandboxLimitError, guard_name
from engine.sandbox.budget import VIEWS
from engine.sandbox.check import PERCENT_REFUSED
from engine.sandbox.hashing import HASHED, SET_METHODS, HashGuards, elements, pair_keys

_MISSING: Any = object()
_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow,
    "*": operator.mul,
    "<<": operator.lshift,
    "+": operator.add,
    "%": operator.mod,
    "|": operator.or_,
    "&": operator.and_,
    "^": operator.xor,
    "-": operator.sub,
}
_CONVERSIONS: dict[int, Callable[[Any], str]] = {115: str, 114: repr, 97: ascii}
_CONTAINERS = (list, tuple, dict, set, frozenset, *VIEWS)
_REPEATABLE = (str, list, tuple)
# Tuples, not sets: the called object may be unhashable (calling a list is a plain TypeError).
_CONSTRUCTORS = (list, tuple, dict, set, frozenset, sorted, str)
_TO_INT = (int, math.floor, math.ceil, math.trunc)
_PADDING = frozenset({"ljust", "rjust", "center", "zfill"})
_PATTERNS = frozenset({"strftime", "strptime"})
_INSERTING = frozenset({"append", "insert", "add", "setdefault", "update", "extend"})
_ONE_KEY = frozenset({"add", "setdefault"})
_DEEP_RESULTS = frozenset(
    {"copy", "fromkeys", "union", "intersection", "difference", "symmetric_difference"}
)
_DECIMAL_BITS_PER_DIGIT = 3.33
_MAX_FORMAT_EXPONENT = 1000
_UNSHARED_REFERENCES = 5


class Guards(HashGuards):
    """The budget of one run together with the guard functions bound to it."""

    def namespace(self) -> dict[str, Any]:
        """Guard functions under the names the instrumented code uses."""
        guards = {
            "call": self.call,
            "op": self.op,
            "aug": self.aug,
            "fmt": self.fmt,
            "new": self.new,
            "item": self.item,
            "star": self.star,
            "step": self.step,
            "tick": self.tick,
            "key": self.note_key,
            "set": self.set_of,
            "dict": self.dict_of,
        }
        return {guard_name(kind): guard for kind, guard in guards.items()}

    # Calls ---------------------------------------------------------------------------------

    def call(self, func: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.step()
        owner, name, args = self._before_call(func, args, kwargs)
        if self.depth >= self.limits.max_depth:
            self.fail(f"Превышена глубина вложенных вызовов (предел {self.limits.max_depth})")
        self.depth += 1
        try:
            result = func(*args, **kwargs)
        except ValueError as error:
            _refuse_long_int_text(error)
            raise
        finally:
            self.depth -= 1
        if type(result) is range:
            self.check_length(len(result))
        elif func in _CONSTRUCTORS or (
            owner is not _MISSING and (isinstance(owner, str) or name in _DEEP_RESULTS)
        ):
            self.charge_deep(result)
        return result

    def _before_call(self, func: Any, args: tuple, kwargs: dict) -> tuple[Any, Any, tuple]:
        """Check a call before it runs; may return adjusted arguments."""
        if func is Decimal:
            return _MISSING, None, self._decimal_args(args)
        if args and func in _TO_INT:
            self._check_int_conversion(args[0])
        if args and func is str:
            self._check_text(args[0])
        if args and (func is set or func is dict):
            args = self._bulk_keys(func is dict, args)
        key = kwargs.get("key")
        if key is not None and not isinstance(key, FunctionType):
            # sorted/min/max call their key from C: send builtins such as int or str through
            # this guard too (functions written in the sandbox are instrumented already).
            kwargs["key"] = partial(self.call, key)
        name = getattr(func, "__name__", None)
        unbound = isinstance(func, MethodDescriptorType) and bool(args)
        owner = args[0] if unbound else getattr(func, "__self__", _MISSING)
        rest = args[1:] if unbound else args
        if isinstance(owner, str):
            rest = self._check_str_method(owner, name, rest)
        elif name in _PATTERNS:
            self._check_patterns(rest)
        elif name == "fromkeys" and rest and (owner is dict or isinstance(owner, dict)):
            rest = self._bulk_keys(False, rest)
        elif isinstance(owner, HASHED) and name in SET_METHODS and not isinstance(owner, dict):
            rest = tuple(map(elements, rest))
            self.check_added(owner, *rest)
        if isinstance(owner, (list, dict, set)) and name in _INSERTING:
            rest = self._charge_inserted(owner, name, rest, kwargs)
        return owner, name, ((owner, *rest) if unbound else rest)

    def _bulk_keys(self, pairs: bool, args: tuple) -> tuple:
        """``set(x)``, ``dict(x)``, ``dict.fromkeys(x)``: x read once, its keys checked."""
        collection = elements(args[0])
        self.check_keys(pair_keys(collection) if pairs else collection)
        return (collection, *args[1:])

    def _decimal_args(self, args: tuple) -> tuple:
        if not args:
            return args
        value, limit = args[0], self.limits.max_decimal_digits
        if isinstance(value, float):
            return (repr(value), *args[1:])  # Decimal(0.1) means 0.1, not its binary expansion
        if isinstance(value, str) and len(value.strip()) > limit:
            self.fail(f"Слишком длинное число для Decimal (предел {limit} знаков)")
        if isinstance(value, int) and value.bit_length() > limit * _DECIMAL_BITS_PER_DIGIT:
            self.fail(f"Слишком длинное число для Decimal (предел {limit} знаков)")
        return args

    def _check_int_conversion(self, value: Any) -> None:
        if not (isinstance(value, Decimal) and value.is_finite()):
            return
        if value.adjusted() * _DECIMAL_BITS_PER_DIGIT > self.limits.max_int_bits:
            self.fail("Слишком большое число для преобразования в целое")

    def _check_text(self, value: Any) -> None:
        if isinstance(value, _CONTAINERS):
            limit = self.limits.max_text_items
            if self.deep_size(value, limit) > limit:
                self.fail(f"Слишком большая коллекция для преобразования в текст (предел {limit})")

    def _check_patterns(self, args: tuple) -> None:
        limit = self.limits.max_pattern
        if any(isinstance(arg, str) and len(arg) > limit for arg in args):
            self.fail(f"Слишком длинный шаблон даты (предел {limit} символов)")

    def _check_str_method(self, text: str, name: str | None, args: tuple) -> tuple:
        if name in _PADDING and args and isinstance(args[0], int):
            self.check_length(args[0])
            self.charge(max(args[0], 0))
        elif name == "replace" and len(args) >= 2:
            self._check_replace(text, *args[:3])
        elif name == "join" and args:
            items = args[0] if isinstance(args[0], (list, tuple)) else list(args[0])
            joined = sum(len(item) for item in items if isinstance(item, str))
            self.check_length(joined + len(text) * max(len(items) - 1, 0))
            return (items, *args[1:])
        return args

    def _check_replace(self, text: str, old: Any, new: Any, count: Any = -1) -> None:
        if not (isinstance(old, str) and isinstance(new, str) and isinstance(count, int)):
            return
        found = len(text) + 1 if old == "" else text.count(old)
        if count >= 0:
            found = min(found, count)
        self.check_length(len(text) + found * (len(new) - len(old)))

    def _charge_inserted(self, owner: Any, name: str | None, args: tuple, kwargs: dict) -> tuple:
        if name in ("extend", "update"):
            args = tuple(map(elements, args))
            self.check_length(len(owner) + sum(len(arg) for arg in args))
            if isinstance(owner, dict):
                self.check_added(owner, *map(pair_keys, args))
        elif name in _ONE_KEY and args and not isinstance(owner, list):
            self.note_key(args[0])
        for value in (*args, *kwargs.values()):
            self.charge_deep(value)
        return args

    # Operators ----------------------------------------------------------------------------

    def op(self, code: str, left: Any, right: Any) -> Any:
        self.step()
        left, right = self.check_set_operation(code, left, right)
        self._check_operation(code, left, right)
        return _OPERATIONS[code](left, right)

    def aug(self, code: str, left: Any, right: Any) -> Any:
        """Check ``left op= right`` before Python performs it; returns the right operand."""
        self.step()
        right = self.check_set_operation(code, left, right, in_place=True)[1]
        if code == "+" and type(left) is list:
            # In place, like extend(): only the added elements are new.
            right = right if hasattr(right, "__len__") else list(right)
            self.check_length(len(left) + len(right))
            self.charge_deep(right)
            return right
        if code == "+" and type(left) is str and type(right) is str and _unshared(left):
            # The old text is freed when the target is rebound: only the added part is new.
            self.check_length(len(left) + len(right))
            self.charge(len(right))
            return right
        self._check_operation(code, left, right)
        return right

    def _check_operation(self, code: str, left: Any, right: Any) -> None:
        if code == "%" and isinstance(left, str):
            raise SandboxError(PERCENT_REFUSED)
        if code == "**":
            self._check_power(left, right)
        elif code == "<<" and _is_int(left) and _is_int(right):
            self._check_bits(left.bit_length() + right)
        elif code == "*":
            self._check_repeat(left, right)
        elif code == "+" and isinstance(left, _REPEATABLE) and isinstance(right, _REPEATABLE):
            length = len(left) + len(right)
            self.check_length(length)
            self.charge(length)

    def _check_bits(self, bits: float) -> None:
        if bits > self.limits.max_int_bits:
            self.fail(f"Слишком большое число: больше {self.limits.max_int_bits} бит")

    def _check_power(self, base: Any, exponent: Any) -> None:
        if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
            self._check_bits(exponent)  # |base| >= 2, and a huge exponent does not fit a float
            self._check_bits(exponent * math.log2(abs(base)))

    def _check_repeat(self, left: Any, right: Any) -> None:
        if _is_int(left) and _is_int(right):
            self._check_bits(left.bit_length() + right.bit_length())
            return
        if isinstance(left, _REPEATABLE) and _is_int(right):
            sequence, times = left, right
        elif isinstance(right, _REPEATABLE) and _is_int(left):
            sequence, times = right, left
        else:
            return
        if times <= 0:
            return
        self.check_length(len(sequence) * times)
        if isinstance(sequence, str):
            self.charge(len(sequence) * times)
        else:
            self.charge_deep(sequence, times)

    # Values -------------------------------------------------------------------------------

    def fmt(self, value: Any, conversion: int, spec: str) -> str:
        """One f-string field: ``f"{value!conversion:spec}"``."""
        self.step()
        self._check_text(value)
        if conversion in _CONVERSIONS:
            try:
                value = _CONVERSIONS[conversion](value)
            except ValueError as error:
                _refuse_long_int_text(error)
                raise
        if spec and isinstance(value, Decimal) and value.is_finite():
            exponent = value.as_tuple().exponent
            if abs(value.adjusted()) > _MAX_FORMAT_EXPONENT or -exponent > _MAX_FORMAT_EXPONENT:
                self.fail("Слишком большое или слишком точное число для форматирования")
        try:
            text = format(value, spec)
        except ValueError as error:
            _refuse_long_int_text(error)
            raise
        self.charge(len(text))
        return text

    def new(self, container: Any) -> Any:
        """A list, tuple, set or dict display has just been built."""
        self.step()
        self.charge_deep(container)
        if type(container) in (set, dict):  # as long as its source text: checked, not held
            self.check_keys(list(container))
        return container

    def item(self, value: Any) -> Any:
        """A value about to be stored into a collection."""
        self.step()
        self.charge_deep(value)
        return value

    def star(self, value: Any) -> Any:
        """The operand of ``*x`` or ``**x`` in a call or a display."""
        self.step()
        if not hasattr(value, "__len__"):
            value = list(value)
        self.check_length(len(value))
        self.charge_deep(value)
        return value


def _refuse_long_int_text(error: ValueError) -> None:
    """Python's refusal to turn an int of thousands of digits into text (or back), said in
    Russian; any other ValueError is left to the caller to re-raise."""
    if "integer string conversion" in str(error):
        limit = sys.get_int_max_str_digits()
        raise SandboxLimitError(
            f"Слишком длинное целое число для перевода в текст или из текста (предел {limit} цифр)"
        ) from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _unshared(value: Any) -> bool:
    """True when only the augmented target refers to ``value`` (CPython reference counts).

    Called from ``aug``, a value held by a single variable or slot has five references: that
    slot, the interpreter's copy for the in-place operation, the arguments of ``aug`` and of
    this function, and getrefcount's own. CPython's in-place string concatenation relies on the
    same kind of count. Any other holder adds one, and the whole result is then charged.
    """
    return sys.getrefcount(value) <= _UNSHARED_REFERENCES
