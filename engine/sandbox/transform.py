"""Instrumentation of a checked syntax tree with calls to the run-time guards.

The tree has already passed ``sandbox_check``; this pass only adds guard calls:

- every call ``f(a)`` becomes ``_sb_call(f, a)`` (steps, depth, size checks);
- ``a ** b``, ``a * b``, ``a << b``, ``a + b``, ``a % b`` become ``_sb_op("**", a, b)``;
  ``x op= y`` checks ``x op y`` with ``_sb_aug`` before Python performs it;
- loop bodies, function bodies, lambdas and comprehension iterations count a step;
- collection displays, comprehension elements, values stored by subscript and ``*``/``**``
  operands are charged to the allocation budget;
- f-string fields are formatted by ``_sb_fmt``; comparisons count a step first;
- set and dict comprehensions, and set and dict displays with ``*``/``**``, are built by
  ``_sb_set`` / ``_sb_dict`` from a list, keys stored by subscript go through ``_sb_key``:
  their keys are checked for values sharing one hash (see ``sandbox_hashing``).
"""

from __future__ import annotations

import ast
import copy

from engine.sandbox.base import guard_name
from engine.sandbox.check import format_spec_text
from engine.sandbox.hashing import MAPPING, PAIRS

_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Pow: "**",
    ast.Mult: "*",
    ast.LShift: "<<",
    ast.Add: "+",
    ast.Mod: "%",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Sub: "-",
}


def instrument(tree: ast.AST) -> ast.AST:
    """Return a new tree with guard calls; the input tree is left untouched."""
    result = _Instrument().visit(copy.deepcopy(tree))
    return ast.fix_missing_locations(result)


def _guard(kind: str, *args: ast.expr, origin: ast.AST) -> ast.Call:
    call = ast.Call(
        func=ast.Name(id=guard_name(kind), ctx=ast.Load()), args=list(args), keywords=[]
    )
    return ast.copy_location(call, origin)


def _step(origin: ast.AST) -> ast.Call:
    return _guard("step", origin=origin)


def _is_constant_display(node: ast.AST) -> bool:
    if isinstance(node, ast.Dict):
        elements = [*node.values, *node.keys]
        return None not in node.keys and all(isinstance(e, ast.Constant) for e in elements)
    return all(isinstance(e, ast.Constant) for e in node.elts)  # type: ignore[attr-defined]


def _has_slice(index: ast.expr) -> bool:
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return any(isinstance(part, ast.Slice) for part in parts)


def _contains_subscript(target: ast.AST) -> bool:
    return any(isinstance(node, ast.Subscript) for node in ast.walk(target))


def _as_load(target: ast.expr) -> ast.expr:
    loaded = copy.deepcopy(target)
    loaded.ctx = ast.Load()  # type: ignore[attr-defined]
    return loaded


class _Instrument(ast.NodeTransformer):
    """Adds the guard calls; children are transformed before their parent is wrapped."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        for keyword in node.keywords:
            if keyword.arg is None:  # f(**mapping)
                keyword.value = _guard("star", keyword.value, origin=keyword.value)
        call = ast.Call(
            func=ast.Name(id=guard_name("call"), ctx=ast.Load()),
            args=[node.func, *node.args],
            keywords=node.keywords,
        )
        return ast.copy_location(call, node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        code = _GUARDED_OPERATORS.get(type(node.op))
        if code is None:
            return node
        return _guard("op", ast.Constant(code), node.left, node.right, origin=node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        code = _GUARDED_OPERATORS.get(type(node.op))
        if code is not None:
            # The target is read once more for the check: targets are names or subscripts.
            current = _as_load(node.target)
            node.value = _guard("aug", ast.Constant(code), current, node.value, origin=node)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        self.generic_visit(node)
        if any(_contains_subscript(target) for target in node.targets):
            node.value = _guard("item", node.value, origin=node.value)
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_step(node)), node))
        return node

    visit_While = visit_For

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_step(node)), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        node.body = ast.copy_location(ast.BoolOp(ast.And(), [_step(node), node.body]), node)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.ifs.insert(0, _step(node.iter))  # first, so filtered-out iterations count too
        return node

    def _visit_element_comprehension(self, node: ast.ListComp) -> ast.AST:
        self.generic_visit(node)
        node.elt = _guard("item", node.elt, origin=node.elt)
        return node

    visit_ListComp = _visit_element_comprehension
    visit_GeneratorExp = _visit_element_comprehension

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        self._visit_element_comprehension(node)
        items = ast.copy_location(ast.ListComp(node.elt, node.generators), node)
        return _guard("set", ast.Constant(False), items, origin=node)

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        self.generic_visit(node)
        key = _guard("item", node.key, origin=node.key)
        value = _guard("item", node.value, origin=node.value)
        pair = ast.copy_location(ast.Tuple([key, value], ast.Load()), node)
        pairs = ast.copy_location(ast.ListComp(pair, node.generators), node)
        return _guard("dict", ast.Constant(False), ast.Constant(PAIRS), pairs, origin=node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Store) and not _has_slice(node.slice):
            node.slice = _guard("key", node.slice, origin=node.slice)
        return node

    def _visit_display(self, node: ast.List) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            return node
        if _is_constant_display(node):
            return node
        return _guard("new", node, origin=node)

    visit_List = _visit_display
    visit_Tuple = _visit_display

    def visit_Set(self, node: ast.Set) -> ast.AST:
        if not any(isinstance(element, ast.Starred) for element in node.elts):
            return self._visit_display(node)
        self.generic_visit(node)
        items = ast.copy_location(ast.List(node.elts, ast.Load()), node)
        return _guard("set", ast.Constant(True), items, origin=node)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        if None not in node.keys:
            return node if _is_constant_display(node) else _guard("new", node, origin=node)
        parts: list[ast.expr] = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                parts += [ast.Constant(MAPPING), _guard("star", value, origin=value)]
                continue
            pair = ast.copy_location(ast.Tuple([key, value], ast.Load()), value)
            if parts and isinstance(parts[-1], ast.List):
                parts[-1].elts.append(pair)
            else:
                pairs = ast.copy_location(ast.List([pair], ast.Load()), node)
                parts += [ast.Constant(PAIRS), pairs]
        return _guard("dict", ast.Constant(True), *parts, origin=node)

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _guard("star", node.value, origin=node.value)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        node.left = _guard("tick", node.left, origin=node.left)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        spec = format_spec_text(node)
        self.generic_visit(node)
        conversion = ast.Constant(node.conversion)
        node.value = _guard("fmt", node.value, conversion, ast.Constant(spec), origin=node.value)
        node.conversion = -1
        node.format_spec = None
        return node
