"""Failed logins, counted per account and per address to stop password guessing.

A row per failed attempt, in the database, so every web worker (and every machine behind the
proxy) counts the same attempts in both run modes. An email that belongs to nobody is counted
like any other: the lock tells nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, utcnow
from models.db.errors import DomainError

KEEP_AT_LEAST = timedelta(days=1)  # older rows are removed as new ones come,
PURGE_BATCH = 100  # at most this many with each new one


class LoginLocked(DomainError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, window: timedelta):
        minutes = max(1, round(window.total_seconds() / 60))
        super().__init__(
            "Слишком много неудачных попыток входа. Вход временно закрыт: попробуйте "
            f"снова через {minutes} мин."
        )


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
        Index("ix_login_failure_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email: Mapped[str] = mapped_column(String(254))  # as typed, lower-cased, cut to 254
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address


@dataclass(frozen=True)
class LoginLimits:
    """At most `per_account` failures for one email and `per_address` from one address within
    `window`; once reached, logins for that email (from that address) wait until the oldest of
    them is older than `window`."""

    per_account: int
    per_address: int
    window: timedelta


def login_key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def can_try_login(session: Session, email: str, address: str, limits: LoginLimits) -> bool:
    since = utcnow() - limits.window
    account = _failures(session, LoginFailure.email == login_key(email), since)
    if account >= limits.per_account:
        return False
    return _failures(session, LoginFailure.address == address[:64], since) < limits.per_address


def check_can_try_login(session: Session, email: str, address: str, limits: LoginLimits) -> None:
    """Raise `LoginLocked` while this email or this address has too many recent failures;
    the right password is refused too, until the window has passed."""
    if not can_try_login(session, email, address, limits):
        raise LoginLocked(limits.window)


def record_failure(session: Session, email: str, address: str, limits: LoginLimits) -> None:
    now = utcnow()
    session.add(LoginFailure(at=now, email=login_key(email), address=address[:64]))
    _forget_old(session, now - max(limits.window, KEEP_AT_LEAST))
    session.flush()


def forget_failures(session: Session, email: str) -> None:
    """After a successful login this email's failures are forgotten; the failures at other
    emails from the same address still count (one's own account resets no guesses at others).
    A login with nothing to forget writes nothing (in the embedded mode it then need not wait
    for SQLite's write lock)."""
    mine = LoginFailure.email == login_key(email)
    if session.scalar(select(LoginFailure.id).where(mine).limit(1)) is not None:
        session.execute(delete(LoginFailure).where(mine))


def _forget_old(session: Session, before: datetime) -> None:
    """Remove a batch of rows older than `before`; rows another login holds are skipped, so
    logins failing at the same moment never wait for (or deadlock on) each other's clean-up."""
    old = select(LoginFailure.id).where(LoginFailure.at < before).limit(PURGE_BATCH)
    if session.get_bind().dialect.name == "postgresql":
        old = old.with_for_update(skip_locked=True)
    ids = session.scalars(old).all()
    if ids:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))


def _failures(session: Session, which, since: datetime) -> int:
    query = select(func.count()).select_from(LoginFailure).where(which, LoginFailure.at > since)
    return session.scalar(query) or 0
