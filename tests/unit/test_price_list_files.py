"""Price-list files as users bring them (CSV in any of the encodings and separators Excel writes,
XLSX with a title above the header) and as the export writes them; every file that cannot be
read is one problem for the whole file, in Russian, saying what to do."""

from __future__ import annotations

import io
import logging
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from engine.catalog.price_list import COLUMNS, Problem
from engine.catalog.price_list_files import parse_table, write_csv, write_xlsx
from models.catalog.objects import PremiseStatus

REQUIRED_HEADER = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена"]
SAVE_AS = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)» или «CSV UTF-8»."


def parse(data: bytes, filename: str):
    problems: list[Problem] = []
    rows = parse_table(data, filename, problems)
    return rows, problems


def only_problem(data: bytes, filename: str) -> str:
    rows, problems = parse(data, filename)
    assert rows == []
    assert len(problems) == 1 and problems[0].row is None and problems[0].column == ""
    return problems[0].message


def xlsx(*rows: list, title: str | None = None) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(*lines: str, separator: str = ";") -> bytes:
    return "\r\n".join(separator.join(line.split(";")) for line in lines).encode("utf-8")


FLAT = "Корпус 1;1;2;201;54,3;9 800 000"


# --- what a file is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("prais.xls", f"Формат XLS (Excel 97–2003) не поддерживается. {SAVE_AS}"),
        ("PRAIS.XLS", f"Формат XLS (Excel 97–2003) не поддерживается. {SAVE_AS}"),
        ("prais.ods", "Неподдерживаемый тип файла (.ods): загрузите XLSX или CSV."),
        ("prais", "Неподдерживаемый тип файла (без расширения): загрузите XLSX или CSV."),
        ("", "Неподдерживаемый тип файла (без расширения): загрузите XLSX или CSV."),
    ],
)
def test_a_file_of_another_type_is_refused_by_its_name(name, message):
    assert only_problem(b"anything", name) == message


@pytest.mark.parametrize("name", ["prais.csv", "prais.xlsx"])
def test_an_empty_file_is_refused_as_empty(name):
    assert only_problem(b"", name) == "Файл пуст."


def test_a_file_named_xlsx_that_is_not_a_workbook_says_so():
    assert only_problem(b"Corpus;Price", "p.xlsx") == (
        f"Файл назван .xlsx, но это не книга Excel. {SAVE_AS}"
    )
    assert only_problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "p.xlsx") == (
        f"Файл сохранён в старом формате XLS или защищён паролем. {SAVE_AS}"
    )
    assert only_problem(b"PK\x03\x04 broken", "p.xlsx") == (
        f"Файл XLSX повреждён или не является книгой Excel. {SAVE_AS}"
    )


