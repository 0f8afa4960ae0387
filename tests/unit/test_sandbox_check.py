"""The sandbox's static check at its edges: each refusal says what and on which line, and the
limits of a format spec hold exactly at their boundary."""

from __future__ import annotations

import pytest

from engine.sandbox import DEFAULT_LIMITS, check
from engine.sandbox.check import ANNOTATIONS_REFUSED, ASYNC_REFUSED

WIDTH = DEFAULT_LIMITS.max_format_number
TOO_WIDE = f"Слишком большая ширина или точность в формате (предел {WIDTH})"


def problems(source: str, mode: str = "exec") -> list[tuple[str, int | None]]:
    return [(problem.message, problem.line) for problem in check(source, mode)]


@pytest.mark.parametrize(
    ("source", "mode", "expected"),
    [
        ("y = 1\ndef f(x: int):\n    return x", "exec", [(ANNOTATIONS_REFUSED, 2)]),
        ("y = 1\ndef f() -> int:\n    return 1", "exec", [(ANNOTATIONS_REFUSED, 2)]),
        ("y = 1\n@cache\ndef f():\n    return 1", "exec", [("Декораторы запрещены", 3)]),
        ("y = 1\ndef _f():\n    return 1", "exec", [("Запрещено обращение к имени «_f»", 2)]),
        ("[x async for x in y]", "eval", [(ASYNC_REFUSED, 1)]),
        (
            "'{}'.format(1)",
            "eval",
            [("Запрещено обращение к атрибуту «format» (используйте f-строки)", 1)],
        ),
        (
            "'{x}'.format_map(d)",
            "eval",
            [("Запрещено обращение к атрибуту «format_map» (используйте f-строки)", 1)],
        ),
        ("x.__class__", "eval", [("Запрещено обращение к атрибуту «__class__»", 1)]),
        ("f'{x:{spec}}'", "eval", [("Вычисляемая спецификация формата в f-строке запрещена", 1)]),
    ],
)
def test_each_refusal_names_the_rule_and_its_line(source, mode, expected):
    assert problems(source, mode) == expected


@pytest.mark.parametrize("spec", [f">{WIDTH}", f".{WIDTH}f", f"0{WIDTH},.2f"])
def test_a_format_width_or_precision_up_to_the_limit_is_allowed(spec):
    assert problems(f"f'{{x:{spec}}}'", "eval") == []


@pytest.mark.parametrize("spec", [f">{WIDTH + 1}", f".{WIDTH + 1}f", f"10.{WIDTH + 1}f"])
def test_a_format_width_or_precision_over_the_limit_is_refused(spec):
    assert problems(f"f'{{x:{spec}}}'", "eval") == [(TOO_WIDE, 1)]


def test_nesting_beyond_the_limit_is_refused_even_where_a_node_has_no_line():
    found = problems("-" * (DEFAULT_LIMITS.max_nesting + 20) + "x", "eval")
    assert found
    assert {message for message, _ in found} == {
        f"Слишком глубокая вложенность (предел {DEFAULT_LIMITS.max_nesting})"
    }
    assert None in {line for _, line in found}  # an operator node carries no line number
