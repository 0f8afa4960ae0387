"""Construction objects: projects, buildings, premises, the chessboard, price lists."""

from flask import Blueprint

from models.catalog.kinds import FINISHING_LABELS, KIND_LABELS, STAGE_LABELS
from models.catalog.objects import STATUS_LABELS
from web import navigation
from web.security import ALL_ROLES

bp = Blueprint("catalog", __name__)

navigation.add("Объекты", "catalog.projects", ALL_ROLES, "Продажи")
navigation.add("Помещения", "catalog.premises", ALL_ROLES, "Продажи")


@bp.app_context_processor
def catalog_labels():
    return {
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "finishing_labels": FINISHING_LABELS,
        "stage_labels": STAGE_LABELS,
    }


from web.catalog import chessboard, objects, premises, price_requests, transfer  # noqa: E402, F401
