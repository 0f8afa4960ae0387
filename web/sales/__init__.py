"""Sales desk: reservations, the offline queue and the minimal client card."""

from flask import Blueprint

from models.user import Role
from web import navigation

bp = Blueprint("sales", __name__)

# Who makes reservations and queues; who reads them.
RESERVERS = frozenset({Role.admin, Role.head_of_sales, Role.sales_manager})
READERS = RESERVERS | {Role.mortgage_broker, Role.analyst}

navigation.add("Брони", "sales.reservations", READERS)
navigation.add("Клиенты", "sales.clients", READERS)

from web.sales import clients, queue, reservation_views, reserve  # noqa: E402, F401
