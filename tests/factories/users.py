"""Users of the back office."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.users.user import Role, User

PASSWORD = "secret"


def user(
    session: Session, role: Role | str = Role.sales_manager, email: str | None = None, **fields
):
    """A user of `role` (email `<role>@test.local` unless given) whose password is `PASSWORD`."""
    role = Role(role)
    person = User(
        email=email or f"{role.value}@test.local",
        role=role,
        full_name=fields.pop("full_name", f"Тест {role.value}"),
        **fields,
    )
    person.set_password(PASSWORD)
    session.add(person)
    session.flush()
    return person
