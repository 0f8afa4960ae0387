"""The sandbox's static check at the edges the analyst meets: a text too long or too deep by one,
a text the parser cannot take, and the ordinary code next to each refusal that stays allowed."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from engine.sandbox import DEFAULT_LIMITS, check
from engine.sandbox.check import PERCENT_REFUSED, format_spec_text, parse_checked

TOO_COMPLEX = "Текст не удаётся разобрать: он слишком сложный или повреждён"


def limits(**changed):
    return dataclasses.replace(DEFAULT_LIMITS, **changed)


def problems(source, mode: str = "eval", **changed) -> list[tuple[str, int | None]]:
    return [(p.message, p.line) for p in check(source, mode, limits(**changed))]


def test_a_text_as_long_as_the_limit_is_checked_and_one_character_more_is_refused():
    assert problems("x + 10", max_source=6) == []
    assert problems("x + 100", max_source=6) == [
        ("Текст слишком длинный: 7 символов (предел 6)", None)
    ]


def test_something_other_than_text_is_refused_before_parsing():
    tree, found = parse_checked(42, "eval", DEFAULT_LIMITS)  # type: ignore[arg-type]
    assert (tree, [(p.message, p.line) for p in found]) == (
        None,
        [("Текст выражения должен быть строкой", None)],
    )


def test_an_expression_typed_with_spaces_and_a_line_break_around_it_is_accepted():
    assert problems("  amount > 100\n") == []
    tree, found = parse_checked("  amount > 100\n", "eval", DEFAULT_LIMITS)
    assert isinstance(tree, ast.Expression) and found == []


def test_a_script_keeps_its_indentation_as_written():
    assert problems("  x = 1", "exec") == [("Синтаксическая ошибка: unexpected indent", 1)]


def test_a_syntax_error_names_the_parser_s_reason_and_its_line():
    assert problems("x = 1\ny = (", "exec") == [("Синтаксическая ошибка: '(' was never closed", 2)]


@pytest.mark.parametrize("source", ["-" * 100_000 + "x", "not " * 100_000 + "x"])
def test_a_text_too_deep_for_the_parser_is_refused_without_a_traceback(source):
    assert problems(source, max_source=1_000_000) == [(TOO_COMPLEX, None)]


def test_nesting_exactly_at_the_limit_is_allowed_and_one_level_more_is_refused():
    # "-" * 8 + "x": the expression, eight minus signs, the name and its context: depth 10.
    assert problems("-" * 8 + "x", max_nesting=10) == []
    assert problems("-" * 9 + "x", max_nesting=10) == [
        ("Слишком глубокая вложенность (предел 10)", None)
    ]


def test_writing_or_deleting_an_attribute_is_refused_on_its_line():
    assert problems("x.y = 1\ndel x.z", "exec") == [
        ("Изменение атрибутов запрещено («y»)", 1),
        ("Изменение атрибутов запрещено («z»)", 2),
    ]


def test_a_keyword_argument_starting_with_an_underscore_is_refused_and_unpacking_is_not():
    assert problems("f(_a=1, **options)") == [("Запрещён именованный аргумент «_a»", 1)]
    assert problems("f(a=1, **options)") == []


@pytest.mark.parametrize(
    "source",
    [
        "name.upper()",
        "items[0](1)",
        "(lambda v: v)(2)",
        "'a' + 'b'",
        "x % 2",
        "10 % 3",
        "[1, 2] * 2",
    ],
)
def test_ordinary_calls_and_arithmetic_pass_the_check(source):
    assert problems(source) == []


@pytest.mark.parametrize("source", ["'%s' % x", "f'{x}%s' % y"])
def test_percent_formatting_of_a_text_is_refused(source):
    assert problems(source) == [(PERCENT_REFUSED, 1)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("_secret", "Запрещено обращение к имени «_secret»"),
        ("lambda _q: 1", "Запрещено обращение к имени «_q»"),
        ("__import__", "Импорт запрещён"),
        ("breakpoint", "Функция «breakpoint» запрещена"),
        ("dir(x)", "Функция «dir» недоступна в выражениях"),
        ("x.gi_frame", "Запрещено обращение к атрибуту «gi_frame»"),
        ("x.encode", "Запрещено обращение к атрибуту «encode»"),
    ],
)
def test_each_forbidden_name_call_or_attribute_is_named_in_the_refusal(source, message):
    assert problems(source) == [(message, 1)]


def test_a_forbidden_builtin_may_still_be_the_name_of_task_data():
    assert problems("type == 'flat' and id > 0") == []


def test_an_async_comprehension_is_refused_on_the_line_of_its_target():
    assert problems("y = 1\n[x\n async for x in y]", "exec") == [
        ("Асинхронный код (async/await) запрещён", 3)
    ]


def test_a_function_of_a_script_with_its_own_forbidden_name_is_refused():
    assert problems("def eval():\n    return 1", "exec") == [("Функция «eval» запрещена", 1)]


@pytest.mark.parametrize(
    ("source", "spec"),
    [("f'{x:>10}'", ">10"), ("f'{x:^20}'", "^20"), ("f'{x}'", ""), ("f'{x:,.2f}'", ",.2f")],
)
def test_the_format_spec_of_an_f_string_field_is_read_as_its_text(source, spec):
    tree = ast.parse(source, mode="eval")
    field = next(n for n in ast.walk(tree) if isinstance(n, ast.FormattedValue))
    assert format_spec_text(field) == spec
