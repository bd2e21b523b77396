"""Where the page's files are: the ``templates/`` and ``static/`` directories.

Both are top-level directories of the repository.  A wheel (``pip install .``) carries
them as package data inside ``app`` (``app/templates``, ``app/static``: see
``[tool.setuptools]`` in ``pyproject.toml``); a source checkout or an editable install
uses the repository's own directories, next to ``app/``.  :func:`asset_dir` finds
whichever is there, from the location of this package, never from the working
directory, so ``slopescope`` serves the same page wherever it is started.

>>> (asset_dir("templates") / "index.html").is_file()
True
>>> asset_dir("static") == asset_dir("templates").parent / "static"
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ASSETS", "asset_dir"]

PACKAGE_DIR = Path(__file__).resolve().parent

#: Each asset directory with a file it must hold, so that a stray directory of the same
#: name (some distributions install a top-level ``static/``) is never taken for ours.
ASSETS = {"templates": "index.html", "static": "js/main.js"}


def asset_dir(name: str) -> Path:
    """The directory ``name`` (``"templates"`` or ``"static"``): inside the installed
    package (a wheel), else beside it (a source checkout or an editable install).

    Raises FileNotFoundError naming the places looked at when neither holds it, and
    ValueError for a name that is not one of :data:`ASSETS`.
    """
    if name not in ASSETS:
        raise ValueError(f"unknown asset directory {name!r}; expected one of {sorted(ASSETS)}")
    places = (PACKAGE_DIR / name, PACKAGE_DIR.parent / name)
    for place in places:
        if (place / ASSETS[name]).is_file():
            return place
    raise FileNotFoundError(
        f"Slopescope's {name}/ directory (with {ASSETS[name]}) is in neither "
        f"{places[0]} nor {places[1]}: the installation is incomplete"
    )
