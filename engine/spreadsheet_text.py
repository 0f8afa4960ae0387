"""Text from data in the spreadsheets we write, kept text (no formula injection), and read back.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a
formula by Excel or LibreOffice: in a CSV as soon as it is opened, in an XLSX once the cell is
edited and confirmed. So text from data (a premise number «-1», a building «=СУММ(…)») is:
- in XLSX: a string cell (data type `s`; openpyxl would make `=…` a formula) with the quote
  prefix set, as when a person types an apostrophe before it: shown as text, never evaluated;
- in CSV: written with an apostrophe in front, which Excel reads as «this is text». The reader
  takes the apostrophe off again exactly where the writer put it (text that itself starts with
  apostrophes before such a character gets one more on export and loses one on import), so
  what the export writes, the import reads back unchanged.
Only text is marked: numbers, a negative price among them, are written as numbers.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _marked_on_export(text: str) -> bool:
    """Whether the CSV writer puts a mark before `text`: it starts like a formula, maybe after
    apostrophes of its own (so that the reader can tell those from the mark)."""
    return starts_like_formula(text.lstrip(TEXT_MARK))


def csv_text(text: str) -> str:
    """Text as a CSV cell: with the mark in front when Excel would take it for a formula."""
    return TEXT_MARK + text if _marked_on_export(text) else text


def csv_text_back(cell: str) -> str:
    """A CSV cell as the text `csv_text` was given: the mark taken off where it was put."""
    if cell.startswith(TEXT_MARK) and _marked_on_export(cell[1:]):
        return cell[1:]
    return cell


def xlsx_text_cell(sheet, text: str) -> WriteOnlyCell:
    """A write-only sheet's cell holding `text` as a string, never as a formula."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl makes text starting with "=" a formula
    if starts_like_formula(text):
        cell.quotePrefix = True  # edited in Excel, it stays text
    return cell
