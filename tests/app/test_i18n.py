"""The page's two catalogues (``static/i18n/en.json``, ``zh.json``) and the server's use
of them (:mod:`app.i18n`, ``GET /?lang=``).

The page's own texts have the same keys, no empty text and the same placeholders in both
languages, and every key the templates and modules name exists.  The API's tables stay
English (the page's English is their own words); the Chinese catalogue has an entry for
every row's label and description, and for a formula that holds English words, and none
for a row that does not exist.  No Chinese text holds an English word (tests/wording.py
lists what is allowed: mathematics, proper names).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from app.i18n import LANGUAGES, catalogue, language_of, render_text
from app.main import create_app
from app.schemas.descent import DescentReason, DescentStatus
from app.schemas.gradcheck import Verdict
from app.schemas.network import TrainStatus
from tests.wording import english_words

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")

#: The API tables the page shows, each with its rows' texts and formulas.
TABLES = {
    "optimizers": ("/optimizers", ("label", "short", "description"), ("rule",)),
    "methods": ("/methods", ("label", "description"), ()),
    "functions": ("/functions", ("name", "description"), ()),
    "datasets": ("/network/tables", ("label", "description"), ()),
    "activations": ("/network/tables", ("label", "description"), ("forward", "backward")),
    "inits": ("/network/tables", ("label", "description"), ()),
}
#: Optimizer settings: rows of their own, keyed by the setting's name.
SETTINGS = ("label", "description")


def page_keys(texts: dict[str, str]) -> set[str]:
    """Keys of the page's own texts (not a translation of an API table row)."""
    return {key for key in texts if key.split(".")[0] not in {*TABLES, "settings"}}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(scope="module")
def rows(client) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as the API serves them, and the optimizers' settings."""
    found: dict[str, list[dict[str, Any]]] = {}
    for table, (path, _, _) in TABLES.items():
        answer = client.get(path).json()
        found[table] = answer[table] if isinstance(answer, dict) else answer
    settings = {s["name"]: s for row in found["optimizers"] for s in row["settings"]}
    found["settings"] = list(settings.values())
    return found


def test_both_catalogues_have_the_same_page_keys():
    en, zh = catalogue("en"), catalogue("zh")
    assert sorted(page_keys(en) ^ page_keys(zh)) == []
    assert page_keys(en) == set(en)  # the English tables are the API's own words


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_no_text_is_empty(lang):
    assert [key for key, text in catalogue(lang).items() if not text.strip()] == []


def test_placeholders_match():
    en, zh = catalogue("en"), catalogue("zh")
    differ = {key: (PLACEHOLDER.findall(en[key]), PLACEHOLDER.findall(zh[key]))
              for key in en if sorted(PLACEHOLDER.findall(en[key]))
              != sorted(PLACEHOLDER.findall(zh[key]))}
    assert differ == {}


def test_code_spans_are_closed():
    for lang in LANGUAGES:
        assert [key for key, text in catalogue(lang).items() if text.count("`") % 2] == []


def test_no_chinese_text_holds_an_english_word():
    english = {key: words for key, text in catalogue("zh").items()
               if (words := english_words(PLACEHOLDER.sub(" ", text)))}
    assert english == {}


def test_chinese_names_every_row_of_every_table(rows):
    zh = catalogue("zh")
    missing = []
    for table, (_, texts, formulas) in TABLES.items():
        for row in rows[table]:
            missing += [f"{table}.{row['name']}.{field}" for field in texts
                        if f"{table}.{row['name']}.{field}" not in zh]
            # a formula is kept as it is unless it holds English words
            missing += [f"{table}.{row['name']}.{field}" for field in formulas
                        if row.get(field) and english_words(row[field])
                        and f"{table}.{row['name']}.{field}" not in zh]
    for setting in rows["settings"]:
        missing += [f"settings.{setting['name']}.{field}" for field in SETTINGS
                    if f"settings.{setting['name']}.{field}" not in zh]
    assert missing == []


