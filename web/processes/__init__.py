"""Processes: the catalogue of models and the monitor of running instances."""

from flask import Blueprint

from models.user import Role
from web import navigation

bp = Blueprint("processes", __name__, url_prefix="/processes")

navigation.add("Процессы", "processes.instances", [Role.admin, Role.analyst])

from web.processes import monitor  # noqa: E402, F401
