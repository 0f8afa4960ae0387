"""Camunda's JUEL expressions (`${amount > 1000}`) in a diagram, and their Python translation.

The engine evaluates Python. A JUEL text is never run: the check names it at its element, and
the import of a file translates the simple forms (variable names, numbers, strings, `true`,
`false`, `null`, comparisons, `&&` `||` `!` and their word forms, parentheses) and leaves the rest
for the analyst, listed as problems of the draft. Arithmetic (`+ - * / %`) is the same in both.
"""

from __future__ import annotations

import ast
import keyword
import re

_JUEL = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'[^'\\]*'|"[^"\\]*")
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()+\-*/%])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.X,
)
_OPERATORS = {"&&": "and", "||": "or", "!": "not"}
_WORDS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "true": "True",
    "false": "False",
    "null": "None",
}
# JUEL words with no simple Python twin: the analyst rewrites those by hand
_UNTRANSLATED = frozenset({"empty", "div", "mod", "instanceof"})


def is_juel(text: str | None) -> bool:
    return bool(text) and _JUEL.match(text) is not None


def translate(text: str) -> str | None:
    """The Python for a simple JUEL expression, or None when it needs a person."""
    found = _JUEL.match(text or "")
    if found is None:
        return None
    body, tokens, position = found.group(1), [], 0
    while position < len(body.rstrip()):
        token = _TOKEN.match(body, position)
        if token is None:
            return None
        position = token.end()
        kind, value = token.lastgroup, token.group(token.lastgroup)
        if kind == "name":
            if value in _UNTRANSLATED or body[position:].lstrip().startswith("("):
                return None  # a JUEL operator we do not map, or a method/function call
            value = _WORDS.get(value, value)
            if value not in _WORDS.values() and keyword.iskeyword(value):
                return None
        elif kind == "op":
            value = _OPERATORS.get(value, value)
        tokens.append(value)
    python = " ".join(tokens).replace("( ", "(").replace(" )", ")")
    if not tokens:
        return None
    try:
        ast.parse(python, mode="eval")
    except SyntaxError:
        return None
    return python
