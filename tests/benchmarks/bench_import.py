"""Benchmark of the price-list import: a 5,000-row XLSX for a new project with two buildings.

    python -m tests.benchmarks.bench_import            # SQLite in a temporary folder
    DATABASE_URL=postgresql://... python -m tests.benchmarks.bench_import   # and PostgreSQL

Times (a) parsing and validation (the dry run) and (b) apply plus commit, then the dry run of
the same file again (5,000 unchanged rows). SQLite lives in a temporary folder; on PostgreSQL
the tables go to a throw-away schema that is dropped afterwards.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from random import Random

from openpyxl import Workbook
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.catalog.price_list import COLUMNS  # noqa: E402
from models.catalog.objects import Building, Premise, Project  # noqa: E402
from web import create_app  # noqa: E402
from web.config import Config  # noqa: E402
from web.extensions import db  # noqa: E402

ROWS = 5_000
BUILDINGS = ("Корпус 1", "Корпус 2")
SECTIONS, FLOORS = 5, 25  # 2 × 5 × 25 floors × 20 flats = 5,000


def price_list_xlsx(rows: int = ROWS, seed: int = 5000) -> bytes:
    """A price list as Excel saves it (a normal workbook, so with its <dimension> tag)."""
    random = Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Прайс-лист"
    sheet.append([c.header for c in COLUMNS if not c.export_only])
    per_floor = max(1, rows // (len(BUILDINGS) * SECTIONS * FLOORS))
    for index in range(rows):
        building = BUILDINGS[index % len(BUILDINGS)]
        place = index // len(BUILDINGS)
        section = place // (FLOORS * per_floor) + 1
        floor = place // per_floor % FLOORS + 1
        rooms = random.choice((0, 1, 1, 2, 2, 3, 4))
        total = Decimal(random.randint(2500, 11000)) / 100
        price = (total * random.randint(180_000, 320_000)).quantize(Decimal("0.01"))
        sheet.append(
            [
                building,
                section,
                floor,
                f"{section}{floor:02d}{place % per_floor + 1:02d}",
                "Квартира",
                max(rooms, 1),
                "да" if rooms == 0 else "нет",
                "нет",
                "нет",
                float(total),
                float((total * Decimal("0.55")).quantize(Decimal("0.01"))),
                float((total * Decimal("0.18")).quantize(Decimal("0.01"))),
                float(price),
                "Без отделки",
                "Свободно",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def run(database_url: str, data: bytes, label: str, engine_options: dict | None = None) -> None:
    from engine.catalog.price_list import premise_rows
    from engine.catalog.price_list_files import write_xlsx
    from engine.catalog.price_list_import import check

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options or {},
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        project = Project(name="ЖК «Бенчмарк»", city="Москва")
        db.session.add(project)
        db.session.commit()

        plan, dry_run = timed(lambda: check(db.session, project, data, "bench.xlsx"))
        if plan.problems:
            raise SystemExit(f"unexpected problems: {plan.problems[:5]}")
        _, apply = timed(lambda: (plan.apply(db.session, by_user_id=None), db.session.commit()))
        again, recheck = timed(lambda: check(db.session, project, data, "bench.xlsx"))
        exported, export = timed(
            lambda: write_xlsx(
                premise_rows(db.session, Building.project_id == project.id), project.name
            )
        )
        same, reimport = timed(lambda: check(db.session, project, exported, "export.xlsx"))
        stored = db.session.scalar(select(func.count()).select_from(Premise))
        db.session.remove()
        db.engine.dispose()

    print(f"{label}:")
    print(f"  (a) dry run: read + validate {plan.created} new rows   {dry_run:6.2f} s")
    print(f"  (b) apply + commit, {plan.created} premises created     {apply:6.2f} s")
    print(f"      dry run of the same file, {again.unchanged} unchanged   {recheck:6.2f} s")
    print(f"      export of {stored} premises to XLSX             {export:6.2f} s")
    print(f"      dry run of that export, {same.unchanged} unchanged     {reimport:6.2f} s")
    print("      (our write-only export has no <dimension> tag, so openpyxl reads it twice)")


def main() -> None:
    started = time.perf_counter()
    data = price_list_xlsx()
    print(
        f"Generated a {ROWS}-row XLSX ({len(data) / 1024:.0f} KiB) "
        f"in {time.perf_counter() - started:.2f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite", data, "SQLite")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        run_on_postgres(Config.normalise_database_url(os.environ["DATABASE_URL"]), data)


def run_on_postgres(url: str, data: bytes) -> None:
    """In a throw-away schema, so the tables already in that database are never touched."""
    schema = f"bench_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
        run(url, data, "PostgreSQL (DATABASE_URL)", options)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
