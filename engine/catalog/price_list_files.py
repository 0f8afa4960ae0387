"""Price-list files: reading CSV and XLSX into parsed rows, writing rows to XLSX and CSV.

parse_table() reads every sheet of a workbook (a CSV is one sheet), finds each sheet's header
(columns in any order, within the first non-empty rows), parses every cell and collects every
problem with the row number the spreadsheet shows and, when the workbook has several sheets,
the sheet's name. A sheet without a header, an empty or a hidden one is passed over and said
so. A file that is not what its name says, or too big to read, is one problem for the whole file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.catalog.price_list import (
    BY_KEY,
    COLUMNS,
    HEADER_SEARCH,
    REQUIRED,
    CellError,
    FileProblem,
    Problem,
    header_key,
    is_empty,
    parse_cell,
)
from engine.catalog.price_list_csv import ZIP_MAGIC, csv_rows
from engine.catalog.price_list_xlsx import SPARE_ROWS, SheetRows, xlsx_sheets
from engine.spreadsheet_text import csv_text, xlsx_text_cell

log = logging.getLogger(__name__)

MAX_ROWS = 20_000  # the default of the setting catalog.import_max_rows
EXTENSIONS = (".xlsx", ".csv")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old XLS, or a password-protected workbook
FORMATS = {"area": "0.00", "money": "#,##0.00", "int": "0"}  # Excel shows #,##0 as 12 345
SAVE_AS = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)» или «CSV UTF-8»."
HIDDEN = (
    "он скрыт; если он нужен, покажите его в Excel (правой кнопкой по ярлыку листа → «Показать»)"
)
EMPTY = "он пуст"
NO_HEADER = f"в его первых {HEADER_SEARCH} заполненных строках нет заголовков столбцов"


@contextmanager
def read_sheets(data: bytes, filename: str, max_rows: int) -> Iterator[list[SheetRows]]:
    """The file's sheets (a CSV is one sheet without a name), readable inside the block."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls":
        raise FileProblem(f"Формат XLS (Excel 97–2003) не поддерживается. {SAVE_AS}")
    if suffix not in EXTENSIONS:
        shown = suffix or "без расширения"
        raise FileProblem(f"Неподдерживаемый тип файла ({shown}): загрузите XLSX или CSV.")
    if not data:
        raise FileProblem("Файл пуст.")
    if suffix == ".csv":
        yield [SheetRows("", False, csv_rows(data))]
        return
    if data.startswith(OLE_MAGIC):
        raise FileProblem(f"Файл сохранён в старом формате XLS или защищён паролем. {SAVE_AS}")
    if not data.startswith(ZIP_MAGIC):
        raise FileProblem(f"Файл назван .xlsx, но это не книга Excel. {SAVE_AS}")
    with xlsx_sheets(data, max_rows, HEADER_SEARCH) as sheets:
        yield sheets


def _filled(rows: Iterator[tuple[int, Sequence]], max_rows: int) -> Iterator[tuple[int, tuple]]:
    """The rows with a value; a sheet that runs on far past the row limit is refused."""
    last = max_rows + HEADER_SEARCH + SPARE_ROWS
    for number, values in rows:
        if number > last:
            raise FileProblem(
                f"В файле больше {_thousands(last)} строк, считая пустые. Удалите пустые "
                "строки под таблицей или скопируйте таблицу в новый файл и загрузите его."
            )
        if not all(is_empty(value) for value in values):
            yield number, tuple(values)


def parse_table(
    data: bytes,
    filename: str,
    problems: list[Problem],
    *,
    max_rows: int = MAX_ROWS,
    skipped: list[str] | None = None,
) -> list[ParsedRow]:
    """Rows of the file with their cells parsed; file, header and cell problems collected.

    Every sheet with a header row is read; why the others were passed over goes to `skipped`
    (or, when no sheet could be read, into the one problem of the file)."""
    try:
        with read_sheets(data, filename, max_rows) as sheets:
            return _parse(sheets, problems, max_rows, skipped if skipped is not None else [])
    except FileProblem as error:
        problems[:] = [Problem(None, "", error.message)]
        return []


def _add(problems: list[Problem], row: int | None, column: str, message: str, sheet="") -> None:
    problems.append(Problem(row, column, message, sheet))


