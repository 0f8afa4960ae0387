"""The main menu: each area adds its entry with the roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_login import current_user

from models.users.user import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]


_ITEMS: list[NavItem] = []


def add(label: str, endpoint: str, roles) -> None:
    _ITEMS.append(NavItem(label, endpoint, frozenset(Role(r) for r in roles)))


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    return [
        {"label": item.label, "url": url_for(item.endpoint)}
        for item in _ITEMS
        if current_user.role in item.roles
    ]


def register(app) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