def test_chinese_names_no_row_that_does_not_exist(rows):
    fields = {table: set(spec[1]) | set(spec[2]) for table, spec in TABLES.items()}
    fields["settings"] = set(SETTINGS)
    known = {f"{table}.{row['name']}.{field}" for table in fields for row in rows[table]
             for field in fields[table]}
    stale = set(catalogue("zh")) - page_keys(catalogue("zh")) - known
    assert sorted(stale) == []


#: Keys the modules build from a value the API answers with (`status.${run.status}`).
DYNAMIC = {
    "status.{}": get_args(DescentStatus),
    "outcome.{}": get_args(DescentReason),
    "verdict.{}": get_args(Verdict),
    "netcheck.verdict_{}": get_args(Verdict),
    "net.status_{}": get_args(TrainStatus),
    "sweep.hover_{}": get_args(DescentStatus),
    "net.{}_class": ("train", "test"),
    "net.{}_point": ("train", "test"),
}


def test_every_key_the_page_names_exists():
    en = catalogue("en")
    named: set[str] = set()
    for path in (REPO / "static" / "js").glob("*.js"):
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'\bt\(\s*"([\w.-]+)"', source))
        named |= {f"{key}.{form}" for key in re.findall(r'\btn\(\s*"([\w.-]+)"', source)
                  for form in ("one", "other")}
    for path in (REPO / "templates").glob("*.html"):
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""\bt\(\s*["']([\w.-]+)["']""", source))
        named |= set(re.findall(r'data-i18n(?:-[\w-]+)?="([\w.-]+)"', source))
    named |= {pattern.format(value) for pattern, values in DYNAMIC.items() for value in values}
    assert sorted(named - set(en)) == []
    assert len(named) > 300


class _Marked(HTMLParser):
    """Elements that name a key: (key, attribute or None for the text, what is there)."""

    VOID = {"meta", "input", "link", "br", "img"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None, str]] = []
        self.open: list[list[Any]] = []  # [tag, key or None, collected text]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, key in values.items():
            if name.startswith("data-i18n-") and key:
                attribute = name.removeprefix("data-i18n-")
                self.found.append((key, attribute, values.get(attribute) or ""))
        if tag in self.VOID:
            return
        self.open.append([tag, values.get("data-i18n"), ""])

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, key, text = self.open.pop()
            if self.open:
                self.open[-1][2] += text
            if key:
                self.found.append((key, None, text))
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2] += data


def _plain(text: str) -> str:
    """A catalogue text as the page shows it (code spans as their text)."""
    return text.replace("`", "")


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_page_is_written_in_its_language(client, lang):
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{LANGUAGES[lang].html}" data-lang="{lang}">' in page
    texts = catalogue(lang)
    parser = _Marked()
    parser.feed(page)
    assert len(parser.found) > 100
    wrong = [(key, attribute, shown) for key, attribute, shown in parser.found
             if shown.strip() != _plain(texts[key]).strip()]
    assert wrong == []


def test_the_chinese_page_says_learning_rate_in_chinese(client):
    page = client.get("/?lang=zh").text
    assert '<label for="lr" data-i18n="v2.lr">学习率</label>' in page
    assert '<label for="lang" data-i18n="lang.label">语言</label>' in page
    assert '<option value="zh" lang="zh-CN" data-plotly="zh-CN" selected>中文</option>' in page
    english = client.get("/").text
    assert '<label for="lr" data-i18n="v2.lr">Learning rate</label>' in english
    assert '<option value="en" lang="en" data-plotly="en" selected>English</option>' in english


def test_an_unknown_language_is_english(client):
    assert client.get("/?lang=fr").text == client.get("/").text
    assert language_of("zh") == "zh" and language_of("") == "en"


def test_a_text_is_escaped_and_its_code_spans_marked():
    shown = str(render_text("`a<b` & {x}", {"x": "<i>"}))
    assert shown == "<code>a&lt;b</code> &amp; &lt;i&gt;"
    assert html.unescape(shown.replace("<code>", "").replace("</code>", "")) == "a<b & <i>"


def test_an_unknown_language_is_refused_by_the_catalogue():
    with pytest.raises(ValueError, match="unknown language"):
        catalogue("fr")
