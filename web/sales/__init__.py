"""Sales desk: reservations and the offline queue (client cards: web/clients)."""

from flask import Blueprint

from models.users.user import Role
from web import navigation

bp = Blueprint("sales", __name__)

# Who makes reservations and queues; who reads them.
RESERVERS = frozenset({Role.admin, Role.head_of_sales, Role.sales_manager})
READERS = RESERVERS | {Role.mortgage_broker, Role.analyst}

navigation.add("Брони", "sales.reservations", READERS, "Продажи")

from web.sales import queue, reservation_views, reserve  # noqa: E402, F401
