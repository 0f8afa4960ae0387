"""Where a form may send the user back to: a path on this site, never another site.

Every view that reads a `next` value (login, the client card's forms, notifications) passes it
through `safe_next`. Browsers are lenient with what they follow: they drop tabs and newlines
inside a URL (`/\\t/evil.example` becomes `//evil.example`, another host), treat `\\` as `/`,
and read `//host` as «the same scheme, another host». So only a plain absolute path is kept:
one leading `/`, no scheme, no host, no backslash, no whitespace or control character, and its
path the same once percent-decoded (a search in the query keeps its encoded spaces).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_NEXT_LENGTH = 2000


def safe_next(value: object, default: str) -> str:
    """`value` when it is a local path, else `default`."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return default
    path = value.split("?", 1)[0].split("#", 1)[0]
    if _is_local_path(value) and _is_local_path(unquote(path)):
        return value
    return default


def _is_local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if "\\" in value or any(_invisible_or_space(char) for char in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def _invisible_or_space(char: str) -> bool:
    """Whitespace, control and format characters (tab, newline, NUL, zero-width space…)."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")
