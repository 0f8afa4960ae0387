"""Hash flooding: different values sharing one hash make a set or a dict quadratic in one C call.

Issue 14, finding 3: `M=2**61-1; L=[k*M for k in range(100000)]; s=set(L)` passed the check and
held a worker for minutes, since every k*M hashes to 0 and `set()` runs between two clock checks.
Every way to put many keys into a set or a dict at once now checks them first, and keys put in
one at a time are counted over the run: more than `max_same_hash` different keys with one hash
are refused with a Russian message, long before the time budget, whatever the value types.
Ordinary data (repeated values, -1 and -2 which share a hash, big sets of distinct numbers)
keeps working and gives the same results as plain Python.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from engine.sandbox import (
    DEFAULT_LIMITS,
    SandboxError,
    SandboxLimitError,
    budget,
    check,
    evaluate,
    execute,
)

FLOODED = "одинаковым хеш-кодом"
N = 2000  # small enough for the unguarded sandbox to finish quickly (so the tests fail there)
LIMIT = DEFAULT_LIMITS.max_same_hash

# Scripts that make N different values sharing one hash, as `values`.
SAME_HASH = {
    "ints": "M = 2**61 - 1\nvalues = [k * M for k in range(N)]",
    "negative_ints": "M = 2**61 - 1\nvalues = [-k * M - 5 for k in range(N)]",
    "decimals": "M = Decimal(2**61 - 1)\nvalues = [Decimal(k) * M for k in range(N)]",
    "decimal_fractions": (
        'step = Decimal("230584300.9213693951")\nvalues = [step * k for k in range(N)]'
    ),
    "tuples": "M = 2**61 - 1\nvalues = [(k * M, 'x') for k in range(N)]",
    "mixed": (
        "M = 2**61 - 1\n"
        "values = [k * M + 1 for k in range(N // 3)]\n"
        "values += [Decimal(k * M + 1) for k in range(N // 3, 2 * N // 3)]\n"
        "values += [float(2 ** (61 * t)) for t in range(-16, 16)]\n"
        "values += [(k * M, 1.0) for k in range(N // 3)]"
    ),
}

# Every way of putting `values` into a set or a dict.
BUILDS = {
    "set_call": "s = set(values)",
    "set_of_iterator": "s = set(v for v in values)",
    "dict_call": "d = dict(zip(values, values))",
    "dict_of_pairs": "d = dict([(v, 1) for v in values])",
    "fromkeys": "d = dict.fromkeys(values, 0)",
    "fromkeys_on_instance": "d = {}.fromkeys(values)",
    "set_display": "s = {0, *values}",
    "set_comprehension": "s = {v for v in values}",
    "dict_comprehension": "d = {v: 1 for v in values}",
    "dict_display": (
        "p = [dict.fromkeys(values[i:i + 8]) for i in range(0, 24, 8)]\n"
        "e = {**p[0], 'a': 1, **p[1], **p[2]}"
    ),
    "set_update": "s = set()\ns.update(values)",
    "set_union": "s = set().union(values)",
    "set_union_unbound": "s = set.union(set(), values)",
    "set_isdisjoint": "r = {1}.isdisjoint(values)",
    "set_operator": (
        "parts = [set(values[i:i + 8]) for i in range(0, len(values), 8)]\n"
        "s = set()\nfor p in parts:\n    s = s | p"
    ),
    "set_in_place_operator": (
        "parts = [set(values[i:i + 8]) for i in range(0, len(values), 8)]\n"
        "s = set()\nfor p in parts:\n    s |= p"
    ),
    "keys_view_operator": "d = {'a': 1}\ns = d.keys() | values",
    "dict_update": "d = {}\nd.update(zip(values, values))",
    "dict_merge_operator": (
        "parts = [dict.fromkeys(values[i:i + 8]) for i in range(0, len(values), 8)]\n"
        "d = {}\nfor p in parts:\n    d = d | p"
    ),
    "one_by_one_add": "s = set()\nfor v in values:\n    s.add(v)",
    "one_by_one_item": "d = {}\nfor v in values:\n    d[v] = 1",
    "one_by_one_setdefault": "d = {}\nfor v in values:\n    d.setdefault(v, 1)",
    "one_by_one_in_comprehension": "d = {}\nr = [d.update({v: 1}) for v in values]",
}


def run_script(script: str) -> dict:
    data = {"N": N}
    execute(script, data)
    return data


@pytest.mark.parametrize("kind", sorted(SAME_HASH))
def test_values_sharing_one_hash_are_refused_in_a_set_whatever_their_type(kind):
    with pytest.raises(SandboxLimitError, match=FLOODED):
        run_script(SAME_HASH[kind] + "\ns = set(values)")


@pytest.mark.parametrize("way", sorted(BUILDS))
def test_values_sharing_one_hash_are_refused_whichever_way_they_are_stored(way):
    with pytest.raises(SandboxLimitError, match=FLOODED):
        run_script(SAME_HASH["ints"] + "\n" + BUILDS[way])


def test_the_scripts_pass_the_static_check_so_the_refusal_is_at_run_time():
    for script in [*SAME_HASH.values(), *BUILDS.values()]:
        assert check(script, "exec") == []


def test_the_attack_of_the_issue_is_refused_within_its_budget(monkeypatch):
    """100,000 values: without the guard one `set()` call took minutes. The budget's clock here
    moves a microsecond per reading, so the run "lasts" as many steps as it makes whatever the
    machine: it is refused by the hash guard with the clock still inside the half second."""
    readings = itertools.count(start=1000.0, step=0.000_001)
    monkeypatch.setattr(budget, "clock", lambda: next(readings))
    script = "M=2**61-1\nL=[k*M for k in range(100000)]\ns=set(L)"
    with pytest.raises(SandboxLimitError) as refused:
        execute(script, {})
    assert FLOODED in refused.value.message
    assert next(readings) < 1000.0 + DEFAULT_LIMITS.seconds


def test_an_expression_flooding_a_set_is_refused_too():
    with pytest.raises(SandboxLimitError, match=FLOODED):
        evaluate("len({k * (2**61 - 1) for k in range(n)})", {"n": N})


def test_as_many_values_sharing_a_hash_as_the_limit_are_accepted():
    script = (
        "M = 2**61 - 1\n"
        "values = [k * M for k in range(1, N + 1)]\n"
        "s = set(values)\n"
        "d = dict.fromkeys(values)\n"
        "n = len(s) + len(d)"
    )
    data = {"N": LIMIT}
    execute(script, data)
    assert data["n"] == 2 * LIMIT

    data = {"N": LIMIT + 1}
    with pytest.raises(SandboxLimitError, match=FLOODED):
        execute(script, data)


def test_repeated_values_are_not_mistaken_for_a_flood():
    data = {"statuses": ["new", "paid", "new", "cancelled"] * 5000}
    script = (
        "kinds = sorted(set(statuses))\n"
        "counts = {}\n"
        "for s in statuses[:2000]:\n"
        "    counts[s] = counts.get(s, 0) + 1\n"
        "same = len(set([-1, -2] * 10000))\n"  # hash(-1) == hash(-2) in CPython
        "big = len(set(range(0, 700000, 7)))\n"
        "pairs = len(dict.fromkeys((k % 1000, k % 7) for k in range(5000)))"
    )
    execute(script, data)
    assert data["kinds"] == ["cancelled", "new", "paid"]
    assert data["counts"] == {"new": 1000, "paid": 500, "cancelled": 500}
    assert (data["same"], data["big"], data["pairs"]) == (2, 100_000, 5000)


def test_sets_and_dicts_built_by_the_sandbox_equal_what_python_builds():
    script = (
        "a = sorted({*xs, 99, *ys})\n"
        "b = {k: v for k, v in zip(xs, ys) if k}\n"
        "c = {'first': 1, **b, 'last': 2, **{'first': 3}}\n"
        "e = sorted({x % 3 for x in xs})\n"
        "f = sorted(set(xs) | set(ys))\n"
        "g = sorted(set(xs) - set(ys))\n"
        "h = sorted(set(xs) & set(ys))\n"
        "i = sorted(set(xs) ^ set(ys))\n"
        "j = sorted({'a': 1, 'b': 2}.keys() - ['a'])\n"
        "k = {'a': 1} | {'b': 2}\n"
        "m = 10 - 3 - 2.5\n"
        "n = 6 | 3\n"
        "o = xs[:]\n"
        "o[0] = 'changed'\n"
    )
    xs, ys = [0, 1, 2, 3, 4, 5], [4, 5, 6, 7, 8, 9]
    data = execute(script, {"xs": xs, "ys": ys})
    assert data["a"] == sorted({*xs, 99, *ys})
    assert data["b"] == {1: 5, 2: 6, 3: 7, 4: 8, 5: 9}
    assert data["c"] == {"first": 3, 1: 5, 2: 6, 3: 7, 4: 8, 5: 9, "last": 2}
    assert list(data["c"]) == ["first", 1, 2, 3, 4, 5, "last"]
    assert data["e"] == [0, 1, 2]
    assert data["f"] == sorted(set(xs) | set(ys))
    assert data["g"] == [0, 1, 2, 3]
    assert data["h"] == [4, 5]
    assert data["i"] == [0, 1, 2, 3, 6, 7, 8, 9]
    assert data["j"] == ["b"]
    assert data["k"] == {"a": 1, "b": 2}
    assert (data["m"], data["n"]) == (4.5, 7)
    assert data["o"][0] == "changed"


def test_a_dict_display_unpacking_a_list_is_refused_as_python_refuses_it():
    with pytest.raises(TypeError, match="not a mapping"):
        evaluate("{**xs}", {"xs": [(1, 2)]})


def test_decimal_money_arithmetic_is_not_bounded_by_the_guard():
    script = (
        "rate = Decimal('0.0725') / 12\n"
        "payment = Decimal('8500000') * rate / (1 - (1 + rate) ** -240)\n"
        "amounts = {money(payment * k) for k in range(1, 500)}\n"
        "n = len(amounts)"
    )
    data = execute(script, {})
    assert data["n"] == 499
    assert Decimal(data["payment"]) > Decimal("67000")


def test_a_list_on_the_left_of_a_keys_view_is_checked_too():
    with pytest.raises(SandboxLimitError, match=FLOODED):
        run_script(SAME_HASH["ints"] + "\ns = values - {'a': 1}.keys()")


def test_adding_a_few_keys_in_a_loop_does_not_rescan_the_whole_set():
    script = (
        "s = set(range(50000))\n"
        "d = dict.fromkeys(range(50000))\n"
        "for k in range(50000, 52000):\n"
        "    s |= {k}\n"
        "    s.update([k + 100000])\n"
        "    d.update({k: 1})\n"
        "n = (len(s), len(d))"
    )
    data = execute(script, {})
    assert data["n"] == [54000, 52000]


def test_an_iterator_on_either_side_of_a_keys_view_is_read_and_checked():
    with pytest.raises(SandboxLimitError, match=FLOODED):
        run_script(SAME_HASH["ints"] + "\ns = (v for v in values) | {'a': 1}.keys()")
    data = execute("s = sorted((v for v in [3, 1]) | {2: 0}.keys())", {})
    assert data["s"] == [1, 2, 3]


def test_an_iterator_left_of_an_in_place_set_operator_is_refused_in_russian():
    with pytest.raises(SandboxError, match="не генератор"):
        execute("g = (v for v in [1, 2])\ng |= {'a': 1}.keys()", {})


def test_a_set_or_dict_display_written_out_key_by_key_is_checked_too():
    keys = ", ".join(f"M * {k}" for k in range(1, 20))
    with pytest.raises(SandboxLimitError, match=FLOODED):
        execute(f"M = 2**61 - 1\ns = {{{keys}}}", {})
    with pytest.raises(SandboxLimitError, match=FLOODED):
        execute(f"M = 2**61 - 1\nd = {{{keys.replace(',', ': 0,')}: 0}}", {})
