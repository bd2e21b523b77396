"""Settings shared by every test directory: Hypothesis profiles.

``ci`` (the default, and always when the ``CI`` environment variable is set) is
derandomized: each property test draws the same examples on every run and every machine
(the seed is a hash of the test), with no example database, so a failure in CI is a
failure of the code and not of the draw, and ``print_blob`` prints what reproduces it.
``dev`` explores: a fresh random draw each run, the local example database replaying
past failures first, and five times as many examples where a test does not fix its own
count.  Choose it with ``HYPOTHESIS_PROFILE=dev python -m pytest ...``.

Tests that need other settings (``max_examples``, health checks) pass them with
``@settings(...)``; what they leave out comes from the profile loaded here, which is
loaded before any test module is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          database=None)
settings.register_profile("dev", derandomize=False, deadline=None, print_blob=True,
                          max_examples=500)


def hypothesis_profile(environ: Mapping[str, str] = os.environ) -> str:
    """The profile to load: ``ci`` in CI whatever else is set, else ``HYPOTHESIS_PROFILE``,
    else ``ci``."""
    if environ.get("CI"):
        return "ci"
    return environ.get("HYPOTHESIS_PROFILE") or "ci"


settings.load_profile(hypothesis_profile())
