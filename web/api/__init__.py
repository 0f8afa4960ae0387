"""REST API v1 for the online store: JSON only, API keys, idempotent POSTs, OpenAPI 3.1.

Authenticated by API key, not by a staff login, and exempt from CSRF (no cookies are used).
"""

from flask import Blueprint

from web.api import errors
from web.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
errors.register(bp)

from web.api import openapi, premises, reservations  # noqa: E402, F401
