"""`flask --app web settings list|set|reset`: business settings from the command line."""

from __future__ import annotations

import sys

import click

from models.settings.store import (
    SOURCE_LABELS,
    SettingError,
    SettingState,
    all_settings,
    definition_of,
    display_value,
    reset_setting,
    set_setting,
)
from web import edge
from web.extensions import db

settings_cli = click.Group("settings", help="Настройки продаж: сроки броней, лимиты, окна")
project_option = click.option(
    "--project", "project_id", type=int, help="Номер проекта (ЖК); без него — общие значения"
)
# A value such as `-P1D` or `-1` must reach the validator, not be taken for an option.
RAW_ARGS = {"ignore_unknown_options": True}


@settings_cli.command("list")
@project_option
def list_settings(project_id: int | None) -> None:
    """Ключ, действующее значение и откуда оно: по умолчанию, общее или проекта."""
    try:
        states = all_settings(db.session, project_id)
    except SettingError as error:
        _fail(error)
    for state in states:
        click.echo(f"{state.key}\t{state.display}\t{_source(state)}")


@settings_cli.command("set", context_settings=RAW_ARGS)
@click.argument("key")
@click.argument("value")
@project_option
@edge.committed
def set_value(key: str, value: str, project_id: int | None) -> None:
    """Задать значение KEY (для всех проектов или, с --project, для одного)."""
    try:
        row = set_setting(db.session, key, value, project_id=project_id)
    except SettingError as error:
        _fail(error)
    click.echo(f"{key} = {display_value(definition_of(key), row.value)}{_scope(project_id)}")


@settings_cli.command("reset")
@click.argument("key")
@project_option
@edge.committed
def reset(key: str, project_id: int | None) -> None:
    """Убрать значение KEY: общее — вернуть умолчание, проекта — убрать переопределение."""
    try:
        removed = reset_setting(db.session, key, project_id=project_id)
    except SettingError as error:
        _fail(error)
    if removed:
        click.echo(f"{key}: значение{_scope(project_id)} убрано")
    else:
        click.echo(f"{key}: своего значения{_scope(project_id)} не было")


def _source(state: SettingState) -> str:
    label = SOURCE_LABELS[state.source]
    return f"{label} {state.project_row.project_id}" if state.source == "project" else label


def _scope(project_id: int | None) -> str:
    return f" (проект {project_id})" if project_id is not None else ""


def _fail(error: SettingError):  # edge.committed rolls the command's work back
    click.echo(f"Ошибка: {error.message}", err=True)
    sys.exit(1)


def register(app) -> None:
    app.cli.add_command(settings_cli)
