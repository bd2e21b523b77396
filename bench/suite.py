"""Run every part of the suite, profile what misses its target, write the report."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from pathlib import Path

import engine

from .accuracy import run_accuracy
from .browser import run_browser
from .config import Config
from .descent import run_descent
from .fields import run_fields, run_first_field
from .http import run_http
from .network import run_network
from .profiling import profile_lines
from .report import Section, write_report
from .sweep import run_sweep

__all__ = ["PARTS", "run_suite", "DEFAULT_OUTPUT"]

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"

PARTS: dict[str, Callable[[Config], Section]] = {
    "fields": run_fields,
    "first-field": run_first_field,
    "descent": run_descent,
    "sweep": run_sweep,
    "network": run_network,
    "accuracy": run_accuracy,
    "http": run_http,
    "browser": run_browser,
}


def _profile_misses(section: Section, repeat: int) -> None:
    for target in section.targets:
        key = target.profile
        if target.met is False and key and key in section.profiles and \
                key not in section.profiled:
            section.profiled[key] = profile_lines(section.profiles[key][1], repeat=repeat)


def run_suite(config: Config, output: Path = DEFAULT_OUTPUT,
              parts: list[str] | None = None, log: Callable[[str], None] = print
              ) -> tuple[list[Section], str]:
    """Run ``parts`` (default: all) and write ``output``; returns the sections and text."""
    start = time.perf_counter()
    # The server keeps freed memory for reuse (app/main.py); measure the engine as it runs
    # there.  The hand-written baselines share the process and the setting.
    engine.keep_freed_memory()
    sections = []
    for name in parts or list(PARTS):
        began = time.perf_counter()
        log(f"[bench] {name} ...")
        try:
            section = PARTS[name](config)
            _profile_misses(section, repeat=1 if config.mode == "tiny" else 3)
        except Exception:
            section = Section(f"{name} (failed)", body=["```", traceback.format_exc(), "```"],
                              failed=True)
        log(f"[bench] {name} done in {time.perf_counter() - began:.1f} s"
            + (" — FAILED" if section.failed else ""))
        sections.append(section)
    text = write_report(output, sections, config.mode, time.perf_counter() - start)
    return sections, text
