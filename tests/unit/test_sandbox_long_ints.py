"""Ints of thousands of digits: Python refuses to turn them into text (or text into them) past
4300 digits, in English. The sandbox says it in Russian, and a script cannot leave one in task
data, where the JSON writer would fail after the run, outside the sandbox (issue 14, finding 3:
the conversions of big numbers)."""

from __future__ import annotations

import sys

import pytest

from engine.sandbox import SandboxError, SandboxLimitError, evaluate, execute

DIGITS = sys.get_int_max_str_digits()
GROWN = "x = 2**9999\nfor i in range(5000):\n    x = x + x\n"  # 15,000 bits, past 4300 digits


@pytest.mark.parametrize(
    "script",
    [
        GROWN + "y = str(x)",
        GROWN + "y = f'{x}'",
        GROWN + "y = f'{x!r}'",
        GROWN + "y = str([x])",
        "y = int('9' * 5000)",
    ],
    ids=["str", "f-string", "repr", "in_a_list", "int_of_text"],
)
def test_int_text_conversions_past_the_limit_are_refused_in_russian(script):
    with pytest.raises(SandboxLimitError) as refused:
        execute(script, {})
    assert refused.value.message == (
        f"Слишком длинное целое число для перевода в текст или из текста (предел {DIGITS} цифр)"
    )


def test_a_script_cannot_leave_an_int_json_cannot_write():
    with pytest.raises(SandboxError, match="«x» — слишком длинное целое число"):
        execute(GROWN, {})


def test_other_value_errors_stay_as_they_were():
    with pytest.raises(ValueError, match="invalid literal"):
        evaluate("int('abc')")


def test_ints_within_the_limit_convert_and_are_kept():
    data = execute("x = 2**9999\ny = len(str(x))\nz = int('9' * 4000)", {})
    assert data["y"] == 3010
    assert data["x"] == 2**9999
    assert data["z"] == int("9" * 4000)
