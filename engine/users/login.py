"""Logging in and out: the password check behind the per-account and per-address lock, and the
end of a session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.settings.store import get_setting
from models.users.login_failures import (
    LoginLimits,
    check_can_try_login,
    forget_failures,
    login_key,
    record_failure,
)
from models.users.passwords import password_matches
from models.users.user import User


def login_limits(session: Session) -> LoginLimits:
    return LoginLimits(
        per_account=get_setting(session, "login.account_failures"),
        per_address=get_setting(session, "login.address_failures"),
        window=get_setting(session, "login.failure_window"),
    )


def remember_for(session: Session) -> timedelta:
    """How long a «Запомнить меня» cookie lives (the `login.remember_for` setting)."""
    return get_setting(session, "login.remember_for")


def authenticate(session: Session, email: str, password: str, address: str) -> User | None:
    """The active employee with this email and password, or None (the failure is counted).

    Raises `LoginLocked` (nothing written) while the email or the address has too many recent
    failures, whatever the password. Only flushes."""
    limits = login_limits(session)
    check_can_try_login(session, email, address, limits)
    user = session.scalar(select(User).where(func.lower(User.email) == login_key(email)))
    if not password_matches(user, password):
        record_failure(session, email, address, limits)
        return None
    forget_failures(session, email)
    return user


def log_out(user: User) -> None:
    """The session being closed ends, and with it every other session and remember-me cookie
    of this employee (a copy of the cookie taken before stops working too)."""
    user.end_sessions()