@dataclass
class ParsedRow:
    row: int
    values: dict  # key → parsed value, for the cells that parsed
    bad_keys: set[str] = field(default_factory=set)  # cells already reported
    sheet: str = ""  # named only when the workbook has several sheets


def _parse(
    sheets: list[SheetRows], problems: list[Problem], max_rows: int, skipped: list[str]
) -> list[ParsedRow]:
    named = len(sheets) > 1
    parsed: list[ParsedRow] = []
    passed_over: list[tuple[str, str]] = []
    headers = 0
    for sheet in sheets:
        label = sheet.name if named else ""
        if sheet.hidden and named:
            passed_over.append((sheet.name, HIDDEN))
            continue
        rows = _filled(sheet.rows, max_rows)
        first, header = _find_header(rows)
        if header is None:
            if not named:
                _no_header(problems, first)
                return []
            passed_over.append((sheet.name, EMPTY if first is None else NO_HEADER))
            continue
        headers += 1
        positions = _header_positions(*header, problems, label)
        if positions is None:
            continue
        for number, values in rows:
            if len(parsed) == max_rows:
                message = f"В файле больше {_thousands(max_rows)} строк: разделите его на части"
                problems[:] = [Problem(number, "", message, label)]
                return []
            parsed.append(_parse_row(number, values, positions, problems, label))
    if not headers:
        names = ", ".join(c.header for c in REQUIRED)
        reasons = "; ".join(f"лист «{name}» — {why}" for name, why in passed_over)
        _add(
            problems,
            None,
            "",
            f"Ни на одном листе не найдена строка заголовков (нужны столбцы {names}): {reasons}.",
        )
        return []
    skipped.extend(f"Лист «{name}» пропущен: {why}." for name, why in passed_over)
    if not parsed and not problems:
        _add(problems, None, "", "В файле только заголовок: нет ни одной строки с помещениями")
    return parsed


def _find_header(rows: Iterator[tuple[int, tuple]]) -> tuple[int | None, tuple | None]:
    """(first row number, (header row number, values, keys)) within the first non-empty rows;
    the header is None when no row names a column, the first number None for an empty sheet."""
    first = None
    for _ in range(HEADER_SEARCH):
        number, values = next(rows, (None, None))
        if number is None:
            break
        first = first or number
        keys = [header_key(v) if v is not None else None for v in values]
        if any(keys):
            return first, (number, values, keys)
    return first, None


def _no_header(problems: list[Problem], first: int | None) -> None:
    if first is None:
        _add(problems, None, "", "Файл пуст: в нём нет ни заголовка, ни строк")
    else:
        names = ", ".join(c.header for c in REQUIRED)
        _add(problems, first, "", f"Не найдена строка заголовков: нужны столбцы {names}")


def _header_positions(
    number: int, values: tuple, keys: list, problems: list[Problem], sheet: str = ""
) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    found = []
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in positions:
            found.append((BY_KEY[key].header, "Столбец встречается в заголовке дважды"))
        positions[key] = index
    for column in REQUIRED:
        if column.key not in positions:
            found.append((column.header, f"Нет обязательного столбца «{column.header}»"))
    for header, message in found:
        _add(problems, number, header, message, sheet)
    return None if found else positions


def _parse_row(
    number: int,
    values: tuple,
    positions: dict[str, int],
    problems: list[Problem],
    sheet: str = "",
) -> ParsedRow:
    row = ParsedRow(number, {}, sheet=sheet)
    for key, index in positions.items():
        column = BY_KEY[key]
        if column.export_only:
            continue
        try:
            value = parse_cell(column, values[index] if index < len(values) else None)
        except CellError as error:
            _add(problems, number, column.header, error.message, sheet)
            row.bad_keys.add(key)
            continue
        if value is None and column.required:
            _add(problems, number, column.header, "Не заполнено", sheet)
            row.bad_keys.add(key)
            continue
        row.values[key] = value
    return row


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


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
            if isinstance(value, str):
                cells.append(xlsx_text_cell(sheet, value))  # text from data: never a formula
                continue
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
    if isinstance(value, str):
        return csv_text(value)  # text from data: Excel must not take it for a formula
    return str(value)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\']", " ", title).strip()
    return (cleaned or "Прайс-лист")[:31]
