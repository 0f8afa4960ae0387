"""Notifications administration: the texts per event (admin) and the outbox (admin, head of
sales may look). `flask --app web outbox send` runs one send pass from the command line."""

from flask import Blueprint

from models.users.user import MANAGEMENT
from web import navigation

bp = Blueprint("notifications", __name__, url_prefix="/admin/notifications", cli_group="outbox")

navigation.add("Рассылка", "notifications.outbox", MANAGEMENT, "Администрирование")

from web.notifications import cli, outbox, templates  # noqa: E402, F401
