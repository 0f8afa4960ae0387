"""The chessboard of a 1,000-premise building: server time of the page against a bare SELECT.

Runs on a fresh SQLite database in a temp dir, and also on PostgreSQL when BENCH_POSTGRES_URL
(or TEST_DATABASE_URL) names one; that database's schema `public` is dropped first.
Only prints; nothing here asserts a time.
"""

from __future__ import annotations

import random
import statistics
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from models.catalog.objects import (
    Building,
    Finishing,
    Premise,
    PremiseKind,
    PremiseStatus,
    Project,
)
from models.users.user import Role, User
from tests.benchmarks.support import databases, migrated_app
from web.extensions import db

FLOORS = 25
SECTIONS = 6
PREMISES = 1_000
WARM_UPS = 2
RUNS = 20
TARGET_MS = 100.0
TARGET_RATIO = 10.0

STATUS_WEIGHTS = {
    PremiseStatus.sold: 34,
    PremiseStatus.in_deal: 8,
    PremiseStatus.paid_reservation: 5,
    PremiseStatus.reserved: 9,
    PremiseStatus.available: 40,
    PremiseStatus.not_for_sale: 4,
}

BARE_SELECT = text(
    "SELECT p.id, p.number, p.kind, p.status, p.rooms, p.is_studio, p.total_area, p.price,"
    " f.number, f.section_id"
    " FROM premise p JOIN floor f ON f.id = p.floor_id"
    " WHERE p.building_id = :building_id"
)


def main() -> None:
    with databases("bench-chessboard") as (folder, found):
        for label, url in found:
            measure(label, url, folder)


def measure(label: str, url: str, folder: Path) -> None:
    app = migrated_app(url, folder / "uploads")
    with app.app_context():
        building_id, user_id = _generate(random.Random(2026))
        db.session.remove()

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        page_url = f"/buildings/{building_id}/chessboard"
        size = 0
        for _ in range(WARM_UPS):
            response = client.get(page_url)
            assert response.status_code == 200, response.status_code
            assert f"Подходит {PREMISES} из {PREMISES}" in response.text
            size = len(response.data)
        page_ms = _median_ms(lambda: client.get(page_url))

        def bare_query():
            with db.engine.connect() as connection:
                rows = connection.execute(BARE_SELECT, {"building_id": building_id}).all()
            assert len(rows) == PREMISES

        bare_query()
        bare_ms = _median_ms(bare_query)
        db.engine.dispose()

    ratio = page_ms / bare_ms if bare_ms else float("inf")
    print(
        f"{label}: building of {PREMISES} premises ({FLOORS} floors × {SECTIONS} sections), "
        f"HTML {size / 1024:.0f} KB"
    )
    print(f"  GET {page_url}: {page_ms:.1f} ms (median of {RUNS} after {WARM_UPS} warm-ups)")
    print(f"  bare SELECT of the same premises' columns: {bare_ms:.2f} ms (median of {RUNS})")
    print(f"  ratio page / bare query: {ratio:.1f}×")
    print(f"  target: page ≤ {TARGET_MS:.0f} ms and ≤ {TARGET_RATIO:.0f}× the bare query")
    print(f"    page ≤ {TARGET_MS:.0f} ms: {'met' if page_ms <= TARGET_MS else 'NOT met'}")
    print(
        f"    page ≤ {TARGET_RATIO:.0f}× bare query: "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}"
    )


def _median_ms(action) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _generate(rng: random.Random) -> tuple[int, int]:
    """One building of exactly PREMISES premises, mixed kinds and statuses; one manager."""
    user = User(email="bench@bench.local", role=Role.head_of_sales, full_name="Бенчмарк")
    user.set_password("bench")
    project = Project(name="Бенчмарк", city="Москва")
    building = Building(
        project=project,
        name="Корпус 1",
        address="г. Москва, ул. Тестовая, 1",
        floors_above=FLOORS,
        floors_below=0,
    )
    db.session.add_all([user, project, building])
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    places = [(s, f) for s in range(1, SECTIONS + 1) for f in range(1, FLOORS + 1)]
    extra = PREMISES - 6 * len(places)  # the first `extra` floors of sections get a 7th unit
    number = 0
    for index, (section_number, floor_number) in enumerate(places):
        floor = building.ensure_section(section_number).ensure_floor(floor_number)
        for position in range(7 if index < extra else 6):
            number += 1
            kind, rooms, studio = _layout(floor_number, position)
            area = Decimal(rng.randint(2300, 9500)) / 100 if rooms else Decimal("95.50")
            premise = Premise(
                building=building,
                number=str(number),
                kind=kind,
                rooms=rooms,
                is_studio=studio,
                total_area=area,
                price=(area * rng.randint(220_000, 330_000)).quantize(Decimal("1")),
                finishing=rng.choice(list(Finishing)),
                status=rng.choices(statuses, weights)[0],
            )
            floor.premises.append(premise)
    db.session.commit()
    assert number == PREMISES
    return building.id, user.id


def _layout(floor: int, position: int) -> tuple[PremiseKind, int, bool]:
    if floor == 1 and position < 3:
        return PremiseKind.commercial, 0, False
    kind = PremiseKind.apartments if floor > FLOORS - 2 else PremiseKind.apartment
    if position == 0:
        return kind, 1, True
    return kind, 1 + position % 4, False


if __name__ == "__main__":
    main()
