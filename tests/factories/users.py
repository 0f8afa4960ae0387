"""Users of the back office, and the API keys of online stores."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.users.api_key import ApiKey
from models.users.user import Role, User

PASSWORD = "secret"


def user(
    session: Session,
    role: Role | str = Role.sales_manager,
    email: str | None = None,
    password: str = PASSWORD,
    **fields,
) -> User:
    """A user of `role` (email `<role>@test.local` unless given)."""
    role = Role(role)
    person = User(
        email=email or f"{role.value}@test.local",
        role=role,
        full_name=fields.pop("full_name", f"Тест {role.value}"),
        **fields,
    )
    person.set_password(password)
    session.add(person)
    session.flush()
    return person


def api_key(session: Session, name: str = "shop") -> tuple[ApiKey, str]:
    """A stored API key and the raw key its holder sends."""
    key, raw = ApiKey.issue(name)
    session.add(key)
    session.flush()
    return key, raw