def with_sheet_xml(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed, as another program might write it."""
    source, result = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(result, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(name, content)
    return result.getvalue()


def test_a_price_computed_by_an_excel_formula_is_read_as_its_value():
    data = xlsx(REQUIRED_HEADER, ["Корпус 1", 1, 2, "201", 50, "=E2*200000"])
    # Excel stores the formula's last result next to it; openpyxl leaves it empty
    data = with_sheet_xml(data, lambda xml: xml.replace(b"<v></v>", b"<v>10000000</v>"))
    rows, problems = parse(data, "p.xlsx")
    assert problems == []
    assert rows[0].values["price"] == Decimal("10000000.00")


def test_a_workbook_whose_sheet_cannot_be_read_is_refused_as_a_bad_file():
    data = xlsx(REQUIRED_HEADER, ["Корпус 1", 1, 2, "201", 50, 1])
    number = b'<c r="B2" t="n"><v>1</v></c>'
    data = with_sheet_xml(data, lambda xml: xml.replace(number, b'<c r="B2" t="n"><v>one</v></c>'))
    expected = f"Лист «Sheet» книги XLSX не удалось прочитать. {SAVE_AS}"
    assert only_problem(data, "p.xlsx") == expected


def test_support_finds_why_a_file_could_not_be_read_in_the_log(caplog):
    """The user is told in Russian what to do; the reader's own reason goes to the log."""
    caplog.set_level(logging.INFO, logger="engine.catalog")
    only_problem(b"PK\x03\x04 broken", "p.xlsx")
    number = b'<c r="B2" t="n"><v>1</v></c>'
    sheet = xlsx(REQUIRED_HEADER, ["Корпус 1", 1, 2, "201", 50, 1])
    only_problem(
        with_sheet_xml(sheet, lambda xml: xml.replace(number, number.replace(b"1", b"x"))), "p.xlsx"
    )
    only_problem(csv_text(";".join(REQUIRED_HEADER), '"' + "9" * 140_000), "p.csv")
    messages = [record.getMessage() for record in caplog.records]
    assert [m.split(": ", 1)[0] for m in messages] == [
        "unreadable xlsx",
        "broken xlsx sheet",
        "unreadable csv",
    ]
    assert messages[0].startswith("unreadable xlsx: BadZipFile(")
    assert (
        messages[1]
        == "broken xlsx sheet: ValueError(\"invalid literal for int() with base 10: 'x'\")"
    )
    assert messages[2] == "unreadable csv: Error('field larger than field limit (131072)')"


def test_a_workbook_named_csv_is_asked_to_be_renamed():
    assert only_problem(xlsx(REQUIRED_HEADER), "p.csv") == (
        "Файл назван .csv, но похож на книгу Excel: переименуйте его в .xlsx."
    )


def test_a_binary_file_named_csv_is_asked_to_be_saved_as_csv_utf8():
    assert only_problem(b"abc\x00def", "p.csv") == (
        "Файл назван .csv, но это не текст. Сохраните таблицу как «CSV UTF-8»."
    )


def test_only_the_first_4_kb_of_a_csv_tell_text_from_binary():
    start = (";".join([*REQUIRED_HEADER, "Примечание"]) + "\r\n" + FLAT + ";").encode()
    data = start + b"x" * (4096 - len(start)) + b"\x00\r\n"  # the NUL is the 4097th byte
    rows, problems = parse(data, "p.csv")
    assert problems == [] and len(rows) == 1


def test_a_csv_of_blank_lines_only_is_empty():
    assert only_problem(b"\r\n  \r\n\r\n", "p.csv") == "Файл пуст: в нём нет ни заголовка, ни строк"


def test_a_csv_in_no_known_encoding_is_refused_as_an_encoding_problem():
    # 0x98 is the one byte cp1251 leaves undefined, and it is not UTF-8 on its own
    assert only_problem(b"\x98\x98;\x98", "p.csv").startswith(
        "Не найдена строка заголовков: похоже, дело в кодировке."
    )


def test_a_csv_with_an_unclosed_quote_is_refused_in_russian_not_with_the_readers_english():
    data = csv_text(";".join(REQUIRED_HEADER), 'Корпус 1;1;2;"201;' + "9" * 140_000)
    assert only_problem(data, "p.csv") == (
        "CSV не удалось разобрать: в файле незакрытая кавычка или слишком длинная ячейка. "
        "Сохраните таблицу как «CSV UTF-8»."
    )


# --- encodings and separators ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        csv_text(";".join(REQUIRED_HEADER), FLAT),
        "\r\n".join([";".join(REQUIRED_HEADER), FLAT]).encode("utf-8-sig"),
        "\r\n".join([";".join(REQUIRED_HEADER), FLAT]).encode("utf-16"),
        b"\xfe\xff" + "\r\n".join([";".join(REQUIRED_HEADER), FLAT]).encode("utf-16-be"),
        "\r\n".join([";".join(REQUIRED_HEADER), FLAT]).encode("cp1251"),
        csv_text(";".join(REQUIRED_HEADER), FLAT, separator="\t"),
        "\n".join(["", "  ", "\t".join(REQUIRED_HEADER), FLAT.replace(";", "\t")]).encode(),
    ],
    ids=["utf-8", "utf-8 with bom", "utf-16 le", "utf-16 be", "cp1251", "tabs", "blank lines"],
)
def test_a_csv_is_read_in_any_encoding_and_separator_excel_writes(data):
    rows, problems = parse(data, "prais.csv")
    assert problems == []
    assert len(rows) == 1
    assert rows[0].values == {
        "building": "Корпус 1",
        "section": 1,
        "floor": 2,
        "number": "201",
        "total_area": Decimal("54.30"),
        "price": Decimal("9800000.00"),
    }


def test_a_comma_separated_csv_is_read():
    data = (
        '"Корпус","Секция","Этаж","Номер","Общая площадь","Цена"\n"Корпус 1",1,2,"7","40,5",100\n'
    )
    rows, problems = parse(data.encode(), "p.csv")
    assert problems == []
    assert rows[0].values["total_area"] == Decimal("40.50")


# --- the header -----------------------------------------------------------------------------


