"""Durable state of the process engine: versioned models, instances, business keys, history,
drafts. The inbox index is `models.process.human_task`.

The engine (engine/) reads and writes these rows; nothing here knows SpiffWorkflow.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, enum_column, utcnow


class ProcessStatus(enum.StrEnum):
    running = "running"
    waiting = "waiting"
    completed = "completed"
    error = "error"
    cancelled = "cancelled"


PROCESS_STATUS_LABELS = {
    ProcessStatus.running: "Выполняется",
    ProcessStatus.waiting: "Ожидает",
    ProcessStatus.completed: "Завершён",
    ProcessStatus.error: "Ошибка",
    ProcessStatus.cancelled: "Отменён",
}


class ProcessModel(Base):
    """One published, immutable version of a BPMN process."""

    __tablename__ = "process_model"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # deferred: the engine builds a version's spec once per worker, found by sha256
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(500), default="")

    published_by = relationship("User")


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_process_status", "process_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("process_model.id"))
    process_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[ProcessStatus] = mapped_column(enum_column(ProcessStatus))
    serialized: Mapped[str] = mapped_column(Text, deferred=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    business_keys: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_task: Mapped[str | None] = mapped_column(String(100))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}

    model: Mapped[ProcessModel] = relationship()
    started_by = relationship("User")
    keys: Mapped[list[ProcessBusinessKey]] = relationship(
        back_populates="instance", cascade="all, delete-orphan"
    )
    events: Mapped[list[ProcessEvent]] = relationship(
        back_populates="instance", order_by="ProcessEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status in (ProcessStatus.running, ProcessStatus.waiting)

    @property
    def status_label(self) -> str:
        return PROCESS_STATUS_LABELS[self.status]


class ProcessBusinessKey(Base):
    """Index of the business objects an instance concerns: find the instance by premise, client…"""

    __tablename__ = "process_business_key"
    __table_args__ = (
        UniqueConstraint("instance_id", "name"),
        Index("ix_process_business_key_lookup", "name", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    name: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(String(100))

    instance: Mapped[ProcessInstance] = relationship(back_populates="keys")


class ProcessEventKind(enum.StrEnum):
    started = "started"
    task_completed = "task_completed"
    timer_fired = "timer_fired"
    message_received = "message_received"
    error = "error"
    bpmn_error = "bpmn_error"
    retried = "retried"
    cancelled = "cancelled"
    completed = "completed"
    claimed = "claimed"
    released = "released"
    reassigned = "reassigned"
    reminded = "reminded"
    escalated = "escalated"
    migrated = "migrated"


EVENT_LABELS = {
    ProcessEventKind.started: "Процесс запущен",
    ProcessEventKind.task_completed: "Задача выполнена",
    ProcessEventKind.timer_fired: "Сработал таймер",
    ProcessEventKind.message_received: "Получено сообщение",
    ProcessEventKind.error: "Ошибка",
    ProcessEventKind.bpmn_error: "Ошибка обработана процессом",
    ProcessEventKind.retried: "Повторный запуск",
    ProcessEventKind.cancelled: "Процесс отменён",
    ProcessEventKind.completed: "Процесс завершён",
    ProcessEventKind.claimed: "Задача взята в работу",
    ProcessEventKind.released: "Задача возвращена в очередь",
    ProcessEventKind.reassigned: "Задача переназначена",
    ProcessEventKind.reminded: "Напоминание о сроке",
    ProcessEventKind.escalated: "Срок истёк: задача передана руководителю",
    ProcessEventKind.migrated: "Процесс переведён на новую версию",
}


class ProcessEvent(Base):
    """Append-only history of an instance."""

    __tablename__ = "process_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[ProcessEventKind] = mapped_column(enum_column(ProcessEventKind))
    task_name: Mapped[str | None] = mapped_column(String(100))
    task_label: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instance: Mapped[ProcessInstance] = relationship(back_populates="events")
    user = relationship("User")

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.kind]


class ProcessDraft(Base):
    """A working copy of a process an analyst edits; saved with its problems, never run.

    Publishing turns it into the next ProcessModel and deletes it. Several drafts of one
    process may exist side by side.
    """

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    based_on_model_id: Mapped[int | None] = mapped_column(ForeignKey("process_model.id"))
    # [{"element_id", "element_name", "message"}] found by the last save
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    based_on: Mapped[ProcessModel | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
