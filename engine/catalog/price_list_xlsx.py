"""Reading an XLSX price list: every sheet in order, with its bounds checked before unpacking.

An XLSX is a zip of XML parts, and a small upload may unpack to gigabytes (a "zip bomb") or
hold millions of empty formatted rows that openpyxl walks one by one. So, before openpyxl
sees the file:

1. the sizes the zip's directory declares are added up and refused above unpacked_limit()
   (Python's zipfile never unpacks a member past its declared size, so this bound holds);
2. each sheet's XML is scanned as bytes, chunk by chunk, counting row and cell tags: a sheet
   with more rows than the row limit allows (plus a few spare, empty ones) or a row with more
   than MAX_CELLS_PER_ROW cells is refused as soon as the scan gets there;
3. the shared strings (text cells' texts, which openpyxl reads all at once) are counted the
   same way: more than STRINGS_PER_ROW for each row the limit allows is refused.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

from engine.catalog.price_list import FileProblem

log = logging.getLogger(__name__)

MB = 1024 * 1024
UNPACKED_LIMIT = 40 * MB  # a 20,000-row price list unpacks to about 19 MB
UNPACKED_PER_ROW = 2 * 1024  # with a higher row limit the bound grows with it
MAX_CELLS_PER_ROW = 1_000  # a price list has 16 columns
SPARE_ROWS = 1_000  # empty (formatted) rows a sheet may have beyond the row limit
STRINGS_PER_ROW = 20  # distinct texts per row: a price list has 16 columns
CHUNK = MB
SAVE_AS = "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)» или «CSV UTF-8»."
NEW_BOOK = "или скопируйте таблицу с помещениями в новую книгу"

# Tags with any namespace prefix (<row …>, <x:row …>): a row, a cell, a cell's value.
ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
VALUE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)[\s/>]")
STRING_TAG = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


@dataclass
class SheetRows:
    name: str
    hidden: bool
    rows: Iterator[tuple[int, tuple]]  # (row number as Excel shows it, cell values)


@contextmanager
def xlsx_sheets(data: bytes, row_limit: int, header_rows: int) -> Iterator[list[SheetRows]]:
    """The workbook's sheets in order, readable inside the block; raises FileProblem for a
    file refused whole. `row_limit` rows of premises plus `header_rows` rows above them may
    have values."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        log.info("unreadable xlsx: %r", error)
        raise FileProblem(f"Файл XLSX повреждён или не является книгой Excel. {SAVE_AS}") from None
    _check_unpacked_size(members, unpacked_limit(row_limit))
    sheets, strings = _parts(data)
    for name, path in sheets:
        _scan_sheet(archive, path, name, row_limit, header_rows)
    if strings:
        _scan_strings(archive, strings, (row_limit + header_rows + SPARE_ROWS) * STRINGS_PER_ROW)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure to open is a bad file
        log.info("unreadable xlsx: %r", error)
        raise FileProblem(f"Файл XLSX повреждён или не является книгой Excel. {SAVE_AS}") from None
    try:
        yield [
            SheetRows(sheet.title, sheet.sheet_state != "visible", _sheet_rows(sheet))
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _sheet_rows(sheet) -> Iterator[tuple[int, tuple]]:
    try:
        sheet.reset_dimensions()  # some generators write a wrong sheet size
        yield from enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    except Exception as error:  # noqa: BLE001 - a broken sheet is a bad file
        log.info("broken xlsx sheet: %r", error)
        raise FileProblem(
            f"Лист «{sheet.title}» книги XLSX не удалось прочитать. {SAVE_AS}"
        ) from None


def unpacked_limit(row_limit: int) -> int:
    """Bytes a workbook may unpack to: 40 MB, or more for a row limit above 20,480 (in whole
    megabytes, as the page and the messages show it)."""
    megabytes = -(-row_limit * UNPACKED_PER_ROW // MB)
    return max(UNPACKED_LIMIT, megabytes * MB)


def _check_unpacked_size(members: list[zipfile.ZipInfo], limit: int) -> None:
    unpacked = sum(member.file_size for member in members)
    if unpacked > limit:
        raise FileProblem(
            f"Книга XLSX слишком велика: распакованная, она занимает {_mb(unpacked)} МБ, "
            f"а допустимо не больше {_mb(limit)} МБ. Так бывает из-за тысяч пустых "
            f"строк или столбцов с оформлением: удалите их {NEW_BOOK} и загрузите её."
        )


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}".replace(",", " ")


def _parts(data: bytes) -> tuple[list[tuple[str, str]], str | None]:
    """(sheet name, path in the zip) of each worksheet and the shared strings' path, read from
    the package's manifest and the workbook part only."""
    try:
        reader = ExcelReader(io.BytesIO(data))
        reader.read_manifest()
        reader.read_workbook()
        sheets = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        strings = reader.package.find(SHARED_STRINGS)
        path = strings.PartName[1:] if strings is not None else None
        return sheets, path if path in reader.valid_files else None
    except Exception as error:  # noqa: BLE001 - any failure to open is a bad file
        log.info("unreadable xlsx workbook part: %r", error)
        raise FileProblem(f"Файл XLSX повреждён или не является книгой Excel. {SAVE_AS}") from None


def _chunks(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """The part's bytes in chunks that never cut a tag's name (a cut one goes to the next)."""
    carry = b""
    with archive.open(path) as stream:
        while chunk := stream.read(CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"<", max(0, len(buffer) - 64))
            text, carry = (buffer[:cut], buffer[cut:]) if cut >= 0 else (buffer, b"")
            yield text
    yield carry


def _scan_strings(archive: zipfile.ZipFile, path: str, allowed: int) -> None:
    count = 0
    for text in _chunks(archive, path):
        count += len(STRING_TAG.findall(text))
        if count > allowed:
            raise FileProblem(
                f"В книге XLSX больше {_thousands(allowed)} разных текстов — больше, чем "
                f"может быть в прайс-листе. Удалите лишние листы и ячейки {NEW_BOOK} "
                "и загрузите её."
            )


def _scan_sheet(
    archive: zipfile.ZipFile, path: str, name: str, row_limit: int, header_rows: int
) -> None:
    """Count the sheet's rows and each row's cells in its raw XML; refuse as soon as a bound
    is passed. The XML is never parsed here, so the scan costs little memory and time."""
    value_rows_allowed = row_limit + header_rows
    row_cap = value_rows_allowed + SPARE_ROWS
    rows = value_rows = cells = 0
    has_value = False
    for text in _chunks(archive, path):
        for index, piece in enumerate(ROW_TAG.split(text)):
            if index:  # a new row starts here
                rows, value_rows = rows + 1, value_rows + has_value
                cells, has_value = 0, False
                if rows > row_cap:
                    _too_many_rows(name, value_rows > value_rows_allowed, row_limit, row_cap)
            cells += len(CELL_TAG.findall(piece))
            if cells > MAX_CELLS_PER_ROW:
                raise FileProblem(
                    f"Лист «{name}»: в строке {rows} больше "
                    f"{_thousands(MAX_CELLS_PER_ROW)} ячеек. "
                    f"Удалите лишние столбцы справа от таблицы {NEW_BOOK} и загрузите её."
                )
            has_value = has_value or VALUE_TAG.search(piece) is not None


def _too_many_rows(name: str, filled: bool, row_limit: int, row_cap: int) -> None:
    if filled:
        raise FileProblem(
            f"Лист «{name}»: в нём больше {_thousands(row_limit)} строк с помещениями. "
            "Разделите прайс-лист на несколько файлов."
        )
    raise FileProblem(
        f"Лист «{name}»: в нём больше {_thousands(row_cap)} строк, почти все пустые "
        f"(с оформлением). Удалите пустые строки под таблицей {NEW_BOOK} и загрузите её."
    )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")
