"""Slopescope's benchmark suite: speed as same-run ratios, accuracy against 50-digit truth.

``python -m bench`` (full) or ``python -m bench --quick`` (under a minute; CI) writes
``bench/RESULTS.md``.  Nothing here asserts a time: the report says met / not met.

Parts, one module each: :mod:`bench.fields` (gradient fields and the first field),
:mod:`bench.descent`, :mod:`bench.accuracy` (corpus in :mod:`bench.corpus`),
:mod:`bench.http`, :mod:`bench.browser` (the page in Chromium); :mod:`bench.timing` does
interleaved repetitions and ratios,
:mod:`bench.report` writes the file.  jax, numdifftools and scipy are optional
(``pip install -e ".[bench]"``) and skipped with a note when absent.
"""

from .config import Config
from .suite import DEFAULT_OUTPUT, PARTS, run_suite

__all__ = ["Config", "DEFAULT_OUTPUT", "PARTS", "run_suite"]
