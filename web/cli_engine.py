"""`flask --app web processes check|load|list` and `flask --app web engine tick`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from sqlalchemy import select

from engine.bpmn import Problem, repository
from engine.bpmn.validation import check_file
from engine.core.tick import run_until_idle
from models.process.instance import ProcessModel
from web import edge, sqlite_locking
from web.extensions import db

log = logging.getLogger(__name__)
INTERNAL_ERROR = Problem(
    "",
    "",
    "Проверка файла прервалась из-за ошибки программы: сообщите разработчикам, "
    "подробности в журнале",
)
processes_cli = click.Group("processes", help="Бизнес-процессы (BPMN)")
engine_cli = click.Group("engine", help="Движок процессов")


@processes_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Проверить BPMN-файлы (по умолчанию все из processes/): XSD, сборка, действия, роли,
    формы, песочница выражений."""
    paths = list(files) or repository.shipped_files()
    failed = 0
    for path in paths:
        try:
            problems = check_file(path)
        except Exception:  # noqa: BLE001 - a defect of ours: logged, never a traceback here
            log.exception("processes check failed on %s", path)
            problems = [INTERNAL_ERROR]
        if problems:
            failed += 1
            click.echo(f"{path}: ошибок {len(problems)}", err=True)
            for problem in problems:
                click.echo(f"  {problem}", err=True)
        else:
            click.echo(f"{path}: OK")
    if failed:
        sys.exit(1)


@processes_cli.command("load")
@edge.committed
def load() -> None:
    """Опубликовать поставляемые процессы, у которых ещё нет ни одной версии."""
    published = repository.load_shipped(db.session)
    for model in published:
        click.echo(f"{model.process_id}: опубликована версия {model.version}")
    if not published:
        click.echo("Все поставляемые процессы уже опубликованы")


@processes_cli.command("list")
def list_models() -> None:
    for model in db.session.scalars(
        select(ProcessModel).order_by(ProcessModel.process_id, ProcessModel.version)
    ):
        click.echo(f"{model.process_id}\tv{model.version}\t{model.name}\t{model.sha256[:12]}")


@engine_cli.command("tick")
def tick() -> None:
    """Один проход: сработавшие таймеры, напоминания и эскалации сроков."""
    with sqlite_locking.writing():  # beside a running server: queue for SQLite's write lock
        result = run_until_idle(db.session)
    click.echo(
        f"таймеров: {result.timers}, напоминаний: {result.reminders}, "
        f"эскалаций: {result.escalations}, ошибок: {result.errors}"
    )


def register(app) -> None:
    app.cli.add_command(processes_cli)
    app.cli.add_command(engine_cli)
