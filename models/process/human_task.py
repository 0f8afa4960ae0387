"""The inbox index: a ready user task copied out of its workflow, and who may see, take, act on
or hand it over (the rule is written once: as a check on a row and as the inbox's SQL filter).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, and_, or_, text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, enum_column, utcnow
from models.db.errors import DomainError
from models.process.instance import ProcessInstance
from models.users.user import Role, User


class HumanTaskStatus(enum.StrEnum):
    open = "open"
    completed = "completed"
    cancelled = "cancelled"


class TaskNotAvailable(DomainError):
    """Not ready, not yours, or already done: the web answers 409."""

    code = "task_not_available"
    status = 409


OWN_REQUEST = "Своё согласование нельзя решить самому: его решает другой руководитель"


class HumanTask(Base):
    """A ready user task, copied out of the workflow so the inbox is a plain SQL query."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_role", "status", "role", "due_at"),
        Index("ix_human_task_open_assignee", "status", "assignee_id", "due_at"),
        Index("ix_human_task_instance", "instance_id", "status"),
        Index("ix_human_task_open_remind", "status", "remind_at"),
        # The inbox reads open tasks in this order and stops after a page: an index that
        # matches it serves every tab without sorting 100,000 rows.
        Index("ix_human_task_open_due", "status", text("(due_at IS NULL)"), "due_at", "id"),
        Index("ix_human_task_open_escalated", "status", "escalation_role", "escalated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    task_guid: Mapped[str] = mapped_column(String(36), unique=True)
    task_name: Mapped[str] = mapped_column(String(100))
    task_label: Mapped[str] = mapped_column(String(200), default="")
    process_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str | None] = mapped_column(Text)  # the task's `details` property, filled
    role: Mapped[Role] = mapped_column(enum_column(Role))
    escalation_role: Mapped[Role | None] = mapped_column(enum_column(Role))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[HumanTaskStatus] = mapped_column(
        enum_column(HumanTaskStatus), default=HumanTaskStatus.open
    )
    form: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    template: Mapped[str | None] = mapped_column(String(200))
    is_approval: Mapped[bool] = mapped_column(default=False)
    links: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    instance: Mapped[ProcessInstance] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])

    def roles(self) -> set[Role]:
        """Roles that see the task: the lane's role and, once escalated, the manager's."""
        roles = {self.role}
        if self.escalated_at is not None and self.escalation_role is not None:
            roles.add(self.escalation_role)
        return roles

    # Who may see, take, act on or hand over the task. `is_for` and `in_inbox_of` are written
    # once for both worlds: on a row they answer True/False, on the class they are the SQL
    # filter of the inbox lists.

    @property
    def is_open(self) -> bool:
        return self.status == HumanTaskStatus.open

    @hybrid_method
    def is_for(self, user: User):
        """Assigned to the user, in the user's lane, or escalated to the user's role."""
        return _any(
            self.assignee_id == user.id,
            self.role == user.role,
            _all(self.escalated_at != None, self.escalation_role == user.role),  # noqa: E711
        )

    @hybrid_method
    def in_inbox_of(self, user: User):
        """Listed in the user's inbox: open, and for them (an administrator's: every open one)."""
        return _all(
            self.status == HumanTaskStatus.open,
            _any(user.role == Role.admin, self.is_for(user)),
        )

    def can_see(self, user: User) -> bool:
        """Its page: management, whoever it is for, and whoever completed it."""
        return user.is_management or self.is_for(user) or self.completed_by_id == user.id

    def may_hold(self, user: User) -> bool:
        """Who may take it or be given it: its roles (see `roles`) and management."""
        return user.is_management or user.role in self.roles()

    def can_take(self, user: User) -> bool:
        return (
            self.is_open
            and self.may_hold(user)
            and self.assignee_id in (None, user.id)
            and not self.is_own_request(user)
        )

    def is_own_request(self, user: User) -> bool:
        """An approval the user asked for themselves (they started its process): somebody
        else decides it, never they (a head of sales' own request goes to the admin)."""
        return self.is_approval and self.instance.started_by_id == user.id

    def can_act(self, user: User) -> bool:
        """Complete it or decide: an administrator always; someone of its roles when it is
        theirs or nobody's yet; a head of sales of its roles even when someone else took it.
        Nobody decides their own request (`is_own_request`)."""
        if not self.is_open or self.is_own_request(user):
            return False
        if user.role == Role.admin:
            return True
        mine = self.assignee_id in (None, user.id) or user.is_management
        return user.role in self.roles() and mine

    def can_release(self, user: User) -> bool:
        """Back to the queue: by its assignee or by management."""
        return self.is_open and (self.assignee_id == user.id or user.is_management)

    def can_reassign(self, user: User) -> bool:
        """Hand it to a named employee: management only."""
        return self.is_open and user.is_management

    def claim(self, user: User) -> bool:
        """Take the task; False when it already was the user's (nothing changed)."""
        self._require_open()
        if not self.may_hold(user):
            raise TaskNotAvailable("Задачу этой роли взять нельзя")
        if self.is_own_request(user):
            raise TaskNotAvailable(OWN_REQUEST)
        if not self.can_take(user):
            raise TaskNotAvailable("Задачу уже взял другой сотрудник")
        if self.assignee_id == user.id:
            return False
        self.assignee_id = user.id
        return True

    def release(self, user: User) -> None:
        self._require_open()
        if not self.can_release(user):
            raise TaskNotAvailable("Вернуть в очередь может только исполнитель или руководитель")
        self.assignee_id = None

    def reassign(self, user: User, to_user: User) -> None:
        self._require_open()
        if not self.can_reassign(user):
            raise TaskNotAvailable("Переназначать задачи может руководитель отдела продаж")
        if not (to_user.is_active and self.may_hold(to_user)) or self.is_own_request(to_user):
            raise TaskNotAvailable(f"Сотруднику {to_user.display_name} эту задачу передать нельзя")
        self.assignee_id = to_user.id

    def require_actor(self, user: User) -> None:
        """Refuse, with the reason, a user who may not complete the task now."""
        self._require_open()
        if self.is_own_request(user):
            raise TaskNotAvailable(OWN_REQUEST)
        if not self.can_act(user):
            raise TaskNotAvailable("Это не ваша задача: её выполняет другой сотрудник или роль")

    def complete(self, user: User, now: datetime) -> None:
        self.require_actor(user)
        self.status = HumanTaskStatus.completed
        self.completed_at = now
        self.completed_by_id = user.id
        self.assignee_id = self.assignee_id or user.id

    def _require_open(self) -> None:
        if not self.is_open:
            raise TaskNotAvailable("Задача уже выполнена или отменена")


def _any(*terms):
    """`or` of plain booleans on a row, `OR` of SQL terms on the class."""
    if all(isinstance(term, bool) for term in terms):
        return any(terms)
    return or_(*terms)


def _all(*terms):
    """`and` of plain booleans on a row, `AND` of SQL terms on the class."""
    if all(isinstance(term, bool) for term in terms):
        return all(terms)
    return and_(*terms)
