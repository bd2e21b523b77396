"""Tokenizer: expression text to a list of tokens with 1-based columns.

Only printable ASCII is accepted; anything else is refused with its column and code
point, and the text is never Unicode-normalised.  Numbers are decimal float64 literals
and must be finite.

>>> [(t.text, t.column) for t in tokenize("2.5*x^2")]
[('2.5', 1), ('*', 4), ('x', 5), ('**', 6), ('2', 7), ('', 8)]
>>> tokenize("1e309")
Traceback (most recent call last):
...
engine.errors.ExpressionError: number '1e309' is too large for float64 at column 1
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import ExpressionError

__all__ = ["Token", "tokenize", "iter_tokens", "excerpt"]


@dataclass(frozen=True, slots=True)
class Token:
    """``kind`` is ``number``, ``name``, ``op`` or ``end``; ``column`` is 1-based.

    ``text`` is normalised (``^`` reads as ``**``); ``typed`` is what was typed, where it
    differs, so that messages quote the user's own text (:attr:`shown`).
    """

    kind: str
    text: str
    column: int
    value: float = 0.0
    typed: str | None = None

    @property
    def shown(self) -> str:
        """The token as typed."""
        return self.text if self.typed is None else self.typed


_DIGITS = frozenset("0123456789")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",", "[", "]")

# Characters that users try, with the reason we refuse them.
_REFUSED = {
    ".": "attribute access is not supported",
    "'": "strings are not supported",
    '"': "strings are not supported",
    "=": "'=' is not supported: type only the right-hand side, e.g. x**2 + y**2",
    ";": "';' is not supported: type a single expression",
    ":": "':' is not supported",
    "%": "'%' (modulo) is not supported",
    "@": "'@' is not supported",
    "{": "braces are not supported: use parentheses",
    "}": "braces are not supported: use parentheses",
    "<": "comparisons are not supported",
    ">": "comparisons are not supported",
    "!": "'!' is not supported (for a factorial there is no function yet)",
    "|": "'|' is not supported: write abs(x) for an absolute value",
    "&": "'&' is not supported",
    "~": "'~' is not supported",
    "`": "backquotes are not supported",
    "\\": "backslashes are not supported",
    "#": "comments are not supported",
    "$": "'$' is not supported",
    "?": "'?' is not supported",
}


def excerpt(text: str, limit: int = 20) -> str:
    """A short, escaped excerpt of user text that is safe to quote in a message.

    >>> excerpt("ab\\u2212c")
    'ab\\\\u2212c'
    """
    short = text[:limit]
    escaped = short.encode("ascii", "backslashreplace").decode("ascii")
    escaped = "".join(c if 32 <= ord(c) < 127 else f"\\x{ord(c):02x}" for c in escaped)
    return escaped + ("..." if len(text) > limit else "")


def _describe_character(char: str) -> str:
    """Name a refused character by code point only (the raw character is never echoed)."""
    code = ord(char)
    names = {
        0x2212: "minus sign: type '-'",
        0x00D7: "multiplication sign: type '*'",
        0x00F7: "division sign: type '/'",
        0x00A0: "no-break space",
        0x2009: "thin space",
        0x200B: "zero-width space",
        0x00B2: "superscript two: type '**2'",
        0x03C0: "Greek pi: type 'pi'",
        0x09: "tab",
        0x0A: "newline",
        0x0D: "carriage return",
    }
    label = names.get(code)
    if 0xD800 <= code <= 0xDFFF:
        label = "lone surrogate"
    elif label is None and code < 32 or code == 127:
        label = "control character"
    return f"character U+{code:04X}" + (f" ({label})" if label else "")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, refusing anything outside the language."""
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` one at a time, so a parser can stop early at a limit."""
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        column = position + 1
        if char == " ":
            position += 1
            continue
        if not (32 <= ord(char) < 127):
            raise ExpressionError(
                f"{_describe_character(char)} is not allowed; use printable ASCII only",
                column=column,
                code="bad_character",
            )
        # ASCII digits only: str.isdigit() is also true of '²' and other Unicode digits
        starts_fraction = char == "." and text[position + 1:position + 2] in _DIGITS
        if char.isdigit() or starts_fraction:
            match = _NUMBER.match(text, position)
            assert match is not None  # a digit or ".digit" always matches
            end = match.end()
            literal = match.group()
            _check_number_end(text, end, literal, column)
            value = float(literal)
            if not math.isfinite(value):
                raise ExpressionError(
                    f"number '{excerpt(literal)}' is too large for float64",
                    column=column,
                    code="number_too_large",
                )
            yield Token("number", literal, column, value)
            position = end
            continue
        if char.isalpha() or char == "_":
            match = _NAME.match(text, position)
            assert match is not None
            name = match.group()
            if char == "_":
                raise ExpressionError(
                    f"names must start with a letter: '{excerpt(name)}'",
                    column=column,
                    code="bad_name",
                )
            yield Token("name", name, column)
            position = match.end()
            continue
        if text.startswith("//", position):
            raise ExpressionError(
                "floor division '//' is not supported", column=column, code="bad_operator"
            )
        for operator in _OPERATORS:
            if text.startswith(operator, position):
                if operator == "^":  # a synonym of ** (as in the textbooks)
                    yield Token("op", "**", column, typed="^")
                else:
                    yield Token("op", operator, column)
                position += len(operator)
                break
        else:
            reason = _REFUSED.get(char, f"unexpected character '{char}'")
            if char == "." and not re.match(r"[A-Za-z_]", text[position + 1:position + 2]):
                reason = "a '.' must be part of a number such as 0.5"
            raise ExpressionError(reason, column=column, code="bad_character")
    yield Token("end", "", length + 1)


def _check_number_end(text: str, end: int, literal: str, column: int) -> None:
    """Refuse what may follow a number: ``2x``, ``1_000``, ``0x1F``, ``1j``, ``1.2.3``."""
    if end >= len(text):
        return
    following = text[end]
    if following == "_":
        raise ExpressionError(
            "digit separators '_' are not supported", column=end + 1, code="bad_number"
        )
    if following == ".":
        raise ExpressionError(
            f"malformed number '{excerpt(literal)}.'", column=column, code="bad_number"
        )
    if following in "xXoObB" and literal == "0" and end + 1 < len(text) and text[end + 1].isalnum():
        raise ExpressionError(
            "only decimal numbers are supported (no hex, octal or binary)",
            column=column,
            code="bad_number",
        )
    if following in "jJ" and (end + 1 >= len(text) or not text[end + 1].isalnum()):
        raise ExpressionError(
            "complex literals are not supported", column=column, code="bad_number"
        )
    after = text[end + 1] if end + 1 < len(text) else ""
    if following in "eE" and not any(c in "eE" for c in literal) and not after.isalnum():
        raise ExpressionError(
            f"malformed exponent in number '{excerpt(text[column - 1:end + 2])}'",
            column=column,
            code="bad_number",
        )
    if following.isalpha() or following == "(":
        name = re.match(r"[A-Za-z_]\w*|\(", text[end:])
        shown = name.group() if name else following
        example = f"{literal}*{shown}" if shown != "(" else f"{literal}*(...)"
        raise ExpressionError(
            f"implicit multiplication is not supported: write {excerpt(example, 30)}",
            column=column,
            code="implicit_multiplication",
        )
