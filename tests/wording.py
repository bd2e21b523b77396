"""What counts as an English word on the page, for the tests of the two languages
(``tests/app/test_i18n.py``, ``tests/browser/test_i18n.py``).

A *word* is a run of two or more Latin letters (digits and ``_`` may follow the first
letter: ``log10``, ``load_digits``).  Single letters are mathematics (``x``, ``f``, ``h``,
the ``e`` of ``1e-12``); Plotly's hover placeholders (``%{x:.4g}``) are not text.  These
words are *allowed* in every language -- the Chinese page keeps them as the textbooks
do:

* the expression language: every function and constant of the engine's primitive table
  (``sin``, ``exp``, ``relu``, ``pi``; the computation graph's operation names ``mul``,
  ``add``... are the same table) and the graph's ``var`` / ``const``;
* symbols written in Latin letters: ``lr`` (the learning rate), ``λmax`` / ``λmin``,
  ``eps`` (machine epsilon), ``Im`` and ``ih`` of the complex step, ``e_x`` (a basis
  vector), ``dX`` (a gradient in the layers' backward rules), ``softmax``;
* units: ``ms``, ``µs``;
* proper names the Chinese textbooks keep: optimizers (Adam, AdamW, AdaGrad, RMSProp,
  Nesterov, PyTorch's ``alpha``), initialisations (Xavier, He), activations (Sigmoid,
  ReLU), Richardson, the test functions (Rosenbrock, Himmelblau, Booth, Beale,
  Rastrigin), the digits' source (UCI optdigits, scikit-learn's load_digits), file
  formats and acronyms (API, PNG, SVG, CSV, JSON), the product (Slopescope, Plotly);
* the language menu's "English" (each language is named in its own words);
* the API's paths (``POST /network/train``) and file names (``slopescope-1d.ipynb``);
* the variable names of the function on screen (the caller passes them).

>>> english_words("f 有两个变量（x, y）：二维视图")
[]
>>> english_words("lr 0.1 时稳定，上界为 2/λmax; step %{x}")
['step']
>>> english_words("API 返回的结果（POST /network/train），已保存为 slopescope-1d.ipynb")
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import engine.ops

__all__ = ["ALLOWED", "english_words"]

ALLOWED = frozenset(
    set(engine.ops.PRIMITIVES) | set(engine.ops.CONSTANTS) | {"var", "const"}
    | {"lr", "max", "min", "eps", "Im", "ih", "softmax"}
    | {"ms"}
    | {"Adam", "AdamW", "AdaGrad", "RMSProp", "Nesterov", "PyTorch", "alpha",
       "Xavier", "He", "Sigmoid", "ReLU", "Richardson",
       "Rosenbrock", "Himmelblau", "Booth", "Beale", "Rastrigin",
       "UCI", "optdigits", "scikit", "learn", "load_digits",
       "API", "PNG", "SVG", "CSV", "JSON", "Slopescope", "Plotly", "js", "Jupyter"}
    | {"English"}
)

_PLOTLY_PLACEHOLDER = re.compile(r"%\{[^}]*\}|<br>|<extra></extra>")
_NAME = re.compile(r"\b(?:GET|POST) /[\w/.-]*|[\w.-]+\.(?:ipynb|csv|json|png|svg)\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SYMBOL = re.compile(r"e_\w+|d[A-Z]\w?")


def english_words(text: str, variables: Iterable[str] = ()) -> list[str]:
    """The words of ``text`` that are neither allowed nor the function's ``variables``."""
    allowed = ALLOWED | set(variables)
    text = _NAME.sub(" ", _PLOTLY_PLACEHOLDER.sub(" ", text))
    found = []
    for word in _WORD.findall(text):
        letters = sum(ch.isalpha() for ch in word)
        if letters < 2 or word in allowed or _SYMBOL.fullmatch(word):
            continue
        found.append(word)
    return found
