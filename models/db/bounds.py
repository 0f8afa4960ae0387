"""What the database can store, said once: ids, text and dates that every input is held to.

Whatever a form, a query string or a JSON body brings is checked against these bounds before
it reaches a query, so hostile input (an id of 2^31, a NUL byte, a lone surrogate, the year 1)
is a message to the user and never an error of the database or of a time-zone conversion.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, event

from models.db.errors import DomainError

# PostgreSQL's `integer`: every id and every counted column.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)

# Money is Numeric(14, 2), areas Numeric(8, 2): a number at or above these fits no column.
MONEY_LIMIT = 10**12
AREA_LIMIT = 10**6

# Dates a sale can involve; far enough to hold any contract, near enough that converting a
# moment between time zones never leaves the range of Python's datetime.
MIN_YEAR = 1900
MAX_YEAR = 2200
DATE_MESSAGE = f"Дата должна быть между {MIN_YEAR} и {MAX_YEAR} годом"

UNSTORABLE_TEXT = "Текст содержит недопустимый служебный символ; введите его заново"


def is_db_id(value: object) -> bool:
    """A positive integer that fits an id column (a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT_MAX


def fits_integer(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def storable(text: str) -> bool:
    """False for text that no database column takes: a NUL byte (PostgreSQL refuses it) or a
    lone surrogate (it has no UTF-8 form)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def date_in_range(value: date | datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


class UnstorableText(DomainError):
    """Text with a NUL byte or a lone surrogate reached a statement: the last line of defence
    behind the forms and the JSON reader, for a value read from a request by hand."""


def refuse_unstorable_text(engine: Engine) -> None:
    """Before any statement is sent: a parameter no database column takes is a DomainError
    (a 422 and nothing written), on SQLite exactly as on PostgreSQL."""

    @event.listens_for(engine, "before_cursor_execute")
    def check(connection, cursor, statement, parameters, context, executemany):
        pending = [parameters]  # a row, or rows: tuples, lists or dicts, nested
        while pending:
            item = pending.pop()
            if type(item) is str:
                if not storable(item):
                    raise UnstorableText(UNSTORABLE_TEXT)
            elif isinstance(item, dict):
                pending.extend(item.values())
            elif isinstance(item, list | tuple):
                pending.extend(item)
