"""Append-only audit history: who did what to which object (publishing a process, …)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, utcnow

AUDIT_LABELS = {
    "process.published": "Опубликована версия",
    "process.draft_created": "Создан черновик",
    "process.draft_saved": "Черновик сохранён",
    "process.draft_deleted": "Черновик удалён",
    "process.restored": "Версия восстановлена как черновик",
    "process.imported": "Загружен файл BPMN",
}


class AuditEvent(Base):
    """One recorded action. Rows are only ever inserted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user = relationship("User")

    @property
    def label(self) -> str:
        return AUDIT_LABELS.get(self.action, self.action)
