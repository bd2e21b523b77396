"""The datasets: five two-class sets in the plane, generated in numpy from a seed, and
the 8×8 handwritten digits shipped with the package.  Nothing is downloaded.

Planar sets (``circle``, ``xor``, ``gauss``, ``spiral``, ``moons``; recipes in the
spirit of TensorFlow Playground's, written here) have ``samples`` points in about
[-1, 1]², labels 0 and 1, and Gaussian ``noise`` of that standard deviation added to
the coordinates.

``digits`` is the UCI "Optical Recognition of Handwritten Digits" data set as shipped
by scikit-learn's ``load_digits`` (its copy of the UCI test set: 1,797 images of 8×8
pixels counting 0..16, ten classes; E. Alpaydin and C. Kaynak, 1998; UCI Machine
Learning Repository, https://archive.ics.uci.edu/dataset/80, licence CC BY 4.0),
stored once in ``engine/network/digits.npz`` (images as uint8, labels).  Pixels are
scaled to [0, 1].

Every set is split by ``seed``: a shuffled ``test_fraction`` of the samples is held out.

>>> data = load_dataset("digits", seed=0)
>>> data.X_train.shape, data.X_test.shape, data.classes, float(data.X_train.max())
((1438, 64), (359, 64), 10, 1.0)
>>> circle = load_dataset("circle", samples=200, noise=0.1, seed=3)
>>> circle.X_train.shape, circle.T_train.shape, circle.planar
((160, 2), (160, 2), True)
>>> bool(np.array_equal(circle.X_test, load_dataset("circle", samples=200, seed=3).X_test))
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..errors import ExpressionError
from ..types import Array

__all__ = ["DATASETS", "DIGITS", "Dataset", "DatasetInfo", "load_dataset", "one_hot",
           "random_stream", "sample_count", "split_sizes"]

DIGITS = 1797
"""Images in the digits set."""


@dataclass(frozen=True)
class Dataset:
    """A classification set split into training and test parts.

    ``X`` rows are samples; ``y`` integer labels; ``T`` the same labels one-hot.
    """

    name: str
    X_train: Array
    y_train: np.ndarray
    X_test: Array
    y_test: np.ndarray
    classes: int
    planar: bool
    image_shape: tuple[int, int] | None = None
    """(8, 8) for digits: how a row of X is drawn as an image."""

    @property
    def T_train(self) -> Array:
        return one_hot(self.y_train, self.classes)

    @property
    def T_test(self) -> Array:
        return one_hot(self.y_test, self.classes)

    @property
    def samples(self) -> int:
        return len(self.y_train) + len(self.y_test)


def random_stream(seed: int, role: str) -> np.random.Generator:
    """The random numbers of one ``role`` (``"data"``, ``"split"``, ``"init"``,
    ``"shuffle"``) for ``seed``: independent streams, so changing how many numbers one
    role draws never changes another's.

    >>> float(random_stream(0, "init").normal()) == float(random_stream(0, "init").normal())
    True
    """
    return np.random.default_rng([_ROLES.index(role), seed])


_ROLES = ("data", "split", "init", "shuffle")


def one_hot(labels: np.ndarray, classes: int) -> Array:
    """Labels as rows of the identity: ``[1, 0] → [[0, 1], [1, 0]]``."""
    return np.eye(classes)[labels]


# --- the planar recipes: (rng, n, noise) -> (points (n, 2), labels (n,)) ---------------

Generator = Callable[[np.random.Generator, int, float], tuple[Array, np.ndarray]]


def _halves(n: int) -> np.ndarray:
    """n labels, half 0 and half 1 (the odd one out is a 1)."""
    return (np.arange(n) >= n // 2).astype(np.int64)


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, np.ndarray]:
    """Class 1 a disc of radius 0.5, class 0 a ring from 0.7 to 1."""
    y = _halves(n)
    radius = np.where(y == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X + rng.normal(0.0, noise, X.shape), y


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, np.ndarray]:
    """Uniform in [-1, 1]² away from the axes; class 1 where x·y > 0."""
    y = _halves(n)
    sign = rng.choice([-1.0, 1.0], n)
    X = rng.uniform(0.05, 1.0, (n, 2)) * np.column_stack([sign, np.where(y == 1, sign, -sign)])
    return X + rng.normal(0.0, noise, X.shape), y


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, np.ndarray]:
    """Two round Gaussian clouds around (0.4, 0.4) (class 1) and (-0.4, -0.4)."""
    y = _halves(n)
    centre = np.where(y[:, None] == 1, 0.4, -0.4)
    return centre + rng.normal(0.0, 0.15 + noise, (n, 2)), y


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, np.ndarray]:
    """Two interleaved arms winding out from the centre, one turn and a quarter each."""
    y = _halves(n)
    t = rng.uniform(0.0, 1.0, n)
    angle = 1.25 * 2 * np.pi * t + np.pi * y
    X = np.column_stack([t * np.sin(angle), t * np.cos(angle)])
    return X + rng.normal(0.0, noise, X.shape), y


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[Array, np.ndarray]:
    """Two interlocking half circles (class 0 on top), centred on the origin."""
    y = _halves(n)
    theta = rng.uniform(0.0, np.pi, n)
    top = np.column_stack([np.cos(theta), np.sin(theta)])
    bottom = np.column_stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)])
    X = (np.where(y[:, None] == 0, top, bottom) - [0.5, 0.25]) / 1.5
    return X + rng.normal(0.0, noise, X.shape), y


def _digits_file() -> tuple[Array, np.ndarray]:
    with resources.files(__package__).joinpath("digits.npz").open("rb") as handle, \
            np.load(handle, allow_pickle=False) as stored:
        images, labels = stored["images"], stored["labels"]
    return images.reshape(len(images), -1) / 16.0, labels.astype(np.int64)


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset: what it is and where its samples come from."""

    name: str
    label: str
    description: str
    classes: int
    generate: Generator | None
    """The planar recipe, or None for a stored set."""
    features: int = 2
    """Numbers per sample (the network's inputs)."""

    @property
    def planar(self) -> bool:
        return self.generate is not None


