"""The README's pictures and links to files of the repository exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_picture_of_the_tour_is_in_the_repository():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(pictures) >= 30
    missing = [p for p in pictures if not (REPO / p).is_file()]
    assert missing == []


def test_every_screenshot_in_the_repository_is_shown():
    shown = set(re.findall(r"\]\((docs/screenshots/[^)]+)\)", README))
    files = {f"docs/screenshots/{p.name}" for p in (REPO / "docs" / "screenshots").glob("*.png")}
    assert files - shown <= {"docs/screenshots/narrow-full.png"}  # the full-page variant
