"""Text from data in an exported price list is never a formula (formula injection), and the
import reads back exactly what the export wrote (engine/spreadsheet_text.py)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from engine.catalog.price_list import COLUMNS, DATE_TEXT, Problem
from engine.catalog.price_list_files import parse_table, write_csv, write_xlsx
from engine.spreadsheet_text import FORMULA_STARTS, csv_text, csv_text_back

KEYS = [column.key for column in COLUMNS]
ROW = [
    "Корпус 1", 1, -1, "П-1", "Машино-место", 0, "нет", "нет", "нет",
    Decimal("13.25"), None, Decimal("0.50"), Decimal("1500000.50"), Decimal("113207.58"),
    "Без отделки", "Свободно",
]  # fmt: skip
DANGEROUS = ["=СУММ(A1:A9)", "+7 999 123-45-67", "-1 этаж", "@cmd", "=1+1", "'=2+2"]

# Text as people and data write it, leaning on what a spreadsheet could take for a formula.
text = st.text(
    alphabet=st.sampled_from(list("=+-@'\t\r ;\"аб1(),.АЯ")) | st.characters(),
    max_size=30,
)


def row(building: str, number: str, **more) -> list:
    values = dict(zip(KEYS, ROW, strict=True))
    values.update(building=building, number=number, **more)
    return [values[key] for key in KEYS]


def read_back(data: bytes, filename: str) -> list[dict]:
    problems: list[Problem] = []
    rows = parse_table(data, filename, problems)
    assert problems == []
    return [parsed.values for parsed in rows]


@given(text)
def test_a_csv_cell_is_never_a_formula_and_reads_back_as_the_text(value):
    cell = csv_text(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert csv_text_back(cell) == value


@pytest.mark.parametrize("value", ["'", "''", "'abc", "''=x", "+", "", "a=b", "-"])
def test_apostrophes_of_the_text_itself_survive_the_csv_mark(value):
    assert csv_text_back(csv_text(value)) == value


def test_text_that_starts_like_a_formula_is_marked_in_the_csv_but_numbers_are_not():
    rows = [row(name, "1", price_per_m2=Decimal("-113207.58")) for name in DANGEROUS]
    data = write_csv(rows).decode("utf-8-sig")
    lines = data.splitlines()[1:]
    assert [line.split(";")[0] for line in lines] == [
        "'=СУММ(A1:A9)",
        "'+7 999 123-45-67",
        "'-1 этаж",
        "'@cmd",
        "'=1+1",
        "''=2+2",
    ]
    cells = lines[0].split(";")
    assert (cells[2], cells[13]) == ("-1", "-113207,58")  # negative numbers stay numbers


def test_text_that_starts_like_a_formula_is_a_string_cell_in_the_xlsx():
    data = write_xlsx([row(name, "-5") for name in DANGEROUS], "ЖК «Парк»")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(data)).active
    for cells in sheet.iter_rows(min_row=2):
        building, floor, number = cells[0], cells[2], cells[3]
        assert building.data_type == number.data_type == "s"
        assert number.value == "-5" and number.quotePrefix  # Excel keeps it text when edited
        assert floor.data_type == "n" and floor.value == -1  # a number stays a number
    assert [cells[0].value for cells in sheet.iter_rows(min_row=2)] == DANGEROUS


def _stored_text(value: str, longest: int) -> str:
    """Text as a premise keeps it: the import collapses white space and refuses date-like text."""
    value = " ".join(value.split())
    assume(value and len(value) <= longest and not DATE_TEXT.fullmatch(value.casefold()))
    assume(not re.search(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]", value))  # not storable in XML
    return value


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(building=text, number=text)
@example(building="=СУММ(A1:A9)", number="-1")
@example(building="'=2+2", number="=1+1")
@example(building="@cmd", number="+7 999")
def test_what_the_export_writes_the_import_reads_back_unchanged(kind, building, number):
    building, number = _stored_text(building, 100), _stored_text(number, 20)
    rows = [row(building, number), row("Корпус 1", "2")]
    data = write_csv(rows) if kind == "csv" else write_xlsx(rows, "Прайс")

    first, second = read_back(data, f"prais.{kind}")

    assert (first["building"], first["number"]) == (building, number)
    assert (first["floor"], first["price"]) == (-1, Decimal("1500000.50"))
    assert (second["building"], second["number"]) == ("Корпус 1", "2")
