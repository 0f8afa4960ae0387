"""Price-list import and export against a real database: round trips, updates, every bad input."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine.catalog.price_list import COLUMNS, premise_rows
from engine.catalog.price_list_files import write_csv, write_xlsx
from engine.catalog.price_list_import import check
from models.catalog.objects import (
    Building,
    Finishing,
    Premise,
    PremiseChange,
    PremiseKind,
    PremiseStatus,
    Section,
)
from models.db.errors import InvalidPremiseData

HEADER = [c.header for c in COLUMNS if not c.export_only]
KINDS = ["xlsx", "csv"]


def sheet(rows: list[list], kind: str, *, header: list[str] | None = None) -> tuple[bytes, str]:
    """A file as a user would make it: header row, then rows, cells as given."""
    table = [header or HEADER, *rows]
    if kind == "xlsx":
        workbook = Workbook()
        for row in table:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "prais.xlsx"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [["" if v is None else str(v) for v in row] for row in table]
    )
    return buffer.getvalue().encode("utf-8-sig"), "prais.csv"


def row(**given) -> list:
    """One data row in HEADER order; unspecified cells are a valid new flat."""
    values = {
        "building": "Корпус 1",
        "section": 1,
        "floor": 2,
        "number": "201",
        "kind": "Квартира",
        "rooms": 2,
        "is_studio": "нет",
        "is_euro_layout": "нет",
        "has_terrace": "нет",
        "total_area": "54,30",
        "living_area": "30,10",
        "kitchen_area": "10,00",
        "price": "9 800 000,00",
        "finishing": "Без отделки",
        "status": "Свободно",
        **given,
    }
    return [values[c.key] for c in COLUMNS if not c.export_only]


def counts(session) -> tuple[int, int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Building, Section, Premise, PremiseChange)
    )


@pytest.fixture
def building(make_building, make_premise):
    """Корпус 1 (10 floors, 2 sections) with one flat of each interesting shape."""
    building = make_building(name="Корпус 1", floors_above=10, floors_below=1, sections=2)
    make_premise(building, number="101", floor=1, living_area=Decimal("30.00"))
    make_premise(
        building, number="102", floor=1, rooms=1, is_studio=True, total_area="25.10", price="5e6"
    )
    make_premise(building, number="103", floor=3, section=2, status=PremiseStatus.sold)
    make_premise(building, number="104", floor=3, status=PremiseStatus.reserved)
    make_premise(
        building,
        number="П-1",
        floor=-1,
        kind=PremiseKind.parking,
        rooms=0,
        total_area="13.25",
        price="1500000.50",
        finishing=Finishing.none,
    )
    make_premise(building, number="10", floor=1, status=PremiseStatus.not_for_sale)
    return building


def test_exported_price_list_imports_back_as_a_no_op(db_session, building):
    rows = premise_rows(db_session, Building.project_id == building.project_id)
    before = counts(db_session)
    for data, name in (
        (write_xlsx(rows, building.project.name), "prais.xlsx"),
        (write_csv(rows), "prais.csv"),
    ):
        plan = check(db_session, building.project, data, name)
        assert plan.problems == []
        assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 6)
        plan.apply(db_session, by_user_id=None)
        db_session.commit()
    assert counts(db_session) == before


def test_exported_xlsx_has_bold_frozen_header_and_money_formats(db_session, building):
    rows = premise_rows(db_session, Building.id == building.id)
    sheet_ = load_workbook(io.BytesIO(write_xlsx(rows, "ЖК «Тестовый парк»"))).active
    assert sheet_.title == "ЖК «Тестовый парк»"
    assert sheet_.freeze_panes == "A2"
    assert sheet_["A1"].font.b and sheet_["A1"].value == "Корпус"
    price = next(c for c in sheet_[1] if c.value == "Цена").column_letter
    assert sheet_[f"{price}2"].number_format == "#,##0.00"
    assert [r[3] for r in sheet_.iter_rows(min_row=2, values_only=True)] == [
        "П-1", "10", "101", "102", "104", "103",
    ]  # fmt: skip


def test_csv_is_semicolon_separated_utf8_with_bom_and_decimal_comma(db_session, building):
    data = write_csv(premise_rows(db_session, Premise.number == "П-1"))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Корпус;Секция;Этаж;Номер")
    assert ";13,25;" in lines[1] and ";1500000,50;" in lines[1] and "Машино-место" in lines[1]


@pytest.mark.parametrize("kind", KINDS)
def test_reimport_updates_by_building_and_number_and_never_duplicates(db_session, building, kind):
    data, name = sheet(
        [
            row(number="101", floor=1, price="10 500 000", living_area="30"),
            row(number="201", building="корпус 1"),  # same building, other case
        ],
        kind,
    )
    plan = check(db_session, building.project, data, name)
    assert plan.problems == []
    assert (plan.created, plan.updated, plan.unchanged) == (1, 1, 0)
    plan.apply(db_session, by_user_id=None)
    db_session.commit()

    again = check(db_session, building.project, data, name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    again.apply(db_session, by_user_id=None)
    db_session.commit()

    numbers = db_session.scalars(select(Premise.number).where(Premise.number.in_(["101", "201"])))
    assert sorted(numbers) == ["101", "201"]
    flat = db_session.scalar(select(Premise).where(Premise.number == "101"))
    assert flat.price == Decimal("10500000.00")
    assert flat.kitchen_area == Decimal("10.00")
    assert [(c.field, c.old_value, c.new_value, c.source) for c in flat.changes] == [
        ("price", "10000000.00", "10500000.00", "import")
    ]
    new = db_session.scalar(select(Premise).where(Premise.number == "201"))
    assert (new.building_id, new.section.number, new.floor.number) == (building.id, 1, 2)


def test_import_moves_a_flat_between_manual_statuses_and_keeps_history(db_session, building):
    data, name = sheet([row(number="10", floor=1, status="свободно")], "csv")
    plan = check(db_session, building.project, data, name)
    assert plan.problems == [] and plan.updated == 1
    plan.apply(db_session, by_user_id=None)
    db_session.commit()
    flat = db_session.scalar(select(Premise).where(Premise.number == "10"))
    assert flat.status == PremiseStatus.available
    assert ("status", "not_for_sale", "available", "import") in [
        (c.field, c.old_value, c.new_value, c.source) for c in flat.changes
    ]


def test_unknown_building_is_created_as_high_as_its_highest_floor(db_session, building):
    data, name = sheet(
        [
            row(building="Корпус 2", number="1", floor=17, section=3),
            row(building="Корпус 2", number="П1", floor=-2, kind="parking", rooms=0),
        ],
        "xlsx",
    )
    plan = check(db_session, building.project, data, name)
    assert plan.problems == []
    assert plan.created == 2 and list(plan.new_buildings) == ["корпус 2"]
    plan.apply(db_session, by_user_id=None)
    db_session.commit()
    created = db_session.scalar(select(Building).where(Building.name == "Корпус 2"))
    assert (created.project_id, created.floors_above, created.floors_below) == (
        building.project_id,
        17,
        2,
    )
    assert [s.number for s in created.sections] == [1, 3]


def test_columns_in_any_order_after_a_title_row_and_numbers_as_excel_cells(db_session, building):
    workbook = Workbook()
    workbook.active.append(["Прайс-лист ЖК «Тестовый парк»"])
    workbook.active.append([])
    workbook.active.append(["Цена, ₽", "Номер", "Этаж", "Секция", "Общая площадь, м²", "корпус"])
    workbook.active.append([12345678.9, 105, 4, 1, 45.6, "Корпус 1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = check(db_session, building.project, buffer.getvalue(), "x.xlsx")
    assert plan.problems == [] and plan.created == 1
    plan.apply(db_session, by_user_id=None)
    db_session.commit()
    flat = db_session.scalar(select(Premise).where(Premise.number == "105"))
    assert (flat.price, flat.total_area) == (Decimal("12345678.90"), Decimal("45.60"))
    assert (flat.kind, flat.status, flat.rooms) == (
        PremiseKind.apartment,
        PremiseStatus.available,
        0,
    )


def test_cp1251_csv_with_comma_delimiter_is_read(db_session, building):
    text = (
        '"Корпус","Секция","Этаж","Номер","Тип","Общая площадь","Цена","Отделка"\r\n'
        '"Корпус 1",2,5,"502","Апартаменты","38,5","7 100 000,00","Чистовая"\r\n'
    )
    plan = check(db_session, building.project, text.encode("cp1251"), "выгрузка.CSV")
    assert plan.problems == [] and plan.created == 1
    plan.apply(db_session, by_user_id=None)
    db_session.commit()
    flat = db_session.scalar(select(Premise).where(Premise.number == "502"))
    assert (flat.kind, flat.finishing, flat.total_area) == (
        PremiseKind.apartments,
        Finishing.fine,
        Decimal("38.50"),
    )


# Each case: the rows after a valid one, and the (row, column, words of the message) expected.
BAD_ROWS = {
    "unknown type": ([row(kind="Пентхаус")], (3, "Тип", "Неизвестное значение «Пентхаус»")),
    "unknown status": ([row(status="Забронировано")], (3, "Статус", "Неизвестное значение")),
    "unknown finishing": ([row(finishing="Дизайнерская")], (3, "Отделка", "Неизвестное")),
    "unparseable price": ([row(price="девять млн")], (3, "Цена", "Ожидается число")),
    "unparseable area": ([row(total_area="54.3.1")], (3, "Общая площадь", "Ожидается число")),
    "negative price": ([row(price="-1")], (3, "Цена", "не может быть отрицательной")),
    "absurd price": ([row(price="1e999999")], (3, "Цена", "Слишком большое число")),
    "zero area": ([row(total_area="0")], (3, "Общая площадь", "больше нуля")),
    "negative area": ([row(kitchen_area="-5")], (3, "Площадь кухни", "отрицательной")),
    "living over total": ([row(living_area="60")], (3, "Жилая площадь", "больше общей")),
    "kitchen over total": ([row(kitchen_area="55")], (3, "Площадь кухни", "больше общей")),
    "studio with rooms": ([row(is_studio="да", rooms=3)], (3, "Комнат", "Студия")),
    "bad yes/no": ([row(has_terrace="возможно")], (3, "Терраса", "«да» или «нет»")),
    "empty number": ([row(number="")], (3, "Номер", "Не заполнено")),
    "floor zero": ([row(floor=0)], (3, "Этаж", "Этажа 0 нет")),
    "floor outside": ([row(floor=11)], (3, "Этаж", "Этаж 11 вне здания")),
    "duplicate number": (
        [row(number="777"), row(number="777", building="КОРПУС 1")],
        (4, "Номер", "уже есть в строке 3"),
    ),
    "forbidden status change": (
        [row(number="103", floor=3, section=2, price="10 000 000,00", status="Свободно")],
        (3, "Статус", "Нельзя перевести помещение из статуса «Продано» в «Свободно»"),
    ),
    "fixed price changed": (
        [row(number="103", floor=3, section=2, status="Продано")],
        (3, "Цена", "Цена помещения № 103 зафиксирована: оно в статусе «Продано»"),
    ),
    "status only processes set": (
        [row(number="104", floor=3, status="Свободно")],
        (3, "Статус", "импорт не меняет"),
    ),
    "new flat already sold": ([row(status="Продано")], (3, "Статус", "Новое помещение")),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_row_is_reported_with_row_and_column_and_nothing_is_written(
    db_session, building, case, kind
):
    bad_rows, (line, column, words) = BAD_ROWS[case]
    good = row(number="101", floor=1, price="1")  # valid alone: must not be written either
    data, name = sheet([good, *bad_rows], kind)
    before = counts(db_session)

    plan = check(db_session, building.project, data, name)

    assert [(p.row, p.column) for p in plan.problems] == [(line, column)], plan.problems
    assert words in plan.problems[0].message
    with pytest.raises(InvalidPremiseData):
        plan.apply(db_session, by_user_id=None)
    db_session.commit()
    assert counts(db_session) == before
    assert db_session.scalar(select(Premise.price).where(Premise.number == "101")) == Decimal(
        "10000000.00"
    )


def test_every_problem_of_a_file_is_listed_not_just_the_first(db_session, building):
    data, name = sheet(
        [row(price="abc", living_area="99"), [], row(number="202", floor=40, kind="Дом")], "csv"
    )
    plan = check(db_session, building.project, data, name)
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "Жилая площадь"),
        (2, "Цена"),
        (4, "Этаж"),
        (4, "Тип"),
    ]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "prais.xlsx", "Файл пуст"),
        (b"\xef\xbb\xbf\r\n;;\r\n", "prais.csv", "Файл пуст"),
        ("Корпус;Секция;Этаж;Номер;Общая площадь;Цена\r\n".encode(), "p.csv", "только заголовок"),
        ("Просто текст, а не таблица".encode(), "prais.xlsx", "не книга Excel"),
        (b"PK\x03\x04 truncated zip", "prais.xlsx", "повреждён"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "prais.xlsx", "старом формате XLS"),
        ("Корпус;Цена".encode(), "prais.txt", "Неподдерживаемый тип файла (.txt)"),
        (b"\x00\x01\x02binary", "prais.csv", "не текст"),
    ],
    ids=[
        "empty",
        "blank lines",
        "header only",
        "text named xlsx",
        "broken zip",
        "old xls",
        "txt",
        "binary csv",
    ],
)
def test_a_file_that_is_not_a_price_list_gets_one_clear_problem(
    db_session, building, data, name, words
):
    before = counts(db_session)
    plan = check(db_session, building.project, data, name)
    assert len(plan.problems) == 1 and plan.problems[0].row is None
    assert words in plan.problems[0].message
    assert not plan.ok and counts(db_session) == before


@pytest.mark.parametrize("kind", KINDS)
def test_missing_required_columns_are_named(db_session, building, kind):
    data, name = sheet([["Корпус 1", "1", "1"]], kind, header=["Корпус", "Номер", "Этаж"])
    plan = check(db_session, building.project, data, name)
    assert [(p.row, p.column) for p in plan.problems] == [
        (1, "Секция"),
        (1, "Общая площадь"),
        (1, "Цена"),
    ]
    assert plan.problems[0].message == "Нет обязательного столбца «Секция»"


def test_more_than_20000_rows_are_refused(db_session, building):
    lines = ["Корпус;Секция;Этаж;Номер;Общая площадь;Цена"]
    lines += [f"Корпус 9;1;1;{n};40;1000000" for n in range(20_001)]
    plan = check(db_session, building.project, "\n".join(lines).encode(), "big.csv")
    assert len(plan.problems) == 1
    assert plan.problems[0].row == 20_002 and "больше 20 000 строк" in plan.problems[0].message
