"""A try-run of a Camunda-style multi-instance diagram, its state stored between steps as the
page stores it: each bank gets its task in both rounds."""

from __future__ import annotations

import json

from engine.authoring import tryrun
from tests.factories.process import DATA

TWO_ROUNDS = (DATA / "outside" / "mi_camunda_two_rounds.bpmn").read_text("utf-8")


def stored(run: tryrun.TryRun) -> tryrun.TryRun:
    return tryrun.restore(json.loads(json.dumps(tryrun.dump(run))))


def test_two_multi_instance_rounds_over_the_same_element_variable_try_run_to_the_end():
    run = tryrun.start(TWO_ROUNDS, {"banks": ["sber", "vtb"]})
    for round_name in ("Отправить заявку в банк", "Внести решение банка"):
        tasks = run.user_tasks()
        assert [task.name for task in tasks] == [round_name, round_name]
        for task in tasks:
            run = stored(run)
            run.complete(task.guid, {"sentAt": "01.12.2026", "bankDecision": "да"})
            assert run.error is None, run.error
    assert run.finished
