"""A premise held (reserved or under a paid reservation) with no live reservation process
behind it: what the periodic consistency check found, kept so that it is told once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime, utcnow


class HeldPremiseFinding(Base):
    """One premise the check found held without a live process, since `found_at`. The check
    deletes the row once the premise is consistent again."""

    __tablename__ = "held_premise_finding"

    premise_id: Mapped[int] = mapped_column(
        ForeignKey("premise.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
