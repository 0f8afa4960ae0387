"""The task inbox: my tasks, my roles' tasks, overdue; claim, release, reassign, complete."""

from flask import Blueprint

from web import navigation
from web.security import ALL_ROLES

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

navigation.add("Входящие", "inbox.index", ALL_ROLES, "Процессы")

from web.inbox import files, notifications, tasks, views  # noqa: E402, F401
