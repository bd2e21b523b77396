"""The operator table shared by the printer and the code generator.

Python's own parser is the oracle: the generated code is Python, and the expression
language binds these operators as Python does, so text written from the table must
parse (with ``ast``) to exactly the tree it was written from.
"""

from __future__ import annotations

import ast
import itertools

import pytest

from engine.precedence import ATOM, FORMS, write

PYTHON_NODES = {"add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "div": ast.Div,
                "neg": ast.USub, "powi": ast.Pow, "pow": ast.Pow}


def _shape(node):
    """The operator tree of a Python expression, names as leaves."""
    if isinstance(node, ast.BinOp):
        return (type(node.op).__name__, _shape(node.left), _shape(node.right))
    if isinstance(node, ast.UnaryOp):
        return (type(node.op).__name__, _shape(node.operand))
    assert isinstance(node, ast.Name)
    return node.id


def _expected(op, children):
    return (PYTHON_NODES[op].__name__, *children)


@pytest.mark.parametrize("spaced", [False, True])
@pytest.mark.parametrize(("outer", "inner"), itertools.product(FORMS, FORMS))
def test_every_nesting_reads_back_as_written(outer, inner, spaced):
    leaves = iter("abcdefgh")
    inner_arity = len(FORMS[inner].operands)
    for position in range(len(FORMS[outer].operands)):
        inner_leaves = [next(leaves) for _ in range(inner_arity)]
        inner_text = write(inner, [(leaf, ATOM) for leaf in inner_leaves], spaced=spaced)
        operands, children = [], []
        for k in range(len(FORMS[outer].operands)):
            if k == position:
                operands.append(inner_text)
                children.append(_expected(inner, inner_leaves))
            else:
                leaf = next(leaves)
                operands.append((leaf, ATOM))
                children.append(leaf)
        text, level = write(outer, operands, spaced=spaced)
        assert level == FORMS[outer].level
        assert _shape(ast.parse(text, mode="eval").body) == _expected(outer, children), text


def test_parentheses_only_where_needed():
    assert write("sub", [("a - b", 1), ("c", ATOM)], spaced=True)[0] == "a - b - c"
    assert write("sub", [("a", ATOM), ("b - c", 1)], spaced=True)[0] == "a - (b - c)"
    assert write("powi", [("a**b", 4), ("2", ATOM)])[0] == "(a**b)**2"
    assert write("pow", [("a", ATOM), ("b**c", 4)])[0] == "a**b**c"
