"""`flask processes check` over diagrams drawn in other tools: every accepted file says OK, every
refused one is explained in Russian at its element; never a traceback, never English."""

from __future__ import annotations

import re

import tests.process_support  # noqa: F401 - registers the test action the diagrams call
from tests.factories.process import DATA

OUTSIDE = DATA / "outside"
ACCEPTED = {
    "camel_case_form",
    "conditional_event",
    "loops",
    "mi_camunda_collection",
    "mi_camunda_two_rounds",
    "mi_parallel_call",
    "mi_parallel_service_cardinality",
    "mi_parallel_user",
    "mi_sequential",
    "timers_unquoted",
}
ENGLISH = re.compile(r"\b(the|is|not|are|of|an?|must|found|Error|Exception|Traceback)\b", re.I)


def test_the_check_accepts_or_explains_every_outside_diagram_in_russian(app):
    files = sorted(OUTSIDE.glob("*.bpmn"))
    assert len(files) >= 18
    result = app.test_cli_runner().invoke(args=["processes", "check", *map(str, files)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    output = result.output
    assert "Traceback" not in output
    ok = {
        line.split(": ")[0].rpartition("/")[2][:-5]
        for line in output.splitlines()
        if line.endswith(": OK")
    }
    assert ok == ACCEPTED
    refused = [path.stem for path in files if path.stem not in ACCEPTED]
    for stem in refused:
        assert f"{stem}.bpmn: ошибок" in output
    problems = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    assert len(problems) >= len(refused)
    for problem in problems:
        said = re.sub(r"«[^»]*»", "", problem.partition(": ")[2])
        assert re.search("[а-яА-Я]", said), problem
        assert not ENGLISH.search(said), problem
