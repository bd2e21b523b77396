"""Where the time goes: cProfile of a call, as a small markdown table for RESULTS.md."""

from __future__ import annotations

import cProfile
import pstats
import threading
from collections.abc import Callable
from typing import Any

from .report import table

__all__ = ["profile_lines"]


_IDLE = ("'poll' of 'select", "'select' of 'select", "'acquire' of '_thread.lock'")
"""Waiting, not working: an event loop's poll and a thread waiting on a lock."""


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name  # a builtin such as {method 'reduce' of 'numpy.ufunc' objects}
    parts = filename.replace("\\", "/").split("/")
    short = "/".join(parts[-2:]) if len(parts) >= 2 else filename
    return f"{short}:{line}({name})"


def profile_lines(fn: Callable[[], Any], repeat: int = 3, top: int = 8) -> list[str]:
    """The ``top`` functions by own time over ``repeat`` calls, with their share.

    Threads started during the calls (a server's worker threads) are profiled too and
    added in, so work handed to a thread pool is not lost.
    """
    fn()  # warm-up outside the profile
    profiler = cProfile.Profile()
    workers: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_in_thread(frame: Any, event: str, arg: Any) -> None:
        worker = cProfile.Profile()
        with lock:
            workers.append(worker)
        worker.enable()  # replaces this hook for the rest of the thread's life

    threading.setprofile(start_in_thread)
    profiler.enable()
    try:
        for _ in range(repeat):
            fn()
    finally:
        profiler.disable()
        threading.setprofile(None)  # type: ignore[arg-type]
    stats = pstats.Stats(profiler)
    with lock:
        for worker in workers:
            try:
                stats.add(worker)
            except (TypeError, ValueError):  # a thread that recorded nothing
                pass
    entries = {k: v for k, v in stats.stats.items()  # type: ignore[attr-defined]
               if not (k[0] == "~" and any(idle in k[2] for idle in _IDLE))}
    total = sum(v[2] for v in entries.values()) or 1.0
    ranked = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    rows = []
    for key, (_, calls, own, cumulative, _) in ranked:
        rows.append([f"`{_where(key)}`", str(calls // repeat), f"{100 * own / total:.1f}%",
                     f"{100 * cumulative / total:.1f}%"])
    return table(["function", "calls per run", "own time", "cumulative"], rows) + [
        "", "Shares of profiled time, waits (event-loop poll, lock acquire) excluded."]
