"""Employees who log in, and their roles."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Boolean, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.db.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    head_of_sales = "head_of_sales"
    sales_manager = "sales_manager"
    mortgage_broker = "mortgage_broker"
    lawyer = "lawyer"
    analyst = "analyst"
    marketer = "marketer"


ROLE_LABELS = {
    Role.admin: "Администратор",
    Role.head_of_sales: "Руководитель отдела продаж",
    Role.sales_manager: "Менеджер по продажам",
    Role.mortgage_broker: "Ипотечный брокер",
    Role.lawyer: "Юрист",
    Role.analyst: "Аналитик",
    Role.marketer: "Маркетолог",
}

# Who runs the sales department: approves, reassigns, reorders queues, merges cards.
MANAGEMENT = frozenset({Role.admin, Role.head_of_sales})


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sessions and remember-me cookies carry this number (`get_id`); raising it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Flask-Login protocol, written out so models need no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What a session and a remember-me cookie hold: `"<id>:<session version>"`."""
        return f"{self.id}:{self.session_version or 0}"

    def accepts_session(self, version: int) -> bool:
        """A session (or remember-me cookie) of this version still opens pages."""
        return self.is_active and version == (self.session_version or 0)

    def end_sessions(self) -> None:
        """Every session and remember-me cookie issued so far stops working, on every device."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def set_password(self, password: str) -> None:
        """Store the hash of a first password (no rule here: forms and the CLI check it with
        `models.users.passwords.check_new_password`; test factories use short ones)."""
        self.password_hash = generate_password_hash(password)

    def change_password(self, password: str) -> None:
        """A new password ends every session opened with the old one (a stolen cookie too)."""
        self.set_password(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_management(self) -> bool:
        """Runs the sales department (see MANAGEMENT)."""
        return self.role in MANAGEMENT

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}


INTERNAL_MAIL_SUFFIX = ".local"


def normalise_staff_email(text: str) -> str:
    """An employee's e-mail, checked and lower-cased; `ValueError` with a Russian message.

    A company's internal mail domain (`ivanov@company.local`, common with Active Directory)
    is an employee's real address, though the internet never delivers to it: it is checked
    by the same syntax rules as a public one. Clients' addresses stay public-only
    (models/clients/contacts.py)."""
    raw = (text or "").strip()
    local, _, domain = raw.rpartition("@")
    internal = domain.lower().endswith(INTERNAL_MAIL_SUFFIX) and len(domain) > 6
    probe = f"{local}@{domain[: -len(INTERNAL_MAIL_SUFFIX)]}.ru" if internal else raw
    try:
        validate_email(probe, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("Адрес эл. почты указан неверно") from None
    return raw.lower()


_LOGIN_ID = re.compile(r"(?P<id>[0-9]{1,18})(?::(?P<version>[0-9]{1,18}))?")


def parse_login_id(text: str) -> tuple[int, int] | None:
    """`"<id>:<session version>"` from a session or a remember-me cookie → (id, version).

    A bare `"<id>"` (sessions issued before versions existed) is version 0: it stops working as
    soon as the employee logs out or gets a new password. Anything else is no login."""
    match = _LOGIN_ID.fullmatch(text or "")
    if match is None:
        return None
    return int(match["id"]), int(match["version"] or 0)
