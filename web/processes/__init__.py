"""Processes: the catalogue of models, the editor's server side and the monitor of instances."""

from flask import Blueprint

from models.users.user import Role
from web import navigation

bp = Blueprint("processes", __name__, url_prefix="/processes")

navigation.add("Процессы", "processes.catalogue", list(Role), "Процессы")

import web.processes.migration  # noqa: E402, F401
import web.processes.tryrun  # noqa: E402, F401
from web.processes import catalog, drafts, monitor  # noqa: E402, F401