def test_rows_are_numbered_as_the_spreadsheet_shows_them_after_blank_and_title_rows():
    data = xlsx(
        ["Прайс-лист"],
        [],
        REQUIRED_HEADER,
        [],
        ["Корпус 1", 1, 2, "201", 54.3, 9800000],
        ["Корпус 1", 1, "два", "202", 54.3, 9800000],
    )
    rows, problems = parse(data, "p.xlsx")
    assert [r.row for r in rows] == [5, 6]
    assert problems == [Problem(6, "Этаж", "Ожидается целое число")]
    assert rows[1].bad_keys == {"floor"} and rows[0].bad_keys == set()


def test_the_header_is_found_on_the_tenth_non_empty_row_but_not_on_the_eleventh():
    title = [[f"строка {n}"] for n in range(9)]
    rows, problems = parse(xlsx(*title, REQUIRED_HEADER, ["Корпус 1", 1, 2, "1", 40, 1]), "p.xlsx")
    assert problems == [] and [r.row for r in rows] == [11]

    title = [[], *([f"строка {n}"] for n in range(10))]
    rows, problems = parse(xlsx(*title, REQUIRED_HEADER, ["Корпус 1", 1, 2, "1", 40, 1]), "p.xlsx")
    assert rows == []
    assert problems == [
        Problem(
            2,
            "",
            "Не найдена строка заголовков: нужны столбцы "
            "Корпус, Секция, Этаж, Номер, Общая площадь, Цена",
        )
    ]


def test_a_file_of_blank_rows_has_neither_header_nor_rows():
    assert only_problem(b"\r\n;;;\r\n ; \r\n", "p.csv") == (
        "Файл пуст: в нём нет ни заголовка, ни строк"
    )


def test_a_header_without_rows_is_refused():
    assert only_problem(";".join(REQUIRED_HEADER).encode(), "p.csv") == (
        "В файле только заголовок: нет ни одной строки с помещениями"
    )


def test_columns_the_import_does_not_know_are_skipped_wherever_they_stand():
    header = ["№ п/п", "Корпус", "Секция", "Этаж", "Примечание", "Номер", "Общая площадь", "Цена"]
    data = csv_text(";".join(header), "1;Корпус 1;1;2;угловая;201;54,3;9 800 000")
    rows, problems = parse(data, "p.csv")
    assert problems == []
    assert rows[0].values["number"] == "201" and rows[0].values["price"] == Decimal("9800000.00")


def test_the_cells_after_a_bad_or_empty_one_are_still_read_and_checked():
    header = [*REQUIRED_HEADER, "Цена за м²", "Комнат", "Статус"]
    data = csv_text(";".join(header), ";1;два;201;54,3;9 800 000;180 479,00;много;Бронь")
    rows, problems = parse(data, "p.csv")
    assert problems == [
        Problem(2, "Корпус", "Не заполнено"),
        Problem(2, "Этаж", "Ожидается целое число"),
        Problem(2, "Комнат", "Ожидается целое число"),
    ]
    assert rows[0].values == {
        "section": 1,
        "number": "201",
        "total_area": Decimal("54.30"),
        "price": Decimal("9800000.00"),
        "status": PremiseStatus.reserved,
    }


def test_a_column_twice_in_the_header_is_named():
    data = csv_text(";".join([*REQUIRED_HEADER, "Цена, ₽"]), FLAT + ";1")
    rows, problems = parse(data, "p.csv")
    assert rows == []
    assert problems == [Problem(1, "Цена", "Столбец встречается в заголовке дважды")]


def test_every_missing_required_column_is_named_in_the_header_row():
    rows, problems = parse(csv_text("", "Прайс", "Номер;Цена;Статус", "1;2;Свободно"), "p.csv")
    assert rows == []
    assert problems == [
        Problem(3, "Корпус", "Нет обязательного столбца «Корпус»"),
        Problem(3, "Секция", "Нет обязательного столбца «Секция»"),
        Problem(3, "Этаж", "Нет обязательного столбца «Этаж»"),
        Problem(3, "Общая площадь", "Нет обязательного столбца «Общая площадь»"),
    ]


# --- rows -----------------------------------------------------------------------------------


def test_a_short_row_leaves_its_missing_required_cells_unfilled():
    rows, problems = parse(csv_text(";".join(REQUIRED_HEADER), "Корпус 1;1;2;201"), "p.csv")
    assert problems == [
        Problem(2, "Общая площадь", "Не заполнено"),
        Problem(2, "Цена", "Не заполнено"),
    ]
    assert rows[0].bad_keys == {"total_area", "price"}
    assert rows[0].values == {"building": "Корпус 1", "section": 1, "floor": 2, "number": "201"}


