"""The role guard: every view states who may see it."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from models.users.user import Role

ALL_ROLES = frozenset(Role)


def requires(*roles: Role | frozenset[Role]):
    """Login required, then one of `roles` (Role values or sets of them); else 403."""
    allowed: set[Role] = set()
    for role in roles:
        allowed |= set(role) if isinstance(role, frozenset) else {Role(role)}
    frozen = frozenset(allowed)

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if current_user.role not in frozen:
                abort(403)
            return view(*args, **kwargs)

        wrapped = login_required(guarded)
        wrapped.allowed_roles = frozen
        return wrapped

    return decorator


def public(view):
    """Marks a view that anonymous users may open (login page, health check)."""
    view.allowed_roles = None
    return view


def can(*roles: Role | str) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)
