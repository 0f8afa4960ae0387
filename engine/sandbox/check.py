"""Static validation of expressions and scripts: a whitelist of syntax, names and attributes.

Nothing here runs the source. ``parse_checked`` returns the syntax tree together with every
problem found, so a diagram containing an escape attempt can be refused when it is saved.
"""

from __future__ import annotations

import ast
import re
from typing import Literal

from engine.sandbox.base import Limits, Problem

Mode = Literal["eval", "exec"]

IMPORT_REFUSED = "Импорт запрещён"
ANNOTATIONS_REFUSED = "Аннотации типов не поддерживаются"
ASYNC_REFUSED = "Асинхронный код (async/await) запрещён"
PERCENT_REFUSED = "Форматирование строк через % запрещено, используйте f-строки"

# Syntax that is refused outright, with the reason shown to the analyst.
REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Import: IMPORT_REFUSED,
    ast.ImportFrom: IMPORT_REFUSED,
    ast.ClassDef: "Определение классов (class) запрещено",
    ast.AsyncFunctionDef: ASYNC_REFUSED,
    ast.AsyncFor: ASYNC_REFUSED,
    ast.AsyncWith: ASYNC_REFUSED,
    ast.Await: ASYNC_REFUSED,
    ast.With: "Конструкция with запрещена",
    ast.Try: "Обработка исключений (try/except) запрещена",
    ast.TryStar: "Обработка исключений (try/except) запрещена",
    ast.Raise: "Оператор raise запрещён",
    ast.Global: "Операторы global и nonlocal запрещены",
    ast.Nonlocal: "Операторы global и nonlocal запрещены",
    ast.Yield: "Генераторы с yield запрещены",
    ast.YieldFrom: "Генераторы с yield запрещены",
    ast.Match: "Конструкция match запрещена",
    ast.AnnAssign: ANNOTATIONS_REFUSED,
}

ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.Delete, ast.Pass,
        ast.Break, ast.Continue, ast.If, ast.For, ast.While, ast.FunctionDef, ast.Return,
        ast.Lambda, ast.Assert, ast.BoolOp, ast.NamedExpr, ast.BinOp, ast.UnaryOp, ast.IfExp,
        ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
        ast.Compare, ast.Call, ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute,
        ast.Subscript, ast.Starred, ast.Name, ast.List, ast.Tuple, ast.Slice, ast.Load,
        ast.Store, ast.Del, ast.comprehension, ast.arguments, ast.arg, ast.keyword,
        ast.boolop, ast.operator, ast.unaryop, ast.cmpop,
    }
)  # fmt: skip

# Names that give a way out of any sandbox: refused wherever they appear.
FORBIDDEN_NAMES = frozenset(
    {
        "eval", "exec", "compile", "getattr", "setattr", "delattr", "globals", "locals",
        "vars", "breakpoint", "memoryview", "bytearray", "bytes", "classmethod",
        "staticmethod", "super", "help", "exit", "quit",
    }
)  # fmt: skip

# Builtins that are not offered; they may still be names of task data, so only calls are refused.
FORBIDDEN_CALLS = frozenset(
    {
        "open", "type", "object", "id", "dir", "input", "print", "property", "hash", "iter",
        "next", "callable", "issubclass", "format", "repr", "ascii", "chr", "ord", "map",
        "filter", "pow", "hasattr", "frozenset", "slice", "complex",
    }
)  # fmt: skip

# Attributes that format strings, reach interpreter internals or allocate without bound.
DENIED_ATTRIBUTES = frozenset(
    {
        "format", "format_map", "mro", "translate", "maketrans", "expandtabs", "encode",
        "decode", "from_bytes", "to_bytes", "from_float", "as_integer_ratio",
        "with_traceback", "throw", "send", "func_globals", "func_code", "func_closure",
    }
)  # fmt: skip
DENIED_PREFIXES = ("_", "gi_", "f_", "co_", "cr_", "ag_", "tb_", "func_", "im_")

_NUMBER = re.compile(r"\d+")