def test_an_empty_optional_cell_is_read_as_no_value():
    data = csv_text(";".join([*REQUIRED_HEADER, "Жилая площадь", "Тип"]), FLAT + ";;")
    rows, problems = parse(data, "p.csv")
    assert problems == []
    assert rows[0].values["living_area"] is None and rows[0].values["kind"] is None


def test_the_price_per_square_metre_column_of_an_export_is_not_read():
    data = csv_text(";".join([*REQUIRED_HEADER, "Цена за м²"]), FLAT + ";не число")
    rows, problems = parse(data, "p.csv")
    assert problems == []
    assert "price_per_m2" not in rows[0].values


def test_twenty_thousand_rows_are_read_and_one_more_is_refused():
    lines = [";".join(REQUIRED_HEADER), *(f"Корпус 1;1;1;{n};40;1" for n in range(20_000))]
    rows, problems = parse("\n".join(lines).encode(), "p.csv")
    assert problems == [] and len(rows) == 20_000

    lines.append("Корпус 1;1;1;лишняя;40;1")
    rows, problems = parse("\n".join(lines).encode(), "p.csv")
    assert rows == []
    assert problems == [Problem(20_002, "", "В файле больше 20 000 строк: разделите его на части")]


def test_a_file_problem_replaces_the_problems_found_before_it():
    problems = [Problem(1, "Цена", "старая")]
    assert parse_table(b"", "p.csv", problems) == []
    assert problems == [Problem(None, "", "Файл пуст.")]


# --- writing --------------------------------------------------------------------------------

ROW = [
    "Корпус 1", 1, -1, "П-1", "Машино-место", 0, "нет", "нет", "нет",
    Decimal("13.25"), None, Decimal("0.50"), Decimal("1500000.50"), Decimal("113207.58"),
    "Без отделки", "Свободно",
]  # fmt: skip


def test_the_csv_export_is_for_russian_excel_semicolons_bom_crlf_and_decimal_commas():
    data = write_csv([ROW])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text == (
        ";".join(c.header for c in COLUMNS)
        + "\r\n"
        + "Корпус 1;1;-1;П-1;Машино-место;0;нет;нет;нет;13,25;;0,50;1500000,50;113207,58;"
        "Без отделки;Свободно\r\n"
    )


def test_the_xlsx_export_keeps_numbers_as_numbers_with_their_formats():
    sheet = load_workbook(io.BytesIO(write_xlsx([ROW], "ЖК «Парк»"))).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    values = [c.value for c in sheet[2]]
    assert values[:9] == ["Корпус 1", 1, -1, "П-1", "Машино-место", 0, "нет", "нет", "нет"]
    assert values[9:14] == [13.25, None, 0.5, 1500000.5, 113207.58]
    formats = {c.header: cell.number_format for c, cell in zip(COLUMNS, sheet[2], strict=True)}
    assert formats["Секция"] == formats["Этаж"] == formats["Комнат"] == "0"
    assert formats["Общая площадь"] == formats["Площадь кухни"] == "0.00"
    assert formats["Цена"] == formats["Цена за м²"] == "#,##0.00"
    assert formats["Корпус"] == formats["Статус"] == "General"
    assert formats["Жилая площадь"] == "General"  # an empty cell is left plain


def test_the_xlsx_export_sets_column_widths_a_frozen_header_and_the_title():
    workbook = load_workbook(io.BytesIO(write_xlsx([], "ЖК «Парк»")))
    sheet = workbook.active
    assert workbook.properties.title == "ЖК «Парк»"
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert widths == [c.width for c in COLUMNS]


@pytest.mark.parametrize(
    ("title", "sheet_title"),
    [
        ("ЖК «Парк»", "ЖК «Парк»"),
        ("ЖК [Парк]: корпус 1/2", "ЖК  Парк   корпус 1 2"),
        ("Дом 'Звезда'?*\\", "Дом  Звезда"),
        ("???", "Прайс-лист"),
        ("", "Прайс-лист"),
        ("ЖК «Очень длинное название комплекса»", "ЖК «Очень длинное название комп"),
    ],
)
def test_the_xlsx_sheet_is_named_after_the_project_as_excel_allows(title, sheet_title):
    sheet = load_workbook(io.BytesIO(write_xlsx([], title))).active
    assert sheet.title == sheet_title
