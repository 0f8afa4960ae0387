"""CRM: the client's interaction history (события), planned contacts (задачи), the timeline.

The forms and the timeline live on the client card through `clients/_timeline.html`, which
calls the Jinja global `client_timeline`; the card view itself needs nothing from here.
"""

from flask import Blueprint

from models.crm.history import SALES_ROLES
from models.users.user import Role

bp = Blueprint("crm", __name__, url_prefix="/crm")

# Sales roles log contacts and plan tasks; analysts read the histories.
WRITERS = SALES_ROLES
READERS = SALES_ROLES | {Role.analyst}

from web.crm import task_views, timeline_globals, views  # noqa: E402, F401