def parse_checked(source: str, mode: Mode, limits: Limits) -> tuple[ast.AST | None, list[Problem]]:
    """Parse ``source`` and return its tree with the list of problems (empty when safe)."""
    if not isinstance(source, str):
        return None, [Problem("Текст выражения должен быть строкой")]
    if len(source) > limits.max_source:
        message = f"Текст слишком длинный: {len(source)} символов (предел {limits.max_source})"
        return None, [Problem(message)]
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as err:
        return None, [Problem(f"Синтаксическая ошибка: {err.msg}", err.lineno)]
    except (ValueError, RecursionError, MemoryError):
        return None, [Problem("Текст не удаётся разобрать: он слишком сложный или повреждён")]
    checker = _Checker(limits)
    checker.visit(tree, 0)
    return tree, checker.problems


class _Checker:
    """Walks the tree once and collects every refused construct."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.problems: list[Problem] = []

    def refuse(self, node: ast.AST, message: str) -> None:
        self.problems.append(Problem(message, getattr(node, "lineno", None)))

    def visit(self, node: ast.AST, depth: int) -> None:
        if depth > self.limits.max_nesting:
            self.refuse(node, f"Слишком глубокая вложенность (предел {self.limits.max_nesting})")
            return
        kind = type(node)
        if kind in REFUSED_NODES:
            self.refuse(node, REFUSED_NODES[kind])
            return
        if not any(issubclass(kind, allowed) for allowed in ALLOWED_NODES):
            self.refuse(node, f"Конструкция «{kind.__name__}» не разрешена")
            return
        check = getattr(self, f"check_{kind.__name__}", None)
        if check is not None:
            check(node)
        for child in ast.iter_child_nodes(node):
            self.visit(child, depth + 1)

    def check_name(self, node: ast.AST, name: str) -> None:
        if name == "__import__":
            self.refuse(node, IMPORT_REFUSED)
        elif name.startswith("_"):
            self.refuse(node, f"Запрещено обращение к имени «{name}»")
        elif name in FORBIDDEN_NAMES:
            self.refuse(node, f"Функция «{name}» запрещена")

    def check_Name(self, node: ast.Name) -> None:
        self.check_name(node, node.id)

    def check_arg(self, node: ast.arg) -> None:
        self.check_name(node, node.arg)
        if node.annotation is not None:
            self.refuse(node, ANNOTATIONS_REFUSED)

    def check_keyword(self, node: ast.keyword) -> None:
        if node.arg is not None and node.arg.startswith("_"):
            self.refuse(node, f"Запрещён именованный аргумент «{node.arg}»")

    def check_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.check_name(node, node.name)
        if node.decorator_list:
            self.refuse(node, "Декораторы запрещены")
        if node.returns is not None:
            self.refuse(node, ANNOTATIONS_REFUSED)

    def check_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in DENIED_ATTRIBUTES or attr.startswith(DENIED_PREFIXES):
            hint = " (используйте f-строки)" if attr in ("format", "format_map") else ""
            self.refuse(node, f"Запрещено обращение к атрибуту «{attr}»{hint}")
        elif not isinstance(node.ctx, ast.Load):
            self.refuse(node, f"Изменение атрибутов запрещено («{attr}»)")

    def check_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
            self.refuse(node, f"Функция «{func.id}» недоступна в выражениях")

    def check_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bytes):
            self.refuse(node, "Байтовые строки не поддерживаются")

    def check_comprehension(self, node: ast.comprehension) -> None:
        if node.is_async:
            self.refuse(node.target, ASYNC_REFUSED)

    def check_BinOp(self, node: ast.BinOp) -> None:
        left = node.left
        text = isinstance(left, ast.JoinedStr) or (
            isinstance(left, ast.Constant) and isinstance(left.value, str)
        )
        if isinstance(node.op, ast.Mod) and text:
            self.refuse(node, PERCENT_REFUSED)

    def check_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        if spec is None:
            return
        parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
        if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            self.refuse(node, "Вычисляемая спецификация формата в f-строке запрещена")
            return
        text = "".join(p.value for p in parts)  # type: ignore[attr-defined]
        numbers = [int(n) for n in _NUMBER.findall(text)]
        if any(n > self.limits.max_format_number for n in numbers):
            limit = self.limits.max_format_number
            self.refuse(node, f"Слишком большая ширина или точность в формате (предел {limit})")


def format_spec_text(node: ast.FormattedValue) -> str:
    """The constant format spec of an already checked f-string field ('' when absent)."""
    spec = node.format_spec
    if spec is None:
        return ""
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    return "".join(p.value for p in parts if isinstance(p, ast.Constant))
