"""The page in both languages (issue 13, "Two languages"), in a real browser.

Each view is opened and used -- the 1-D view with a derivative check and a corner, the
contour with runs, the step-through player, a sweep and a derivative check, the surface,
the computation graph, the network trained and its gradients checked -- and then every
text the page shows is read: the visible text nodes (Plotly's axis titles, legends and
annotations are SVG text), every option of the menus, the attributes a person meets
(``aria-label``, ``title``, ``placeholder``, ``aria-valuetext``, Plotly's ``data-title``),
the graph's tooltips, ``<title>``, and each figure's trace names and hover templates.

* In 中文 no such text holds an English word.  What may stay in Latin letters is listed
  in ``tests/wording.py``: mathematics (the function's text and variables, ``lr``,
  ``λmax``...), units, proper names (Adam, Xavier, Rosenbrock...), "English" in the
  language menu.  The server's refusals (422) would stay English; no step here makes one.
* In English every text that holds a word comes from the catalogue: it is a catalogue
  text, or a text of the API's tables, or a catalogue template whose placeholders hold
  such texts (or none), or several of these one after the other.  Inside the elements
  that show the server's own words (:data:`SERVER_TEXT`) the placeholders may hold
  anything -- the server answers in English.
* Switching the language keeps the state (the URL's other keys, the runs, the trained
  network's figures) and sets ``<html lang>``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from tests.browser.pagekit import run_descent
from tests.wording import english_words

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
PARABOLA = "3*x**2 - 4*x"
BOWL = "x**2 + 25*y**2"

#: Elements whose text holds the server's words in English (the page's template around
#: them is checked, not what the server said).
SERVER_TEXT = ("#tangent-eq, #expr-error-msg, #descent-status, #runs-rows, .check-message, "
               "#steps-note, #net-status, #net-check-status, #point-readout, #play-update")

TEXTS_JS = """(serverSelector) => {
  const units = [];
  const add = (kind, text, el) => {
    text = (text || '').trim();
    if (text) units.push({kind, text, server: Boolean(el && el.closest(serverSelector))});
  };
  const shown = (el) => el.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true});
  // an element that names its key holds one catalogue text (code spans split it into nodes)
  for (const el of document.querySelectorAll('body [data-i18n]')) {
    if (!el.closest('option, select') && shown(el)) add('text', el.textContent, el);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, option, [data-i18n]')) continue;
    if (el.closest('svg title')) { add('tooltip', node.nodeValue, el); continue; }
    if (shown(el)) add('text', node.nodeValue, el);
  }
  for (const select of document.querySelectorAll('select')) {
    if (!shown(select)) continue;
    for (const option of select.options) add('option', option.textContent, select);
  }
  for (const name of ['aria-label', 'title', 'placeholder', 'aria-valuetext', 'data-title']) {
    for (const el of document.querySelectorAll(`body [${name}]`)) {
      if (shown(el) || el.closest('select')) add(name, el.getAttribute(name), el);
    }
  }
  add('title', document.title, null);
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    if (!shown(el) || !el.data) continue;
    for (const trace of el.data) {
      if (trace.name && trace.showlegend !== false) add('legend', trace.name, el);
      if (trace.hovertemplate) add('hover', trace.hovertemplate, el);
    }
  }
  return units;
}"""


@cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((REPO / "static" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def _pattern(text: str) -> re.Pattern[str] | None:
    """A catalogue text as a regular expression, each placeholder a group; None when it
    has no letters of its own (it would explain anything)."""
    text = text.replace("`", "").strip()
    parts = re.split(r"\{\w+\}", text)
    if not any(ch.isalpha() for part in parts for ch in part):
        return None
    return re.compile(r"(.*?)".join(re.escape(part) for part in parts), re.S)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    found = (_pattern(text) for text in catalogue("en").values())
    return tuple(p for p in found if p is not None)


@cache
def _table_texts(server: str) -> frozenset[str]:
    """Every text of the API's tables (the page's English for their rows)."""
    texts: set[str] = set()
    answers = [httpx.get(f"{server}{path}").json()
               for path in ("/optimizers", "/methods", "/functions", "/network/tables")]

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.add(value.strip())
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(answers)
    return frozenset(texts)


def explained(text: str, tables: frozenset[str], server: bool = False, depth: int = 0) -> bool:
    """Whether ``text`` is made of catalogue texts (see the module's notes)."""
    text = text.strip()
    if not text or not english_words(text, ("x", "y")) or text in tables:
        return True
    if depth > 6:
        return False
    for pattern in _patterns():
        found = pattern.match(text)
        if not found:
            continue
        rest = text[found.end():]
        if all(server or explained(group, tables, server, depth + 1) for group in found.groups()) \
                and explained(rest, tables, server, depth + 1):
            return True
    return False


def texts(page) -> list[dict]:
    return page.evaluate(TEXTS_JS, SERVER_TEXT)


def english_left(page, variables: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """Texts on the page that hold an English word, with the words."""
    return [(unit["kind"], unit["text"], words) for unit in texts(page)
            if (words := english_words(unit["text"], variables))]


def unexplained(page, server: str) -> list[tuple[str, str]]:
    """English texts that no catalogue text explains."""
    tables = _table_texts(server)
    return [(unit["kind"], unit["text"]) for unit in texts(page)
            if not explained(unit["text"], tables, unit["server"])]


def check(page, server: str, lang: str, variables: tuple[str, ...] = ("x", "y")) -> None:
    assert page.evaluate("() => document.documentElement.lang") == \
        {"en": "en", "zh": "zh-CN"}[lang]
    if lang == "zh":
        assert english_left(page, variables) == []
    else:
        assert unexplained(page, server) == []


def open_page(page, address: str) -> None:
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]")


def settle(page) -> None:
    """Let debounced redraws (graph, point panel, the update written out) finish."""
    page.wait_for_timeout(700)
    page.wait_for_load_state("networkidle")


# ---------------------------------------------------------------------------- the views


def one_d(page, server: str, lang: str) -> None:
    open_page(page, f"{server}/?f={quote(PARABOLA)}&point=1&xr=-1,3&lang={lang}")
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 3")
    page.fill("#check-1d-claim-0", "6*x - 5")  # wrong: a failing verdict and its words
    page.click("#check-1d button[type=submit]")
    page.wait_for_selector("#check-1d [data-result] table")
    page.wait_for_selector("#graph svg")
    settle(page)
    check(page, server, lang)
    # a corner: no tangent, and the complex step refused
    open_page(page, f"{server}/?f={quote('abs(x) + x**2')}&point=0&lang={lang}")
    page.wait_for_function("() => document.getElementById('steps-note').classList.contains('warn')")
    page.wait_for_function("() => document.getElementById('tangent-eq').textContent !== ''")
    settle(page)
    check(page, server, lang)


def two_d(page, server: str, lang: str) -> None:
    open_page(page, f"{server}/?f={quote(BOWL)}&point=-4.5,1&lang={lang}")
    page.wait_for_function(
        "() => /λmax/.test(document.getElementById('stability-text').textContent)")
    run_descent(page, lr=0.035, steps=60)
    run_descent(page, lr=0.1, steps=30)  # diverges: the bound's words
    run_descent(page, lr=0.05, steps=40, optimizer="momentum")
    page.locator("#play-step").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#play-update h3")
    page.click("#sweep-lr")  # momentum: the phase diagram
    page.wait_for_function("() => (document.getElementById('plot-sweep').data || []).length > 2")
    page.fill("#check-2d-claim-0", "2*x")
    page.fill("#check-2d-claim-1", "25*y")  # wrong: 50*y
    page.click("#check-2d button[type=submit]")
    page.wait_for_selector("#check-2d [data-result] table")
    settle(page)
    check(page, server, lang)
    page.select_option("#optimizer", "gd")
    page.click("#sweep-lr")  # gradient descent: final loss against the rate
    page.wait_for_function("() => document.getElementById('sweep-title').textContent"
                           " !== '' && (document.getElementById('plot-sweep').data || [])"
                           ".every(t => t.type !== 'heatmap')")
    page.click("#play-all")
    page.wait_for_function("() => document.getElementById('play-all')"
                           ".getAttribute('aria-pressed') === 'false'", timeout=30_000)
    page.click("#tab-surface")
    page.wait_for_function("() => (document.getElementById('plot-surface').data || []).length > 1")
    settle(page)
    check(page, server, lang)


def network(page, server: str, lang: str) -> None:
    open_page(page, f"{server}/?view=network&epochs=5&lang={lang}")
    page.click("#net-train")
    page.wait_for_function("() => ['completed', 'diverged'].includes("
                           "document.getElementById('view-network').dataset.state)")
    page.click("#net-check")
    page.wait_for_function("() => document.getElementById('net-check-card').dataset.verdict")
    check(page, server, lang, ())
    page.select_option("#net-dataset", "digits")
    page.click("#net-train")
    page.wait_for_function("() => ['completed', 'diverged'].includes("
                           "document.getElementById('view-network').dataset.state)"
                           " && !document.getElementById('net-digits').hidden")
    check(page, server, lang, ())


VIEWS = {"1d": one_d, "2d": two_d, "network": network}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_the_chinese_page_has_no_english_text(page, server, view):
    VIEWS[view](page, server, "zh")


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_english_text_comes_from_the_catalogue(page, server, view):
    VIEWS[view](page, server, "en")


def test_the_language_menu_switches_in_place_and_keeps_the_state(page, server):
    open_page(page, f"{server}/?f={quote(BOWL)}&point=-4.5,1")
    assert page.get_by_label("Language", exact=True).count() == 1
    assert page.locator("#lang option").all_text_contents() == ["English", "中文"]
    run_descent(page, lr=0.035, steps=60)
    run_descent(page, lr=0.05, steps=40, optimizer="adam")
    before = parse_qs(urlsplit(page.url).query)
    figure = page.evaluate("() => document.getElementById('plot-contour').data.length")

    page.select_option("#lang", "zh")
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    assert page.get_by_label("学习率", exact=True).count() == 1
    assert page.get_by_label("语言", exact=True).count() == 1
    after = parse_qs(urlsplit(page.url).query)
    assert after.pop("lang") == ["zh"]
    assert after == before  # the runs, the point, the rate: all kept
    assert page.locator("#runs-rows tr").count() == 2
    assert page.evaluate("() => document.getElementById('plot-contour').data.length") == figure
    settle(page)
    check(page, server, "zh")

    page.select_option("#lang", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "lang=" not in page.url
    assert page.get_by_label("Learning rate", exact=True).count() == 1
    assert page.text_content("#run") == "Run descent"
    settle(page)
    check(page, server, "en")

    # back goes to the page in 中文, as the history entry had it
    page.go_back()
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    assert page.input_value("#lang") == "zh"


def test_a_chinese_link_opens_in_chinese_and_the_network_keeps_its_figures(page, server):
    open_page(page, f"{server}/?view=network&epochs=8&lang=zh")
    assert page.text_content("#net-train") == "训练"
    page.click("#net-train")
    page.wait_for_function("() => document.getElementById('view-network').dataset.state"
                           " === 'completed'")
    accuracy = page.text_content("#net-figures")
    assert "测试精度" in accuracy
    loss = page.evaluate("() => document.getElementById('net-loss').data[0].y.length")
    page.select_option("#lang", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.text_content("#net-figures").startswith("Test accuracy")
    assert re.findall(r"[\d.]+%", page.text_content("#net-figures")) \
        == re.findall(r"[\d.]+%", accuracy)  # the same numbers, written alike
    assert page.evaluate("() => document.getElementById('net-loss').data[0].y.length") == loss
    assert page.evaluate("() => document.getElementById('net-loss').layout.xaxis.title.text") \
        == "iteration"
