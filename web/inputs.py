"""The one place where what arrives in a request is bounded before any view reads it.

- `<int:...>` in a route takes 1 … 2^31-1 only: a larger id is a 404, not a database error.
- `page_number()`: a query id or page out of range is the default.
- Every JSON body (API, the diagram editor, anything `request.get_json` reads) is parsed by
  `SafeJSONProvider`: nesting deeper than `MAX_JSON_DEPTH`, a NUL byte or a lone surrogate in
  any string or key is refused with `UnreadableJson`, a ValueError naming the field, so the
  caller's usual «not JSON» answer applies and nothing is written.
- A NUL byte in a query argument or a path is refused with 400 before the view runs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from models.db.bounds import INT_MAX, UNSTORABLE_TEXT, storable

MAX_JSON_DEPTH = 32
TOO_DEEP = f"Слишком глубокая вложенность JSON: не больше {MAX_JSON_DEPTH} уровней"


def _up_to(limit: int) -> str:
    """A regex matching exactly the numbers 1 … limit written without leading zeros."""
    digits = str(limit)
    options = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            options.append(
                f"{digits[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else "")
            )
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` as an id: 1 … 2^31-1 (PostgreSQL's integer). The bound is in the regex, so
    a larger number matches no route at all (404), whatever the method."""

    regex = _up_to(INT_MAX)


def db_int(text: str) -> int:
    """A `type=` for `request.args.get`: an id or a page number, 1 … 2^31-1; anything else
    raises ValueError, which makes `get` return its default."""
    text = text.strip()
    if not text.isdigit() or len(text) > len(str(INT_MAX)):
        raise ValueError(text)
    value = int(text)
    if not 1 <= value <= INT_MAX:
        raise ValueError(text)
    return value


def page_number() -> int:
    """The `page` of a list: 1 unless the query names a page 1 … 2^31-1. Pass it to
    `db.paginate(page=...)`, which would otherwise read the raw argument itself."""
    return request.args.get("page", 1, type=db_int)


class UnreadableJson(ValueError):
    """A JSON body refused before any view sees it; `field` is where: `client.full_name`."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class SafeJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = super().loads(s, **kwargs)
        except RecursionError:  # the C parser's own limit, far below 100,000 levels
            raise UnreadableJson("body", TOO_DEEP) from None
        check_json(data)
        return data


def check_json(data: Any) -> None:
    """Walk a parsed body (without recursion): its depth, and every string and key."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            if not storable(value):
                raise UnreadableJson(path or "body", UNSTORABLE_TEXT)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise UnreadableJson(path or "body", TOO_DEEP)
        if isinstance(value, list):
            pending.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
            continue
        for key, item in value.items():
            name = f"{path}.{key}" if path else key
            if not storable(key):
                raise UnreadableJson(path or "body", UNSTORABLE_TEXT)
            pending.append((item, name, depth + 1))


def refuse_nul_in_url() -> None:
    """A NUL byte in a query argument or a path segment reaches no query: 400."""
    texts = [text for pair in request.args.items(multi=True) for text in pair]
    texts += [v for v in (request.view_args or {}).values() if isinstance(v, str)]
    if not all(storable(text) for text in texts):
        raise BadRequest(UNSTORABLE_TEXT)


def register(app: Flask) -> None:
    """Before any blueprint: the converter applies to the routes registered after it."""
    app.url_map.converters["int"] = IdConverter
    app.json = SafeJSONProvider(app)
    app.before_request(refuse_nul_in_url)