_TABLE = (
    DatasetInfo("circle", "Circle", "A disc of one class inside a ring of the other.", 2,
                _circle),
    DatasetInfo("xor", "Exclusive or", "The four quadrants: one class where x and y have "
                "the same sign.", 2, _xor),
    DatasetInfo("gauss", "Two Gaussians", "Two round clouds, one per class: a straight "
                "line separates them.", 2, _gauss),
    DatasetInfo("spiral", "Spiral", "Two interleaved spiral arms: the hardest of the "
                "planar sets.", 2, _spiral),
    DatasetInfo("moons", "Two moons", "Two interlocking half circles.", 2, _moons),
    DatasetInfo("digits", "Handwritten digits", "1,797 images of 8×8 pixels, ten classes "
                "(UCI optdigits, as in scikit-learn's load_digits).", 10, None, 64),
)
DATASETS: dict[str, DatasetInfo] = {row.name: row for row in _TABLE}
"""Every dataset by name, in menu order."""


def _row(name: str) -> DatasetInfo:
    row = DATASETS.get(name)
    if row is None:
        raise ExpressionError(f"unknown dataset {name!r}; choose one of "
                              f"{', '.join(DATASETS)}", code="unknown_dataset", field="dataset")
    return row


def sample_count(name: str, samples: int = 400) -> int:
    """How many samples the set ``name`` has (``samples`` for a planar set)."""
    return DIGITS if _row(name).generate is None else samples


def split_sizes(total: int, test_fraction: float) -> tuple[int, int]:
    """(train, test) sizes: the test part is ``round(test_fraction × total)``; both
    parts must have at least one sample.

    >>> split_sizes(400, 0.2), split_sizes(1797, 0.2)
    ((320, 80), (1438, 359))
    """
    if not (np.isfinite(test_fraction) and 0 < test_fraction < 1):
        raise ExpressionError(f"test_fraction must be in (0, 1), got {test_fraction:g}",
                              code="bad_split", field="test_fraction")
    test = int(round(test_fraction * total))
    if test < 1 or test > total - 1:
        raise ExpressionError(
            f"test_fraction {test_fraction:g} of {total} samples leaves {total - test} for "
            f"training and {test} for testing; each part needs at least one",
            code="bad_split", field="test_fraction")
    return total - test, test


def load_dataset(name: str, samples: int = 400, noise: float = 0.1,
                 test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """The set ``name``, split into training and test parts by ``seed``.

    ``samples`` and ``noise`` apply to the planar sets (digits always has 1,797).
    """
    row = _row(name)
    if row.generate is not None:
        if samples < 2:
            raise ExpressionError("samples must be at least 2", code="bad_size",
                                  field="samples")
        if not (np.isfinite(noise) and noise >= 0):
            raise ExpressionError("noise must be a number >= 0", code="bad_setting",
                                  field="noise")
    total = sample_count(name, samples)
    train, _ = split_sizes(total, test_fraction)
    data_rng, split_rng = random_stream(seed, "data"), random_stream(seed, "split")
    if row.generate is None:
        X, y = _digits_file()
    else:
        X, y = row.generate(data_rng, total, noise)
    order = split_rng.permutation(total)
    X, y = np.ascontiguousarray(X[order], dtype=np.float64), y[order]
    return Dataset(name, X[:train], y[:train], X[train:], y[train:], row.classes,
                   row.generate is not None, None if row.generate is not None else (8, 8))
