"""Guards against hash flooding: many different keys sharing one hash.

A set or a dict finds a key by its hash; keys with the same hash are compared one by one. CPython
hashes numbers (int, float, Decimal) modulo 2**61-1 and tuples by a fixed formula, so different
values with one hash are easy to make (``k * (2**61 - 1)`` for every k), and ``set(values)`` then
compares every new key with all the earlier ones: n²/2 comparisons inside one C call, out of
reach of the run's clock (100,000 such numbers held a worker for minutes). Text keys are safe:
their hash is salted per process.

So every operation that puts many keys into a set or a dict in one call (``set()``, ``dict()``,
``dict.fromkeys``, ``update``, ``union`` and the other set methods, ``| & ^ -``, set and dict
displays with ``*``/``**``, set and dict comprehensions) checks its keys first, in linear time;
keys put in one at a time (``d[k] = v``, ``s.add(k)``, ``setdefault``) are tracked over the run.
More than ``Limits.max_same_hash`` different keys with one hash are refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from itertools import chain, compress, repeat
from operator import is_, not_
from typing import Any

from engine.sandbox.base import SandboxError
from engine.sandbox.budget import VIEWS, Budget

_STEP_EVERY = 4096  # keys looked at between clock checks on the slow path
_HASH_MODULUS = (1 << 61) - 1  # distinct ints below it in size have distinct hashes
HASHED = (set, frozenset, dict, *VIEWS)
# Set methods taking other collections: each puts or looks up all their elements in one call.
SET_METHODS = frozenset(
    {
        "update", "union", "intersection", "difference", "symmetric_difference",
        "intersection_update", "difference_update", "symmetric_difference_update",
        "issubset", "issuperset", "isdisjoint",
    }
)  # fmt: skip
SET_OPERATORS = frozenset({"|", "&", "^", "-"})
ITERATOR_ON_THE_LEFT = (
    "Слева от |=, &=, ^=, -= должно быть множество или словарь, а не генератор: "
    "преобразуйте его через set() или list()"
)
PAIRS, MAPPING = 0, 1  # kinds of the parts of a dict display given to ``dict_of``


class HashGuards(Budget):
    """The part of a run's budget that bounds keys sharing one hash."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._one_at_a_time: dict[int, Any] = {}  # hash -> the first key, or a list of keys

    def check_keys(self, keys: Collection[Any]) -> None:
        """Refuse ``keys`` if more than ``max_same_hash`` different ones share a hash.

        Linear, in passes made in C with the clock checked between them. Only the keys of a
        crowded hash (duplicates, as a rule) that are neither text nor ints below 2**61-1 (those
        never share a hash with their own kind) are looked at one by one, each against at most
        ``max_same_hash`` distinct ones, until the first hash found too crowded.
        """
        limit = self.limits.max_same_hash
        if len(keys) <= limit or isinstance(keys, CHECKED) or _small_int_range(keys):
            return
        if self.tick(_text_and_small_ints(keys)):
            return
        try:
            hashes = self.tick(list(map(hash, keys)))
        except TypeError:
            return  # an unhashable key: the operation itself refuses it, in its own words
        if len(hashes) - self.tick(len(set(hashes))) < limit:
            return  # no hash can occur more than `limit` times
        counts = self.tick(Counter(hashes))
        if max(counts.values()) <= limit:
            return
        crowded = {code for code, count in counts.items() if count > limit}
        suspects = self.tick(list(compress(keys, map(crowded.__contains__, hashes))))
        distinct: dict[int, list[Any]] = {}
        for index, key in enumerate(_craftable(suspects)):
            if index % _STEP_EVERY == 0:
                self.step()
            self._add_distinct(distinct.setdefault(hash(key), []), key)

    def check_together(self, *collections: Collection[Any]) -> None:
        """``check_keys`` on the elements of all ``collections`` taken together."""
        if sum(map(len, collections)) > self.limits.max_same_hash:
            self.check_keys(list(chain.from_iterable(collections)))

    def check_added(self, owner: Collection[Any], *added: Collection[Any]) -> None:
        """Keys ``added`` to those of ``owner`` (a set or a dict, already checked): a few are
        counted one by one, so adding in a loop stays cheap; many are checked with the owner's.
        """
        if sum(map(len, added)) <= self.limits.max_same_hash:
            for key in chain.from_iterable(added):
                self.note_key(key)
        else:
            self.check_together(owner, *added)

    def check_set_operation(
        self, code: str, left: Any, right: Any, *, in_place: bool = False
    ) -> tuple[Any, Any]:
        """``a | b`` and the like on sets, dicts and dict views: keys of both checked. A view
        takes any iterable on either side: an iterator is read into a list first (one on the
        left of ``|=`` cannot be replaced, so it is refused)."""
        hashed = isinstance(left, HASHED) or isinstance(right, HASHED)
        if code not in SET_OPERATORS or not hashed:
            return left, right
        if not (hasattr(left, "__iter__") and hasattr(right, "__iter__")):
            return left, right  # a number on one side: Python refuses it
        if in_place and not hasattr(left, "__len__"):
            raise SandboxError(ITERATOR_ON_THE_LEFT)
        left, right = elements(left), elements(right)
        if isinstance(left, CHECKED):
            self.check_added(left, right)
        else:
            self.check_together(left, right)
        return left, right

    def set_of(self, display: bool, items: list[Any]) -> set[Any]:
        """A set display with ``*`` or a set comprehension, given as the list of its items."""
        self.step()
        self.check_keys(items)
        result = set(items)
        if display:
            self.charge_deep(result)
        return result

    def dict_of(self, display: bool, *parts: Any) -> dict[Any, Any]:
        """A dict display with ``**`` or a dict comprehension: ``(PAIRS, [(k, v), ...])`` and
        ``(MAPPING, m)`` parts in their order (the kinds and parts alternate)."""
        self.step()
        kinds, values = parts[::2], parts[1::2]
        for kind, value in zip(kinds, values, strict=True):
            if kind == MAPPING and not hasattr(value, "keys"):
                raise TypeError(f"'{type(value).__name__}' object is not a mapping")
        self.check_together(*map(pair_keys, values))
        result: dict[Any, Any] = {}
        for value in values:
            result.update(value)
        if display:
            self.charge_deep(result)
        return result

    def note_key(self, key: Any) -> Any:
        """A key stored on its own (``d[k] = v``, ``s.add(k)``): counted for the whole run."""
        kind = type(key)
        if kind is str or (kind is int and -_HASH_MODULUS < key < _HASH_MODULUS):
            return key  # salted, or its own hash: never more than two share one
        try:
            code = hash(key)
        except TypeError:
            return key
        seen = self._one_at_a_time.get(code, _NONE)
        if seen is _NONE:
            self._one_at_a_time[code] = key
        elif type(seen) is _Keys:
            self._add_distinct(seen, key)
        elif not (seen is key or seen == key):
            self._one_at_a_time[code] = _Keys((seen, key))
        return key

    def _add_distinct(self, keys: list[Any], key: Any) -> None:
        if key in keys:  # identity first, then ==, as a set compares
            return
        keys.append(key)
        if len(keys) > self.limits.max_same_hash:
            limit = self.limits.max_same_hash
            self.fail(
                f"Слишком много разных значений с одинаковым хеш-кодом (предел {limit}): "
                "множество или словарь из них строился бы слишком долго"
            )


