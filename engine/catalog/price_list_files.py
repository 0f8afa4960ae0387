"""Price-list files: reading CSV and XLSX into parsed rows, writing rows to XLSX and CSV.

parse_table() finds the header (columns in any order, within the first non-empty rows),
parses every cell and collects every problem with the row number the spreadsheet shows;
a file that is not what its name says becomes one problem for the whole file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.catalog.price_list import (
    BY_KEY,
    COLUMNS,
    REQUIRED,
    CellError,
    Problem,
    header_key,
    is_empty,
    parse_cell,
)

log = logging.getLogger(__name__)

MAX_ROWS = 20_000
LIMIT_TEXT = "20 000"
HEADER_SEARCH = 10  # non-empty rows looked at to find the header
EXTENSIONS = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old XLS, or a password-protected workbook
FORMATS = {"area": "0.00", "money": "#,##0.00", "int": "0"}  # Excel shows #,##0 as 12 345
SAVE_AS = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)» или «CSV UTF-8»."


class FileProblem(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, tuple]]:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls":
        raise FileProblem(f"Формат XLS (Excel 97–2003) не поддерживается. {SAVE_AS}")
    if suffix not in EXTENSIONS:
        shown = suffix or "без расширения"
        raise FileProblem(f"Неподдерживаемый тип файла ({shown}): загрузите XLSX или CSV.")
    if not data:
        raise FileProblem("Файл пуст.")
    rows = _xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data)
    for number, values in rows:
        if not all(is_empty(value) for value in values):
            yield number, tuple(values)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    if data.startswith(OLE_MAGIC):
        raise FileProblem(f"Файл сохранён в старом формате XLS или защищён паролем. {SAVE_AS}")
    if not data.startswith(ZIP_MAGIC):
        raise FileProblem(f"Файл назван .xlsx, но это не книга Excel. {SAVE_AS}")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure to open is a bad file
        log.info("unreadable xlsx: %r", error)
        raise FileProblem(f"Файл XLSX повреждён или не является книгой Excel. {SAVE_AS}") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some generators write a wrong sheet size
        yield from enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    except Exception as error:  # noqa: BLE001 - a broken sheet is a bad file
        log.info("broken xlsx sheet: %r", error)
        raise FileProblem(f"Лист книги XLSX не удалось прочитать. {SAVE_AS}") from None
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    if data.startswith(ZIP_MAGIC):
        raise FileProblem("Файл назван .csv, но похож на книгу Excel: переименуйте его в .xlsx.")
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:  # in practice a cell past the reader's limit: an unclosed quote
        log.info("unreadable csv: %r", error)
        raise FileProblem(
            "CSV не удалось разобрать: в файле незакрытая кавычка или слишком длинная ячейка. "
            "Сохраните таблицу как «CSV UTF-8»."
        ) from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise FileProblem("Файл назван .csv, но это не текст. Сохраните таблицу как «CSV UTF-8».")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise FileProblem("Кодировка CSV не распознана: сохраните файл как «CSV UTF-8».") from None


def parse_table(data: bytes, filename: str, problems: list[Problem]) -> list[ParsedRow]:
    """Rows of the file with their cells parsed; file, header and cell problems collected."""
    try:
        return _parse(read_rows(data, filename), problems)
    except FileProblem as error:
        problems[:] = [Problem(None, "", error.message)]
        return []


def _add(problems: list[Problem], row: int | None, column: str, message: str) -> None:
    problems.append(Problem(row, column, message))


@dataclass
class ParsedRow:
    row: int
    values: dict  # key → parsed value, for the cells that parsed
    bad_keys: set[str] = field(default_factory=set)  # cells already reported


def _parse(rows: Iterator[tuple[int, tuple]], problems: list[Problem]) -> list[ParsedRow]:
    positions = _find_header(rows, problems)
    if positions is None:
        return []
    parsed = []
    for number, values in rows:
        if len(parsed) == MAX_ROWS:
            problems[:] = [
                Problem(number, "", f"В файле больше {LIMIT_TEXT} строк: разделите его на части")
            ]
            return []
        parsed.append(_parse_row(number, values, positions, problems))
    if not parsed:
        _add(problems, None, "", "В файле только заголовок: нет ни одной строки с помещениями")
    return parsed


def _find_header(
    rows: Iterator[tuple[int, tuple]], problems: list[Problem]
) -> dict[str, int] | None:
    first = None
    for _ in range(HEADER_SEARCH):
        number, values = next(rows, (None, None))
        if number is None:
            break
        first = first or number
        keys = [header_key(v) if v is not None else None for v in values]
        if any(keys):
            return _header_positions(number, keys, problems)
    if first is None:
        _add(problems, None, "", "Файл пуст: в нём нет ни заголовка, ни строк")
    else:
        names = ", ".join(c.header for c in REQUIRED)
        _add(problems, first, "", f"Не найдена строка заголовков: нужны столбцы {names}")
    return None


def _header_positions(number: int, keys: list, problems: list[Problem]):
    positions: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in positions:
            _add(problems, number, BY_KEY[key].header, "Столбец встречается в заголовке дважды")
        positions[key] = index
    for column in REQUIRED:
        if column.key not in positions:
            _add(problems, number, column.header, f"Нет обязательного столбца «{column.header}»")
    return None if problems else positions


def _parse_row(
    number: int, values: tuple, positions: dict[str, int], problems: list[Problem]
) -> ParsedRow:
    row = ParsedRow(number, {})
    for key, index in positions.items():
        column = BY_KEY[key]
        if column.export_only:
            continue
        try:
            value = parse_cell(column, values[index] if index < len(values) else None)
        except CellError as error:
            _add(problems, number, column.header, error.message)
            row.bad_keys.add(key)
            continue
        if value is None and column.required:
            _add(problems, number, column.header, "Не заполнено")
            row.bad_keys.add(key)
            continue
        row.values[key] = value
    return row


# --- writing -----------------------------------------------------------------------------


def write_xlsx(rows: list[list], sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    workbook.properties.title = sheet_title
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [FORMATS.get(column.kind) for column in COLUMNS]
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            if number_format is None or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: list[list]) -> bytes:
    """`;`-separated, UTF-8 with BOM and decimal comma: Excel in Russia opens it as is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\']", " ", title).strip()
    return (cleaned or "Прайс-лист")[:31]
