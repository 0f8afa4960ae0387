"""`flask --app web processes check` exits non-zero naming each problem's element."""

from __future__ import annotations

from pathlib import Path

PRICE_CHANGE = Path(__file__).parents[2] / "processes" / "price_change.bpmn"


def test_the_shipped_processes_pass(app):
    result = app.test_cli_runner().invoke(args=["processes", "check"])
    assert result.exit_code == 0, result.output
    assert "price_change.bpmn: OK" in result.output


def test_a_broken_file_fails_with_the_element_and_reason(app, tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text(
        PRICE_CHANGE.read_text("utf-8").replace('id="change_premise_price"', 'id="nope"'), "utf-8"
    )
    result = app.test_cli_runner().invoke(args=["processes", "check", str(broken)])
    assert result.exit_code == 1
    assert "change_price «Изменить цену»: Действие «nope» не зарегистрировано" in result.output


def test_load_publishes_version_one_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["processes", "load"])
    assert "price_change: опубликована версия 1" in first.output
    second = runner.invoke(args=["processes", "load"])
    assert "уже опубликованы" in second.output