class _Keys(list):
    """Distinct keys sharing one hash (a type of its own: a key may itself be a list)."""


_NONE: Any = object()
# Collections whose keys went through these guards already (or are text: task data's dicts).
CHECKED = (set, frozenset, dict, type({}.keys()))
_PLAIN = frozenset({str, int})


def _text_and_small_ints(keys: Collection[Any]) -> bool:
    """Only texts and ints below 2**61-1 in size: no two different ones can share a hash
    (but -1 and -2, and texts by a chance of 2**-64: their hash is salted)."""
    kinds = set(map(type, keys))
    if not kinds <= _PLAIN:
        return False
    ints = keys if kinds == {int} else list(compress(keys, map(is_, map(type, keys), repeat(int))))
    return not ints or max(map(abs, ints)) < _HASH_MODULUS


def _craftable(keys: list[Any]) -> Iterable[Any]:
    """The keys that may have been made to share a hash: not texts, not small ints. Filtered
    in C, and read lazily: the caller stops at the first crowded hash."""
    kinds = list(map(type, keys))
    ints = list(compress(keys, map(is_, kinds, repeat(int))))
    big = compress(ints, map(_HASH_MODULUS.__le__, map(abs, ints)))
    return chain(big, compress(keys, map(not_, map(_PLAIN.__contains__, kinds))))


def _small_int_range(keys: Any) -> bool:
    """A range of ints all below 2**61-1 in size: distinct ints there have distinct hashes."""
    return type(keys) is range and max(abs(keys.start), abs(keys.stop)) < _HASH_MODULUS


def elements(value: Any) -> Collection[Any]:
    """``value`` as a collection that can be read twice (an iterator is read into a list)."""
    return value if hasattr(value, "__len__") else list(value)


def pair_keys(value: Collection[Any]) -> Iterable[Any]:
    """The keys ``dict(value)`` or ``d.update(value)`` would store: a mapping's keys, or the
    first items of pairs (anything else is left for dict() to refuse)."""
    if hasattr(value, "keys"):
        return value.keys()
    return [item[0] for item in value if type(item) in (tuple, list) and len(item) == 2]
