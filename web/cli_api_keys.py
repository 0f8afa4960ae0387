"""`flask --app web api-keys create|list|revoke`: keys of the online store's API."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from models.db.base import utcnow
from models.users.api_key import ApiKey
from web import edge
from web.extensions import db

api_keys_cli = click.Group("api-keys", help="Ключи API интернет-магазина")


@api_keys_cli.command("create")
@click.argument("name")
@edge.committed
def create(name: str) -> None:
    """Выдать ключ NAME; ключ показывается один раз, хранится только его хеш."""
    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("имя — от 1 до 100 символов", param_hint="NAME")
    if _find(name) is not None:
        raise click.ClickException(f"ключ «{name}» уже есть (отозванный тоже занимает имя)")
    key, raw = ApiKey.issue(name)
    db.session.add(key)
    click.echo(f"Ключ «{name}» создан. Сохраните его сейчас: больше он показан не будет.")
    click.echo(raw)


@api_keys_cli.command("list")
def list_keys() -> None:
    """Имя, начало ключа, когда создан, когда последний раз использован, действует ли."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.name)):
        state = "действует" if key.is_active else f"отозван {_when(key.revoked_at)}"
        click.echo(
            f"{key.name}\t{key.prefix}…\tсоздан {_when(key.created_at)}\t"
            f"использован {_when(key.last_used_at)}\t{state}"
        )


@api_keys_cli.command("revoke")
@click.argument("name")
@edge.committed
def revoke(name: str) -> None:
    """Отозвать ключ NAME: запросы с ним получают 401."""
    key = _find(name.strip())
    if key is None:
        raise click.ClickException(f"ключа «{name}» нет")
    if not key.is_active:
        raise click.ClickException(f"ключ «{name}» уже отозван")
    key.revoked_at = utcnow()
    click.echo(f"Ключ «{name}» отозван")


def _find(name: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.name == name))


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "никогда"


def register(app) -> None:
    app.cli.add_command(api_keys_cli)
