"""The left sidebar: each area adds its entries under a group with the roles that see them; a
role is shown only the groups it has entries in (UI.md, «Navigation and landing»)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from models.users.user import Role

# The groups in the order the sidebar shows them; an area adds its entries to one of these.
GROUPS = (
    "Продажи",
    "Клиенты",
    "Ипотека",
    "Договоры",
    "Юристы",
    "Финансы",
    "Маркетинг",
    "Отчёты",
    "Процессы",
    "Администрирование",
)


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]
    group: str


_ITEMS: list[NavItem] = []


def add(label: str, endpoint: str, roles, group: str) -> None:
    if group not in GROUPS:
        raise ValueError(f"Unknown navigation group {group!r}; one of {', '.join(GROUPS)}")
    _ITEMS.append(NavItem(label, endpoint, frozenset(Role(r) for r in roles), group))


def nav_groups() -> list[dict]:
    """[{label, items: [{label, url, active}]}] for the current user, empty groups left out."""
    if not current_user.is_authenticated:
        return []
    shown = [item for item in _ITEMS if current_user.role in item.roles]
    groups = []
    for group in GROUPS:
        items = [_entry(item) for item in shown if item.group == group]
        if items:
            groups.append({"label": group, "items": items})
    return groups


def _entry(item: NavItem) -> dict:
    url = url_for(item.endpoint)
    return {"label": item.label, "url": url, "active": request.path.startswith(url)}


def register(app) -> None:
    app.jinja_env.globals["nav_groups"] = nav_groups
