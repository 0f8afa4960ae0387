"""Reading a CSV price list: the delimiter from the first line, the encoding from the header.

Excel in Russia saves "CSV" in Windows-1251 and older systems export KOI8-R; both decode
without an error whatever the bytes, so the code page chosen is the one in which the header
row names our columns. A file in which no encoding gives a header is refused as an encoding
problem, since its letters would be garbage anyway.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator

from engine.catalog.price_list import HEADER_SEARCH, REQUIRED, FileProblem, header_key
from engine.spreadsheet_text import csv_text_back

ZIP_MAGIC = b"PK\x03\x04"
LEGACY_ENCODINGS = ("cp1251", "koi8_r")  # a CSV not in UTF-8: the one its header reads in


log = logging.getLogger(__name__)


def csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    if data.startswith(ZIP_MAGIC):
        raise FileProblem("Файл назван .csv, но похож на книгу Excel: переименуйте его в .xlsx.")
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [csv_text_back(cell) for cell in cells]  # the export's text marks off
    except csv.Error as error:  # in practice a cell past the reader's limit: an unclosed quote
        log.info("unreadable csv: %r", error)
        raise FileProblem(
            "CSV не удалось разобрать: в файле незакрытая кавычка или слишком длинная ячейка. "
            "Сохраните таблицу как «CSV UTF-8»."
        ) from None


def _delimiter(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max(";,\t", key=first_line.count)


def _decode(data: bytes) -> str:
    """UTF-8 (or UTF-16 with its mark); otherwise the Cyrillic code page the header reads in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise FileProblem("Файл назван .csv, но это не текст. Сохраните таблицу как «CSV UTF-8».")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _has_header(text):
            return text
    names = ", ".join(c.header for c in REQUIRED)
    raise FileProblem(
        "Не найдена строка заголовков: похоже, дело в кодировке. Файл не в UTF-8, и ни в "
        "Windows-1251, ни в KOI8-R заголовки не читаются. Сохраните таблицу как «CSV UTF-8» "
        f"и загрузите снова. Нужны столбцы {names}."
    )


def _has_header(text: str) -> bool:
    lines = [line for line in text.splitlines()[: HEADER_SEARCH * 5] if line.strip()]
    reader = csv.reader(lines[:HEADER_SEARCH], delimiter=_delimiter(text))
    try:
        return any(header_key(value) for values in reader for value in values)
    except csv.Error:
        return False
