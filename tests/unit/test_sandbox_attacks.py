"""Attack corpus: every way out of the sandbox we know of is refused with a clear message.

The first corpus is refused by the static check, so a diagram containing it is rejected when it
is saved, and again when something tries to run it anyway. The second corpus passes the check
and is stopped at run time by the limits, within the run's time budget.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.sandbox import (
    DEFAULT_LIMITS,
    SandboxError,
    SandboxLimitError,
    check,
    evaluate,
    execute,
)

CYRILLIC = re.compile(r"[А-Яа-яЁё]{4}")


def run(source: str, mode: str, data: dict | None = None):
    data = {} if data is None else data
    if mode == "eval":
        return evaluate(source, data)
    return execute(source, data)


# (id, source, mode, fragment of the expected message)
ESCAPES = [
    ("subclasses", "().__class__.__base__.__subclasses__()", "eval", "«__class__»"),
    ("mro_walk", "[].__class__.__mro__[-1].__subclasses__()", "eval", "«__class__»"),
    ("dunder_import", "__import__('os').system('id')", "eval", "Импорт запрещён"),
    ("import", "import os", "exec", "Импорт запрещён"),
    ("import_from", "from os import system", "exec", "Импорт запрещён"),
    ("open", "open('/etc/passwd').read()", "eval", "«open» недоступна"),
    ("eval", "eval('1 + 1')", "eval", "«eval» запрещена"),
    ("exec", "exec('import os')", "eval", "«exec» запрещена"),
    ("compile", "compile('1', 'x', 'eval')", "eval", "«compile» запрещена"),
    ("getattr", "getattr((), '__class__')", "eval", "«getattr» запрещена"),
    ("setattr", "setattr(x, 'y', 1)", "exec", "«setattr» запрещена"),
    ("globals", "globals()", "eval", "«globals» запрещена"),
    ("locals", "locals()", "eval", "«locals» запрещена"),
    ("vars", "vars()", "eval", "«vars» запрещена"),
    ("type_call", "type(1)", "eval", "«type» недоступна"),
    ("builtins_name", "__builtins__['eval']('1')", "eval", "«__builtins__»"),
    ("format_class", "'{0.__class__}'.format(1)", "eval", "«format»"),
    ("format_map", "'{x.__class__}'.format_map({'x': 1})", "eval", "«format_map»"),
    ("str_format_unbound", "str.format('{0.__class__.__mro__}', 1)", "eval", "«format»"),
    ("fstring_dunder", "f'{().__class__.__base__}'", "eval", "«__class__»"),
    ("fstring_nested_spec", "f'{x:{spec}}'", "eval", "спецификация формата"),
    ("percent_format", "'%(a)s' % {'a': 1}", "eval", "через % запрещено"),
    ("generator_frame", "(x for x in [1]).gi_frame.f_back.f_globals", "eval", "«gi_frame»"),
    ("frame_globals", "frame.f_globals", "eval", "«f_globals»"),
    ("code_object", "fn.co_consts", "eval", "«co_consts»"),
    ("traceback_frame", "tb.tb_frame", "eval", "«tb_frame»"),
    ("coroutine_frame", "c.cr_frame", "eval", "«cr_frame»"),
    ("lambda_globals", "(lambda: 0).__globals__", "eval", "«__globals__»"),
    ("lambda_code", "(lambda: 0).__code__.co_consts", "eval", "«__code__»"),
    ("lambda_defaults", "(lambda x=1: x).__defaults__", "eval", "«__defaults__»"),
    ("lambda_closure", "(lambda: y).__closure__[0].cell_contents", "eval", "«__closure__»"),
    ("lambda_default_escape", "(lambda c=().__class__: c)()", "eval", "«__class__»"),
    ("mro_method", "int.mro()", "eval", "«mro»"),
    ("private_name", "_secret", "eval", "«_secret»"),
    ("private_assign", "_x = 1", "exec", "«_x»"),
    ("dict_attr", "math.__dict__", "eval", "«__dict__»"),
    ("class_def", "class A:\n    pass", "exec", "class"),
    (
        "try_except",
        "try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__",
        "exec",
        "try",
    ),
    ("raise", "raise SystemExit", "exec", "raise"),
    ("with_open", "with open('x') as f:\n    pass", "exec", "with"),
    ("yield", "def g():\n    yield 1", "exec", "yield"),
    ("async", "async def f():\n    pass", "exec", "async"),
    ("global", "def f():\n    global x\n    x = 1", "exec", "global"),
    ("match_class", "match x:\n    case int(__class__=c):\n        pass", "exec", "match"),
    ("decorator", "@cache\ndef f():\n    return 1", "exec", "Декораторы"),
    ("attribute_store", "x.attr = 1", "exec", "Изменение атрибутов"),
    ("keyword_dunder", "dict(__class__=1)", "eval", "«__class__»"),
    ("argument_dunder", "(lambda __x: __x)(1)", "eval", "«__x»"),
    ("bytes_literal", "b'abc'", "eval", "Байтовые строки"),
    ("to_bytes_bomb", "(1).to_bytes(10**9, 'big')", "eval", "«to_bytes»"),
    ("decimal_from_float", "Decimal.from_float(0.1)", "eval", "«from_float»"),
    ("breakpoint", "breakpoint()", "eval", "«breakpoint»"),
    ("super", "super()", "eval", "«super»"),
    ("print", "print('x')", "eval", "«print» недоступна"),
    ("annotation", "x: int = 1", "exec", "Аннотации"),
    ("fullwidth_dunder", "().__ｃlass__", "eval", "«__class__»"),
]


def _ids(cases: list[tuple]) -> list[str]:
    return [case[0] for case in cases]


def test_the_escape_corpus_is_large_and_distinct():
    sources = {source for _, source, _, _ in ESCAPES}
    assert len(sources) == len(ESCAPES) >= 30


@pytest.mark.parametrize(("name", "source", "mode", "fragment"), ESCAPES, ids=_ids(ESCAPES))
def test_escape_is_refused_by_the_static_check(name, source, mode, fragment):
    problems = check(source, mode)

    assert problems, f"{name} passed the check"
    assert any(fragment in problem for problem in problems), problems
    assert all(CYRILLIC.search(problem.message) for problem in problems)
    assert problems[0].line is not None


@pytest.mark.parametrize(("name", "source", "mode", "fragment"), ESCAPES, ids=_ids(ESCAPES))
def test_escape_is_refused_when_run(name, source, mode, fragment):
    data = {"x": 1, "frame": 1, "fn": 1, "tb": 1, "c": 1, "spec": "", "cache": 1}

    with pytest.raises(SandboxError) as refused:
        run(source, mode, data)

    assert any(fragment in problem for problem in refused.value.problems)
    assert CYRILLIC.search(str(refused.value))


def test_an_escape_never_reaches_the_operating_system(tmp_path: Path):
    marker = tmp_path / "pwned"
    script = f"__import__('os').system('touch {marker}')"

    with pytest.raises(SandboxError, match="Импорт запрещён"):
        execute(script, {})

    assert not marker.exists()


def test_every_problem_of_a_script_is_reported_with_its_line():
    script = "a = 1\nimport os\nb = ().__class__\nc = eval('1')"

    problems = check(script, "exec")

    assert [(p.line, p.message) for p in problems] == [
        (2, "Импорт запрещён"),
        (3, "Запрещено обращение к атрибуту «__class__»"),
        (4, "Функция «eval» запрещена"),
    ]
    assert str(problems[0]) == "строка 2: Импорт запрещён"


# (id, source, mode, fragment): all pass the static check and are stopped at run time.
LIMITS = [
    ("while_true", "while True:\n    pass", "exec", "Превышено"),
    ("huge_power", "10**10**10", "eval", "Слишком большое число"),
    ("huge_string", "'a' * 10**10", "eval", "Слишком большой результат"),
    ("huge_list", "[0] * 10**10", "eval", "Слишком большой результат"),
    ("huge_range", "range(10**12)", "eval", "Слишком длинный range"),
    ("huge_range_loop", "for i in range(10**12):\n    pass", "exec", "Слишком длинный range"),
    ("huge_shift", "1 << 10**10", "eval", "Слишком большое число"),
    ("squaring", "x = 2**9000\ny = x * x", "exec", "Слишком большое число"),
    ("recursion", "def f():\n    return f()\nf()", "exec", "глубина вложенных вызовов"),
    ("y_combinator", "(lambda f: f(f))(lambda f: f(f))", "eval", "глубина вложенных вызовов"),
    ("nested_loops", "[1 for a in range(10**6) for b in range(10**6)]", "eval", "Превышено"),
    ("string_doubling", "s = 'ab'\nfor i in range(64):\n    s = s + s", "exec", "Слишком большой"),
    ("list_doubling", "l = [1]\nfor i in range(64):\n    l.extend(l)", "exec", "Слишком большой"),
    ("inplace_doubling", "l = [1]\nfor i in range(64):\n    l *= 2", "exec", "Слишком большой"),
    ("star_doubling", "l = [1]\nfor i in range(64):\n    l = [*l, *l]", "exec", "Превышен объём"),
    ("shared_tree", "a = [0]\nfor i in range(64):\n    a = [a, a]", "exec", "Превышен"),
    (
        "zip_tree",
        "a = [[0] * 1000]\nfor i in range(64):\n    a = list(zip(a, a))",
        "exec",
        "Превышен",
    ),
    (
        "aliased_growth",
        "s = 'x' * 990000\n" + "t1 = s\ns += 'y'\nt2 = s\ns += 'y'\n" * 3,
        "exec",
        "Превышен объём данных",
    ),  # fmt: skip
    ("repeat_shared", "x = [[0] * 100000] * 100", "exec", "Превышен объём данных"),
    ("fromkeys_shared", "d = dict.fromkeys(range(1000), [0] * 100000)", "exec", "Превышен"),
    (
        "replace_bomb",
        "s = 'x' * 1000\ns = s.replace('', s)\ns = s.replace('', s)",
        "exec",
        "Слишком большой результат",
    ),
    ("ljust_bomb", "'x'.ljust(10**10)", "eval", "Слишком большой результат"),
    ("join_bomb", "('-' * 1000).join(['a'] * 1001)", "eval", "Слишком большой результат"),
    ("key_bypass_int", "sorted([Decimal('1e999999')], key=int)", "eval", "Слишком большое число"),
    ("key_bypass_str", "sorted([[now()] * 100000] * 15, key=str)", "eval", "в текст"),
    ("decimal_to_int", "int(Decimal('1e999999'))", "eval", "Слишком большое число"),
    ("decimal_round", "round(Decimal('1e999999'))", "eval", "Слишком большое число"),
    ("decimal_floor", "math.floor(Decimal('1e999999'))", "eval", "Слишком большое число"),
    ("decimal_format", "f\"{Decimal('1e999999'):f}\"", "eval", "для форматирования"),
    ("decimal_digits", "Decimal('9' * 1000)", "eval", "Слишком длинное число"),
    ("round_digits", "round(1, -10**9)", "eval", "round()"),
    ("strftime_pattern", "now().strftime('%c' * 100000)", "eval", "Слишком длинный шаблон"),
    ("text_of_big_list", "str(list(range(10**6)))", "eval", "преобразования в текст"),
    ("sum_of_lists", "sum([[1]] * 1000, [])", "eval", "sum()"),
    ("percent_at_runtime", "pattern % 1", "eval", "через % запрещено"),
]


def test_the_limits_corpus_passes_the_static_check():
    for _, source, mode, _ in LIMITS:
        assert check(source, mode) == [], source


@pytest.mark.parametrize(("name", "source", "mode", "fragment"), LIMITS, ids=_ids(LIMITS))
def test_limit_stops_the_run_within_its_time_budget(budget_clock, name, source, mode, fragment):
    with pytest.raises(SandboxError) as refused:
        run(source, mode, {"pattern": "a%s"})

    # The budget's clock moves a millisecond per step: every run is refused by the time it has
    # used the default half second of its budget.
    assert next(budget_clock) <= 1000.0 + DEFAULT_LIMITS.seconds + 0.005
    assert fragment in str(refused.value)
    assert CYRILLIC.search(str(refused.value))


def test_size_and_time_limits_raise_the_limit_error():
    with pytest.raises(SandboxLimitError):
        evaluate("'a' * 10**10")
    with pytest.raises(SandboxLimitError):
        execute("while True:\n    pass", {})
