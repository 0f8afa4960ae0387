"""`GET /api/v1/premises` (filtered, 50 a page) and `GET /api/v1/premises/<id>`."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from models.catalog.objects import Floor, Premise
from models.db.bounds import INT_MAX
from web.api import bp
from web.api.auth import api_key_required
from web.api.errors import ApiError, ValidationFailed
from web.catalog.filters import PremiseFilter
from web.extensions import db
from web.inputs import db_int

PAGE_SIZE = 50
# API name → PremiseFilter's name: the same filter as the chessboard and the premise list.
FILTER_PARAMS = {"status": "status", "type": "kind", "rooms": "rooms"} | {
    name: name for name in ("price_min", "price_max")
}
QUERY_PARAMS = {*FILTER_PARAMS, "building_id", "page"}
# Prices in a query: whole rubles or with kopecks after a dot, as the OpenAPI document says.
PRICE_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"


@bp.get("/premises")
@api_key_required
def premises():
    premise_filter, building_id, page = _query(request.args)
    query = select(Premise).where(*premise_filter.where())
    if building_id is not None:
        query = query.where(Premise.building_id == building_id)
    query = query.options(joinedload(Premise.floor).joinedload(Floor.section))
    found = db.paginate(query.order_by(Premise.id), page=page, per_page=PAGE_SIZE, error_out=False)
    return {"items": [premise_json(p) for p in found.items], "total": found.total}


@bp.get("/premises/<int:premise_id>")
@api_key_required
def premise(premise_id: int):
    found = db.session.get(Premise, premise_id)
    if found is None:
        raise ApiError(404, "not_found", "Помещение не найдено")
    return premise_json(found)


def premise_json(premise: Premise) -> dict:
    return {
        "id": premise.id,
        "number": premise.number,
        "building_id": premise.building_id,
        "section": premise.floor.section.number,
        "floor": premise.floor.number,
        "type": premise.kind.value,
        "rooms": premise.rooms,
        "area": decimal_text(premise.total_area),
        "price": decimal_text(premise.price),
        "price_per_m2": decimal_text(premise.price_per_m2),
        "status": premise.status.value,
    }


def decimal_text(value: Decimal) -> str:
    """Money and area as strings with two decimals: never a float on the wire."""
    return f"{Decimal(value):.2f}"


def _query(args: MultiDict) -> tuple[PremiseFilter, int | None, int]:
    errors = {name: "Неизвестный параметр" for name in args if name not in QUERY_PARAMS}
    for name in ("status", "type", "rooms"):  # the web's «all» choice is no value here
        if "" in args.getlist(name):
            errors[name] = "Неизвестное значение фильтра"
    for name in ("price_min", "price_max"):
        if any(not re.fullmatch(PRICE_PATTERN, v) for v in args.getlist(name)):
            errors[name] = "Ожидается сумма в рублях: 12500000 или 12500000.50"
    premise_filter = PremiseFilter.from_args(
        MultiDict([(FILTER_PARAMS[k], v) for k, v in args.items(multi=True) if k in FILTER_PARAMS])
    )
    api_names = {inner: outer for outer, inner in FILTER_PARAMS.items()}
    errors = {api_names[name]: text for name, text in premise_filter.errors.items()} | errors
    building_id = _positive_int(args, "building_id", errors)
    page = _positive_int(args, "page", errors) or 1
    if errors:
        raise ValidationFailed(errors, "Неверные параметры запроса")
    return premise_filter, building_id, page


def _positive_int(args: MultiDict, name: str, errors: dict) -> int | None:
    if name not in args:
        return None
    try:
        return db_int(args[name])
    except ValueError:
        errors[name] = f"Ожидается целое число от 1 до {INT_MAX}"
        return None
