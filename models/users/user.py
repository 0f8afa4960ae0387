"""Employees who log in, and their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Boolean, Enum, String
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

MIN_PASSWORD_LENGTH = 4


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=32))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Flask-Login protocol, written out so models need no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

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
