"""Reading the CRM forms: dates and times as people type them, in the office's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.crm.history import InteractionError
from models.db.bounds import DATE_MESSAGE, date_in_range
from web.formatting import DEFAULT_TZ

FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y")
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def parse_moment(text: str | None, field: str, tz: str = DEFAULT_TZ) -> datetime | None:
    """`2026-12-01T10:30` or `01.12.2026 10:30` (local time) → aware UTC; '' → None."""
    raw = (text or "").strip()
    if not raw:
        return None
    for pattern in FORMATS:
        try:
            moment = datetime.strptime(raw, pattern).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
        if not date_in_range(moment):  # the year 1 in Moscow is before datetime.min in UTC
            raise InteractionError(DATE_MESSAGE, field=field)
        return moment
    raise InteractionError("Введите дату и время: дд.мм.гггг чч:мм", field=field)


def local_input(moment: datetime, tz: str = DEFAULT_TZ) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime(INPUT_FORMAT)


def tomorrow_morning(now: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """The usual due time of a new task: tomorrow at 10:00 local time."""
    local = now.astimezone(ZoneInfo(tz)) + timedelta(days=1)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


def form_values(form) -> dict[str, str]:
    return {key: value for key, value in form.items() if key != "csrf_token"}
