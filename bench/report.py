"""Results of each part of the suite, and ``bench/RESULTS.md`` written from them."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Target", "Section", "machine", "versions", "write_report", "table"]

VERDICTS = {True: "met", False: "**not met**", None: "skipped"}


@dataclass
class Target:
    """One target of the issue: what was measured and whether it is met (None: skipped)."""

    target: str
    measured: str
    met: bool | None
    note: str = ""
    profile: str | None = None
    """Key into :attr:`Section.profiles` of the code to profile when the target is missed."""


@dataclass
class Section:
    """One part of the suite: its tables (markdown lines), targets, notes and profilers."""

    title: str
    body: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, tuple[str, Callable[[], Any]]] = field(default_factory=dict)
    """key -> (what is profiled, zero-argument call)"""
    profiled: dict[str, list[str]] = field(default_factory=dict)
    failed: bool = False
    """Set when a part that should have run raised: ``python -m bench`` then exits 1."""


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> list[tuple[str, str]]:
    return [
        ("cpu", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("memory", _memory()),
        ("os", platform.platform()),
        ("allocator", "glibc malloc keeps freed memory (engine.keep_freed_memory(), as the "
                      "server does)"),
    ]


_PACKAGES = ("numpy", "jax", "jaxlib", "numdifftools", "scipy", "sympy", "mpmath", "fastapi",
             "uvicorn", "httpx")


def versions() -> list[tuple[str, str]]:
    found = [("python", platform.python_version())]
    for name in _PACKAGES:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, "absent"))
    return found


def write_report(path: Path, sections: list[Section], mode: str, seconds: float) -> str:
    """Write the report and return its text."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python -m bench" + ("" if mode == "full" else f" --{mode}")
    lines = [
        "# Slopescope benchmark results",
        "",
        f"Written by `{command}` on {now}; the run took {seconds:.0f} s.",
        "",
        "Every time is the **median of interleaved repetitions** (each round runs every case "
        "of a comparison once, in rotating order; fast calls are repeated within a sample). "
        "Every ratio is computed within each round and given as **median (min–max across "
        "rounds)**. The machine is shared, so absolute times drift; ratios are what the "
        "targets are about. No target is asserted anywhere: this file reports.",
        "",
        "## Machine",
        "",
        *table(["", ""], [[k, v] for k, v in machine()]),
        "",
        "## Versions",
        "",
        *table(["package", "version"], [[k, v] for k, v in versions()]),
        "",
        "## Targets",
        "",
    ]
    rows = []
    for section in sections:
        for t in section.targets:
            rows.append([t.target, t.measured, VERDICTS[t.met] + (f" — {t.note}" if t.note
                                                                   else "")])
    lines += table(["target", "measured: median (min–max)", "verdict"], rows)
    missed = [t.target for s in sections for t in s.targets if t.met is False]
    skipped = [t.target for s in sections for t in s.targets if t.met is None]
    lines += ["", f"{len(rows)} targets: {len(rows) - len(missed) - len(skipped)} met, "
                  f"{len(missed)} not met, {len(skipped)} skipped."]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        lines += section.body
        if section.notes:
            lines += [""] + [f"- {note}" for note in section.notes]
        for key, profile_lines in section.profiled.items():
            what = section.profiles[key][0]
            lines += ["", f"**Profile (missed target): {what}**", ""] + profile_lines
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text
