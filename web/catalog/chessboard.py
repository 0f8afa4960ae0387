"""The chessboard (квартирограмма): sections as columns, floors as rows, top floor on top."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, render_template, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import func, select

from models.catalog.kinds import KIND_LABELS
from models.catalog.objects import (
    STATUS_LABELS,
    Building,
    Floor,
    Premise,
    PremiseKind,
    PremiseStatus,
    Section,
    price_per_m2,
)
from models.sales.queue import QueueEntry, QueueStatus
from web import formatting
from web.catalog import bp
from web.catalog.filters import ROOM_CHOICES, PremiseFilter
from web.extensions import db
from web.security import ALL_ROLES, requires

PPM_BUCKETS = 5


@dataclass(slots=True)
class Cell:
    id: int
    number: str
    kind: PremiseKind
    status: PremiseStatus
    rooms: int
    is_studio: bool
    area: Decimal
    price: Decimal
    ppm: Decimal
    matches: bool = True
    ppm_bucket: int = 0
    queue: int = 0

    @property
    def rooms_label(self) -> str:
        if self.kind == PremiseKind.parking:
            return "М/м"
        if self.kind == PremiseKind.storage:
            return "Кл"
        if self.kind == PremiseKind.commercial:
            return "Комм"
        if self.is_studio:
            return "Ст"
        return f"{self.rooms}к"

    @property
    def title(self) -> str:
        """The tooltip: everything a manager asks about the premise, in one line."""
        return (
            f"№ {self.number}, {KIND_LABELS[self.kind]}, {STATUS_LABELS[self.status]}, "
            f"{formatting.area(self.area)}, {formatting.money(self.price)}, "
            f"{formatting.money(self.ppm)}/м²"
        )

    @property
    def css(self) -> str:
        dim = "" if self.matches else " dim"
        return f"cell st-{self.status.value} ppm-{self.ppm_bucket}{dim}"


@dataclass
class Grid:
    sections: list[Section]
    floors: list[int]  # top floor first
    cells: dict[tuple[int, int], list[Cell]]  # (section id, floor number) → cells
    total: int
    matched: int
    ppm_edges: list[Decimal]


def build_grid(building: Building, premise_filter: PremiseFilter) -> Grid:
    rows = db.session.execute(
        select(
            Premise.id,
            Premise.number,
            Premise.kind,
            Premise.status,
            Premise.rooms,
            Premise.is_studio,
            Premise.total_area,
            Premise.price,
            Floor.number,
            Floor.section_id,
        )
        .join(Floor, Floor.id == Premise.floor_id)
        .where(Premise.building_id == building.id)
    ).all()
    queued = dict(
        db.session.execute(
            select(QueueEntry.premise_id, func.count())
            .join(Premise, Premise.id == QueueEntry.premise_id)
            .where(Premise.building_id == building.id, QueueEntry.status == QueueStatus.waiting)
            .group_by(QueueEntry.premise_id)
        ).all()
    )
    cells: dict[tuple[int, int], list[Cell]] = defaultdict(list)
    floors: set[int] = set()
    matched = 0
    all_cells: list[Cell] = []
    for pid, number, kind, status, rooms, studio, area, price, floor, section_id in rows:
        cell = Cell(
            pid, number, kind, status, rooms, studio, area, price, price_per_m2(price, area)
        )
        cell.matches = premise_filter.matches(status, kind, rooms, studio, price, area)
        matched += cell.matches
        cell.queue = queued.get(pid, 0)
        cells[(section_id, floor)].append(cell)
        floors.add(floor)
        all_cells.append(cell)
    for group in cells.values():
        group.sort(key=lambda c: _natural_key(c.number))
    edges = _ppm_edges([c.ppm for c in all_cells if c.kind != PremiseKind.parking])
    for cell in all_cells:
        cell.ppm_bucket = bisect_left(edges, cell.ppm)  # how many edges the cell is above
    floor_range = set(range(1, building.floors_above + 1)) | floors
    floor_range |= set(range(-building.floors_below, 0))
    return Grid(
        sections=list(building.sections),
        floors=sorted(floor_range, reverse=True),
        cells=cells,
        total=len(all_cells),
        matched=matched,
        ppm_edges=edges,
    )


def render_cells(cells: list[Cell], card_url: str) -> Markup:
    """The cells of one floor of one section. Written here rather than in the template: for a
    1,000-cell board Jinja's per-attribute lookups cost more than the query itself
    (tests/benchmarks/bench_chessboard.py). Every text is escaped."""
    parts = []
    for c in cells:
        queue = (
            f' <span class="q" title="В очереди: {c.queue}" data-testid="queue-count">'
            f"+{c.queue}</span>"
            if c.queue
            else ""
        )
        parts.append(
            f'<a class="{c.css}" href="{card_url}{c.id}" data-status="{c.status.value}" '
            f'title="{escape(c.title)}">\n<div class="n">{escape(c.number)} · {c.rooms_label}</div>'
            f"\n<div>{formatting.group_digits(c.area, 1)} м²</div>"
            f'\n<div class="p">{formatting.money_short(c.price)}{queue}</div>\n</a>'
        )
    return Markup("\n".join(parts))


def _ppm_edges(values: list[Decimal]) -> list[Decimal]:
    """Quantile edges splitting prices per m² into PPM_BUCKETS colour bands."""
    if not values:
        return []
    ordered = sorted(values)
    return [ordered[len(ordered) * i // PPM_BUCKETS] for i in range(1, PPM_BUCKETS)]


def _natural_key(number: str) -> tuple:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


@bp.route("/buildings/<int:building_id>/chessboard")
@requires(ALL_ROLES)
def chessboard(building_id: int):
    building = db.session.get(Building, building_id) or abort(404)
    premise_filter = PremiseFilter.from_args(request.args)
    colour = "ppm" if request.args.get("colour") == "ppm" else "status"
    grid = build_grid(building, premise_filter)
    # One url_for, not one per cell: a premise card is this prefix plus its id.
    card_url = url_for("catalog.premise", premise_id=0).removesuffix("0")
    return render_template(
        "catalog/chessboard.html",
        building=building,
        grid=grid,
        cells_html={key: render_cells(cells, card_url) for key, cells in grid.cells.items()},
        f=premise_filter,
        colour=colour,
        room_choices=ROOM_CHOICES,
        statuses=list(PremiseStatus),
        kinds=list(PremiseKind),
    )
