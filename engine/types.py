"""Type aliases shared by the engine's modules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Array: TypeAlias = npt.NDArray[np.float64]
"""A float64 array: one value per point of a grid, or one per coordinate."""

PointLike: TypeAlias = float | Sequence[float] | Mapping[str, float]
"""A point as users give it: a bare number, a list in variable order, or names to values."""
