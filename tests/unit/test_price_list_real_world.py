"""Price lists as they come from the real world, read without a database: several sheets, a
cover or hidden sheet, numbers Excel turned into dates, old Cyrillic code pages, zip bombs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime, time

import pytest
from openpyxl import Workbook

from engine.catalog.price_list_files import parse_table

HEADER = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена"]
SHEET_PATH = "xl/worksheets/sheet1.xml"
SHEET_END = b"</sheetData></worksheet>"


def _sheet_start() -> bytes:
    """The XML before the bomb: the header row and one flat, cells written as Excel does."""

    def cell(value) -> str:
        if isinstance(value, str):
            return f'<c t="inlineStr"><is><t>{value}</t></is></c>'
        return f"<c><v>{value}</v></c>"

    rows = "".join(
        f'<row r="{n}">{"".join(cell(v) for v in values)}</row>'
        for n, values in ((1, HEADER), (2, flat("1")))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}'
    ).encode()


def flat(number="1", building="Корпус 1", floor=1) -> list:
    return [building, 1, floor, number, 40, 5_000_000]


def workbook(*sheets: tuple[str, list[list]], hidden: Iterable[str] = ()) -> bytes:
    """A workbook with the given (title, rows) sheets in order; `hidden` ones are hidden."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bomb_xlsx(body: Iterable[bytes]) -> bytes:
    """A real workbook whose sheet's XML is replaced by `body` (after a header and one flat),
    streamed into the zip: hundreds of MB of XML stay a small file, and little memory here."""
    source = zipfile.ZipFile(io.BytesIO(workbook(("Прайс", [["Корпус"]]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != SHEET_PATH:
                archive.writestr(info.filename, source.read(info.filename))
                continue
            with archive.open(SHEET_PATH, "w", force_zip64=True) as sheet:
                sheet.write(_sheet_start())
                for chunk in body:
                    sheet.write(chunk)
                sheet.write(SHEET_END)
    return out.getvalue()


def strings_bomb_xlsx(count: int) -> bytes:
    """A one-flat workbook that also carries a shared-strings table of `count` texts."""
    source = zipfile.ZipFile(io.BytesIO(workbook(("Прайс", [HEADER, flat("1")]))))
    part = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    additions = {
        "[Content_Types].xml": (
            b"</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{part}"/></Types>',
        ),
        "xl/_rels/workbook.xml.rels": (
            b"</Relationships>",
            f'<Relationship Id="rId99" Type="{kind}" Target="sharedStrings.xml"/></Relationships>',
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename in additions:
                end, replacement = additions[info.filename]
                body = body.replace(end, replacement.encode())
            archive.writestr(info.filename, body)
        texts = b"".join(b"<si><t>%d</t></si>" % n for n in range(count))
        archive.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + texts + b"</sst>",
        )
    return out.getvalue()


def empty_rows(first: int, count: int) -> Iterable[bytes]:
    """Formatted empty rows, as Excel writes them under a table someone styled far down."""
    for start in range(first, first + count, 10_000):
        stop = min(start + 10_000, first + count)
        yield b"".join(b'<row r="%d"><c r="A%d" s="0"/></row>' % (n, n) for n in range(start, stop))


def read(data: bytes, name: str, **options):
    problems, skipped = [], []
    rows = parse_table(data, name, problems, skipped=skipped, **options)
    return rows, problems, skipped


# ------------------------------------------------------------------ several sheets


def test_every_sheet_with_a_header_is_read_and_rows_know_their_sheet():
    data = workbook(
        ("Корпус 1", [HEADER, flat("1"), flat("2")]),
        ("Корпус 2", [HEADER, flat("1", "Корпус 2")]),
    )

    rows, problems, skipped = read(data, "прайс.xlsx")

    assert problems == [] and skipped == []
    assert [(r.sheet, r.row, r.values["building"], r.values["number"]) for r in rows] == [
        ("Корпус 1", 2, "Корпус 1", "1"),
        ("Корпус 1", 3, "Корпус 1", "2"),
        ("Корпус 2", 2, "Корпус 2", "1"),
    ]


def test_a_cover_sheet_first_is_passed_over_and_said_so():
    data = workbook(
        ("Обложка", [["ЖК «Северный»"], ["Прайс-лист на 1 декабря"]]),
        ("Квартиры", [HEADER, flat("1")]),
    )

    rows, problems, skipped = read(data, "прайс.xlsx")

    assert problems == [] and [r.values["number"] for r in rows] == ["1"]
    assert skipped == [
        "Лист «Обложка» пропущен: в его первых 10 заполненных строках нет заголовков столбцов."
    ]


def test_a_hidden_sheet_is_not_imported_even_with_a_header():
    data = workbook(
        ("Старые цены", [HEADER, flat("1"), flat("2")]),
        ("Прайс", [HEADER, flat("3")]),
        hidden={"Старые цены"},
    )

    rows, problems, skipped = read(data, "прайс.xlsx")

    assert problems == [] and [r.values["number"] for r in rows] == ["3"]
    assert len(skipped) == 1 and skipped[0].startswith("Лист «Старые цены» пропущен: он скрыт")
    assert "покажите его в Excel" in skipped[0]


def test_no_sheet_with_a_header_names_every_sheet_and_why():
    data = workbook(
        ("Обложка", [["ЖК «Северный»"]]),
        ("Пустой", []),
        ("Тех", [HEADER, flat("1")]),
        hidden={"Тех"},
    )

    rows, problems, _ = read(data, "прайс.xlsx")

    assert rows == [] and len(problems) == 1
    message = problems[0].message
    assert message.startswith("Ни на одном листе не найдена строка заголовков")
    assert "лист «Обложка» — в его первых 10 заполненных строках нет заголовков" in message
    assert "лист «Пустой» — он пуст" in message and "лист «Тех» — он скрыт" in message


def test_problems_on_a_later_sheet_carry_its_name():
    data = workbook(
        ("Корпус 1", [HEADER, flat("1")]),
        ("Корпус 2", [HEADER, ["Корпус 2", 1, 1, "5", 40, "много"]]),
        ("Корпус 3", [["Корпус", "Номер"], ["Корпус 3", "1"]]),
    )

    _, problems, _ = read(data, "прайс.xlsx")

    assert [(p.sheet, p.row, p.column, p.message) for p in problems] == [
        ("Корпус 2", 2, "Цена", "Ожидается число, например 12 345,50"),
        ("Корпус 3", 1, "Секция", "Нет обязательного столбца «Секция»"),
        ("Корпус 3", 1, "Этаж", "Нет обязательного столбца «Этаж»"),
        ("Корпус 3", 1, "Общая площадь", "Нет обязательного столбца «Общая площадь»"),
        ("Корпус 3", 1, "Цена", "Нет обязательного столбца «Цена»"),
    ]


def test_a_one_sheet_workbook_names_no_sheet():
    _, problems, _ = read(workbook(("Лист1", [HEADER, flat("1", floor=0)])), "прайс.xlsx")

    assert [(p.sheet, p.row, p.column) for p in problems] == [("", 2, "Этаж")]


def test_the_row_limit_counts_the_rows_of_every_sheet_together():
    data = workbook(
        ("Корпус 1", [HEADER, flat("1"), flat("2")]),
        ("Корпус 2", [HEADER, flat("1", "Корпус 2"), flat("2", "Корпус 2")]),
    )

    rows, problems, _ = read(data, "прайс.xlsx", max_rows=3)

    assert rows == []
    assert [(p.sheet, p.row, p.message) for p in problems] == [
        ("Корпус 2", 3, "В файле больше 3 строк: разделите его на части")
    ]


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("cell", "shown"),
    [(datetime(2026, 1, 12), "12.01.2026"), (time(12, 30), "12:30")],
)
def test_a_premise_number_excel_turned_into_a_date_is_refused(cell, shown):
    data = workbook(("Прайс", [HEADER, flat(cell)]))

    rows, problems, _ = read(data, "прайс.xlsx")

    assert [(p.row, p.column) for p in problems] == [(2, "Номер")]
    assert problems[0].message.startswith(f"Excel превратил значение в дату или время ({shown})")
    assert "текстовый формат" in problems[0].message
    assert "number" not in rows[0].values


@pytest.mark.parametrize("text", ["12.янв", "12.01.2026", "янв.26", "3-фев"])
def test_a_premise_number_saved_as_a_date_in_a_csv_is_refused(text):
    data = f"Корпус;Секция;Этаж;Номер;Общая площадь;Цена\nКорпус 1;1;1;{text};40;5000000\n"

    _, problems, _ = read(data.encode("utf-8-sig"), "прайс.csv")

    assert [(p.row, p.column) for p in problems] == [(2, "Номер")]
    assert problems[0].message.startswith(f"Excel превратил значение в дату или время ({text})")


@pytest.mark.parametrize("text", ["1.1.12", "П-1", "10А", "1 мая"])
def test_premise_numbers_that_only_look_a_little_like_dates_are_kept(text):
    data = f"Корпус;Секция;Этаж;Номер;Общая площадь;Цена\nКорпус 1;1;1;{text};40;5000000\n"

    rows, problems, _ = read(data.encode("utf-8-sig"), "прайс.csv")

    assert problems == [] and rows[0].values["number"] == text


# ------------------------------------------------------------------ encodings

CSV_TEXT = "Корпус;Секция;Этаж;Номер;Общая площадь;Цена\nКорпус Южный;1;2;15;40,5;5 000 000\n"


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251"])
def test_a_csv_in_an_old_cyrillic_code_page_is_read_in_it(encoding):
    rows, problems, _ = read(CSV_TEXT.encode(encoding), "прайс.csv")

    assert problems == []
    assert [(r.values["building"], r.values["number"]) for r in rows] == [("Корпус Южный", "15")]


def test_a_csv_in_another_code_page_is_refused_as_an_encoding_problem():
    rows, problems, _ = read(CSV_TEXT.encode("cp866"), "прайс.csv")

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith("Не найдена строка заголовков: похоже, дело в кодировке")
    assert "Сохраните таблицу как «CSV UTF-8»" in problems[0].message


# ------------------------------------------------------------------ size


def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_read():
    megabyte_of_cells = b"<c><v>1</v></c>" * (1024 * 1024 // 15)
    data = bomb_xlsx(b'<row r="3">' if n == 0 else megabyte_of_cells for n in range(301))
    assert len(data) < 2 * 1024 * 1024  # small on disk

    rows, problems, _ = read(data, "прайс.xlsx")

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith(
        "Книга XLSX слишком велика: распакованная, она занимает 300 МБ, "
        "а допустимо не больше 40 МБ."
    )


def test_a_higher_row_limit_lets_a_workbook_unpack_to_more():
    megabyte_of_cells = b"<c><v>1</v></c>" * (1024 * 1024 // 15)
    data = bomb_xlsx(b'<row r="3">' if n == 0 else megabyte_of_cells for n in range(61))

    _, problems, _ = read(data, "прайс.xlsx", max_rows=50_000)

    # 50 000 rows × 2 KB: 98 MB may be unpacked, so the scan gets to the row's cells
    assert [p.message[:40] for p in problems] == ["Лист «Прайс»: в строке 3 больше 1 000 яч"]


def test_a_sheet_of_empty_formatted_rows_is_refused_as_soon_as_they_pass_the_limit():
    data = bomb_xlsx(empty_rows(3, 500_000))

    rows, problems, _ = read(data, "прайс.xlsx")

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith(
        "Лист «Прайс»: в нём больше 21 010 строк, почти все пустые (с оформлением). "
        "Удалите пустые строки под таблицей"
    )


def test_a_sheet_with_far_too_many_filled_rows_is_refused_before_it_is_read():
    filled = (b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(3, 5_000))

    rows, problems, _ = read(bomb_xlsx(filled), "прайс.xlsx", max_rows=50)

    assert rows == [] and [p.message for p in problems] == [
        "Лист «Прайс»: в нём больше 50 строк с помещениями. "
        "Разделите прайс-лист на несколько файлов."
    ]


def test_a_row_with_thousands_of_cells_is_refused():
    wide = [b'<row r="3">', b"<c><v>1</v></c>" * 5_000, b"</row>"]

    rows, problems, _ = read(bomb_xlsx(wide), "прайс.xlsx")

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith(
        "Лист «Прайс»: в строке 3 больше 1 000 ячеек. Удалите лишние столбцы справа от таблицы"
    )


def test_a_table_of_more_texts_than_a_price_list_can_hold_is_refused():
    rows, problems, _ = read(strings_bomb_xlsx(30_000), "прайс.xlsx", max_rows=10)

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith(
        "В книге XLSX больше 20 400 разных текстов — больше, чем может быть в прайс-листе."
    )


def test_a_table_of_texts_within_the_bound_is_read():
    rows, problems, _ = read(strings_bomb_xlsx(20_000), "прайс.xlsx", max_rows=10)

    assert problems == [] and [r.values["number"] for r in rows] == ["1"]


def test_a_csv_with_a_million_empty_lines_is_refused_early():
    data = (CSV_TEXT + ";;;;;\n" * 1_000_000).encode()

    rows, problems, _ = read(data, "прайс.csv")

    assert rows == [] and len(problems) == 1
    assert problems[0].message.startswith(
        "В файле больше 21 010 строк, считая пустые. Удалите пустые строки под таблицей"
    )


def test_a_price_list_with_some_empty_rows_below_it_is_still_read():
    data = bomb_xlsx(empty_rows(3, 900))

    rows, problems, _ = read(data, "прайс.xlsx")

    assert problems == [] and [r.values["number"] for r in rows] == ["1"]
