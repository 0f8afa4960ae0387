"""Business settings (reservation terms, limits, windows) kept in the database.

`DEFINITIONS` says which keys exist, their type, default and Russian label. The `setting` table
holds global values (`project_id` NULL) and per-project overrides. `get_setting` reads the typed
value (project override → global value → default); `set_setting` / `reset_setting` validate and
only flush. Parsing and display of values live in `models.setting_values`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, or_, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.catalog.objects import Project
from models.db import shared_cache, txcache
from models.db.base import Base, UTCDateTime, utcnow
from models.settings.values import (
    InvalidSettingValue,
    SettingAdminOnly,
    SettingDefinition,
    SettingError,
    SettingIsGlobalOnly,
    SettingType,
    UnknownProject,
    UnknownSetting,
    display_value,
    parse_value,
)

__all__ = [
    "DEFINITIONS",
    "InvalidSettingValue",
    "Setting",
    "SOURCE_LABELS",
    "SettingAdminOnly",
    "SettingDefinition",
    "SettingError",
    "SettingIsGlobalOnly",
    "SettingState",
    "SettingType",
    "UnknownProject",
    "UnknownSetting",
    "all_settings",
    "definition_of",
    "display_value",
    "get_setting",
    "reset_setting",
    "set_setting",
]

log = logging.getLogger(__name__)


def _define(*definitions: SettingDefinition) -> dict[str, SettingDefinition]:
    return {d.key: d for d in definitions}


DEFINITIONS: dict[str, SettingDefinition] = _define(
    SettingDefinition(
        key="reservation.term.online",
        type=SettingType.duration,
        default="P1D",
        label="Срок онлайн-брони",
        description="Сколько держится бронь, оформленная онлайн (сайт, партнёры).",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.term.offline",
        type=SettingType.duration,
        default="P3D",
        label="Срок брони в офисе",
        description="Сколько держится бронь, оформленная менеджером в офисе продаж.",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.term.paid",
        type=SettingType.duration,
        default="P14D",
        label="Срок платной брони",
        description="Сколько держится бронь после оплаты её стоимости.",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.max_term",
        type=SettingType.duration,
        default="P30D",
        label="Максимальный срок брони",
        description="Продление брони дальше этого срока — только с согласованием.",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.approved_max_term",
        type=SettingType.duration,
        default="P90D",
        label="Предельный срок брони с согласованием",
        description="Дальше этого срока от начала брони её не продлевает и руководитель.",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.paid_fee",
        type=SettingType.money,
        default="50000.00",
        label="Стоимость платной брони",
        description="Сумма в рублях, которую клиент вносит за платную бронь.",
        per_project=True,
    ),
    SettingDefinition(
        key="reservation.max_per_client",
        type=SettingType.integer,
        default="2",
        label="Лимит броней на клиента",
        description="Сколько действующих броней может быть у одного клиента одновременно "
        "во всех проектах.",
        minimum=1,
    ),
    SettingDefinition(
        key="reservation.reminder_before",
        type=SettingType.duration,
        default="PT12H",
        label="Напоминание до конца брони",
        description="За сколько до окончания брони напомнить менеджеру.",
    ),
    SettingDefinition(
        key="queue.acceptance_window",
        type=SettingType.duration,
        default="P1D",
        label="Окно ответа очереди",
        description="Сколько времени у следующего в очереди клиента, чтобы принять "
        "освободившееся помещение.",
    ),
    SettingDefinition(
        key="catalog.import_max_rows",
        type=SettingType.integer,
        default="20000",
        label="Лимит строк в прайс-листе",
        description="Сколько строк с помещениями может быть в одном загружаемом прайс-листе "
        "(на всех листах книги вместе). Файл больше отклоняется сразу, до проверки строк.",
        minimum=1,
    ),
    SettingDefinition(
        key="crm.task_reminder_before",
        type=SettingType.duration,
        default="PT1H",
        label="Напоминание о задаче CRM",
        description="За сколько до срока задачи с клиентом напомнить её исполнителю.",
    ),
    SettingDefinition(
        key="login.account_failures",
        type=SettingType.integer,
        default="10",
        label="Неудачных входов до блокировки учётной записи",
        description="После стольких неверных паролей к одной эл. почте за окно подсчёта вход "
        "с ней закрывается (и с верным паролем), пока окно не пройдёт.",
        minimum=3,
        admin_only=True,
    ),
    SettingDefinition(
        key="login.address_failures",
        type=SettingType.integer,
        default="50",
        label="Неудачных входов до блокировки адреса",
        description="После стольких неудачных входов с одного IP-адреса за окно подсчёта вход "
        "с него закрывается для всех эл. почт, пока окно не пройдёт.",
        minimum=5,
        admin_only=True,
    ),
    SettingDefinition(
        key="login.failure_window",
        type=SettingType.duration,
        default="PT15M",
        label="Окно подсчёта неудачных входов",
        description="За какое время считаются неудачные входы; блокировка снимается, когда "
        "самая старая из них выходит за это окно.",
        admin_only=True,
    ),
    SettingDefinition(
        key="login.remember_for",
        type=SettingType.duration,
        default="P14D",
        label="Срок «Запомнить меня»",
        description="Сколько браузер помнит сотрудника, отметившего «Запомнить меня» при входе. "
        "Выход из системы и смена пароля завершают сессию раньше.",
        admin_only=True,
    ),
)

SOURCE_LABELS = {"default": "по умолчанию", "global": "общее", "project": "проект"}


class Setting(Base):
    """A global value (project_id NULL) or a project's override of one setting."""

    __tablename__ = "setting"
    __table_args__ = (
        # NULL project_id values are distinct here, so the global value has its own index.
        UniqueConstraint("key", "project_id", name="uq_setting_key_project"),
        Index(
            "uq_setting_key_global",
            "key",
            unique=True,
            sqlite_where=text("project_id IS NULL"),
            postgresql_where=text("project_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    project = relationship(Project)
    updated_by = relationship("User")


# ------------------------------------------------------------ reading and writing
@dataclass(frozen=True)
class SettingState:
    """One key as the admin page and the CLI show it, for the global scope or a project."""

    definition: SettingDefinition
    global_row: Setting | None
    project_row: Setting | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def source(self) -> str:
        """`project`, `global` or `default`: where the effective value comes from."""
        for name, row in (("project", self.project_row), ("global", self.global_row)):
            if row is not None and _readable(self.definition, row):
                return name
        return "default"

    @property
    def effective_row(self) -> Setting | None:
        return {"project": self.project_row, "global": self.global_row}.get(self.source)

    @property
    def stored(self) -> str:
        row = self.effective_row
        return row.value if row is not None else self.definition.default

    @property
    def value(self) -> Any:
        return parse_value(self.definition, self.stored)[0]

    @property
    def display(self) -> str:
        return display_value(self.definition, self.stored)

    @property
    def default_display(self) -> str:
        return display_value(self.definition, self.definition.default)

    def display_of(self, row: Setting | None) -> str | None:
        """A stored row for people; one that no longer parses is shown as it is, marked."""
        if row is None:
            return None
        if not _readable(self.definition, row):
            return f"{row.value} (не распознано, действует следующее)"
        return display_value(self.definition, row.value)


def definition_of(key: str) -> SettingDefinition:
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise UnknownSetting(f"Неизвестная настройка «{key}»") from None


def get_setting(session: Session, key: str, project_id: int | None = None) -> Any:
    """Typed value: timedelta, int, Decimal, bool or str. A project id given for a global-only
    key is ignored (the global value applies to every project)."""
    definition = definition_of(key)
    scope = project_id if definition.per_project else None
    return shared_cache.remember(
        session, "settings", (key, scope), lambda: _state(session, definition, scope).value
    )


def all_settings(session: Session, project_id: int | None = None) -> list[SettingState]:
    _check_project(session, project_id)
    return [_state(session, d, project_id) for d in DEFINITIONS.values()]


def set_setting(
    session: Session,
    key: str,
    raw_value: Any,
    project_id: int | None = None,
    user_id: int | None = None,
    role: str | None = None,
) -> Setting:
    """Validate and store a global value or a project override; raises a SettingError.
    `role`: the changing employee's (None from the command line)."""
    definition = _writable(session, key, project_id, role)
    _, canonical = parse_value(definition, raw_value)
    row = _row(session, key, project_id)
    if row is None:
        row = Setting(key=key, project_id=project_id)
        session.add(row)
    row.value, row.updated_at, row.updated_by_id = canonical, utcnow(), user_id
    session.flush()
    _forget(session)
    return row


def reset_setting(
    session: Session, key: str, project_id: int | None = None, role: str | None = None
) -> bool:
    """Remove the global value (back to the default) or a project override; False if none."""
    _writable(session, key, project_id, role)
    row = _row(session, key, project_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    _forget(session)
    return True


def _writable(
    session: Session, key: str, project_id: int | None, role: str | None
) -> SettingDefinition:
    definition = definition_of(key)
    if not definition.can_be_changed_by(role):
        raise SettingAdminOnly(f"Эту настройку меняет только администратор: {definition.label}")
    if project_id is not None and not definition.per_project:
        raise SettingIsGlobalOnly(
            f"«{definition.label}» задаётся только для всех проектов сразу, не для одного ЖК"
        )
    _check_project(session, project_id)
    return definition


def _check_project(session: Session, project_id: int | None) -> None:
    if project_id is not None and session.get(Project, project_id) is None:
        raise UnknownProject(f"Проект (ЖК) с номером {project_id} не найден")


def _row(session: Session, key: str, project_id: int | None) -> Setting | None:
    scope = Setting.project_id.is_(None) if project_id is None else Setting.project_id == project_id
    return session.scalar(select(Setting).where(Setting.key == key, scope))


def _state(session: Session, definition: SettingDefinition, project_id: int | None):
    scope = project_id if definition.per_project else None
    rows = _scope_rows(session, scope)
    project_row = rows.get((definition.key, scope)) if scope is not None else None
    return SettingState(definition, rows.get((definition.key, None)), project_row)


def _scope_rows(session: Session, project_id: int | None) -> dict:
    """Every stored value of the global scope and of `project_id`, read once per transaction
    (a reservation reads half a dozen settings; one query serves them all)."""

    def read() -> dict:
        scope = Setting.project_id.is_(None)
        if project_id is not None:
            scope = or_(scope, Setting.project_id == project_id)
        return {(r.key, r.project_id): r for r in session.scalars(select(Setting).where(scope))}

    return txcache.remember(session, "settings", project_id, read)


def _forget(session: Session) -> None:
    txcache.forget(session, "settings")
    shared_cache.forget(session, "settings")


def _readable(definition: SettingDefinition, row: Setting) -> bool:
    try:
        parse_value(definition, row.value)
    except SettingError:
        log.warning("setting %s (project %s) holds an unreadable value", row.key, row.project_id)
        return False
    return True
