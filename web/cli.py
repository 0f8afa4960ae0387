"""Command-line verbs: `flask --app web users create`, `flask --app web demo load`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from models.db.errors import DomainError
from models.users.passwords import WeakPassword, check_new_password
from models.users.user import Role, User
from web import edge
from web.extensions import db

users_cli = click.Group("users", help="Сотрудники")
demo_cli = click.Group("demo", help="Демонстрационные данные")


@users_cli.command("create")
@click.option("--email", required=True, help="Эл. почта (логин)")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="ФИО")
@click.password_option(prompt="Пароль", confirmation_prompt="Повторите пароль")
@edge.committed
def create_user(email: str, role: str, name: str, password: str) -> None:
    """Создать сотрудника; пароль спрашивается в терминале."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("адрес эл. почты указан неверно", param_hint="--email")
    try:
        check_new_password(password, email=email, full_name=name)
    except WeakPassword as error:
        raise click.BadParameter(error.message) from None
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise click.ClickException(f"сотрудник {email} уже есть")
    user = User(email=email, role=Role(role), full_name=name)
    user.set_password(password)
    db.session.add(user)
    click.echo(f"Создан сотрудник {email} с ролью {role}")


@users_cli.command("list")
def list_users() -> None:
    for user in db.session.scalars(select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.role.value}\t{'активен' if user.is_active else 'нет'}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Только если в базе ещё нет ни одного ЖК")
@click.option("--seed", default=2026, help="Зерно генератора")
@edge.committed
def load_demo(if_empty: bool, seed: int) -> None:
    """Загрузить демонстрационный отдел продаж: ЖК, клиентов, брони, задачи и по одному
    сотруднику на роль."""
    from web.demo import DEMO_PROJECT, database_is_empty, demo_is_loaded, load

    if if_empty and not database_is_empty(db.session):
        click.echo("Демо-данные не нужны: в базе уже есть данные")
        return
    if demo_is_loaded(db.session):
        raise click.ClickException(f"Демо-данные уже загружены: ЖК «{DEMO_PROJECT}» есть в базе")
    try:
        summary = load(db.session, seed=seed)
    except DomainError as error:  # a setting of this database forbids a step of the demo
        raise click.ClickException(f"Демо-данные не загружены: {error.message}") from error
    click.echo(summary)


def register(app: Flask) -> None:
    from web import cli_api_keys, cli_engine, cli_settings

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    cli_engine.register(app)
    cli_settings.register(app)
    cli_api_keys.register(app)
