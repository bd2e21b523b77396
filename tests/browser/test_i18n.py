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
* In English no text holds a Chinese character.  Together: a text written past the
  catalogues would show in English on the 中文 page, and one the English catalogue lacks
  would show in Chinese or as its key -- no text of either language shows a key.
* Switching the language keeps the state (the URL's other keys, the runs, the trained
  network's figures) and sets ``<html lang>``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.browser.pagekit import run_descent
from tests.wording import english_words

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
PARABOLA = "3*x**2 - 4*x"
BOWL = "x**2 + 25*y**2"

TEXTS_JS = """() => {
  const units = [];
  const add = (kind, text) => {
    text = (text || '').trim();
    if (text) units.push({kind, text});
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


def keys_shown(units: list[dict]) -> list[tuple[str, str]]:
    """Texts that show a catalogue key instead of its text (``t()`` answers a key it does
    not know with the key itself)."""
    keys = set(catalogue("en")) | set(catalogue("zh"))
    word = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
    return [(unit["kind"], unit["text"]) for unit in units
            if any(found in keys for found in word.findall(unit["text"]))]


def chinese_left(units: list[dict]) -> list[tuple[str, str]]:
    """Texts that hold a Chinese character, but for the language menu's "中文" (each
    language is named in its own words)."""
    return [(unit["kind"], unit["text"]) for unit in units if unit["text"] != "中文"
            and re.search(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]", unit["text"])]


def texts(page) -> list[dict]:
    return page.evaluate(TEXTS_JS)


def english_left(units: list[dict], variables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Texts that hold an English word (tests/wording.py), with the words."""
    return [(unit["kind"], f'{unit["text"]} -- {words}') for unit in units
            if (words := english_words(unit["text"], variables))]


def check(page, server: str, lang: str, variables: tuple[str, ...] = ("x", "y")) -> None:
    assert page.evaluate("() => document.documentElement.lang") == \
        {"en": "en", "zh": "zh-CN"}[lang]
    units = texts(page)
    left = keys_shown(units) + (english_left(units, variables) if lang == "zh"
                                else chinese_left(units))
    assert left == [], "\n".join(map(repr, left))


def open_page(page, address: str) -> None:
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]")


def open_data(page) -> None:
    """Open every figure's Data tables and the graph's list, so their words are read too."""
    page.evaluate("""() => {
      for (const b of document.querySelectorAll('.data-toggle, #graph-list-toggle')) {
        if (b.checkVisibility() && b.getAttribute('aria-expanded') === 'false') b.click();
      }
    }""")


def settle(page) -> None:
    """Let debounced redraws (graph, point panel, the update written out) finish, and open
    the Data tables."""
    page.wait_for_timeout(700)
    page.wait_for_load_state("networkidle")
    open_data(page)


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
    page.click("#play-all")  # mid-play: "All 3 runs at iteration k of 60", "Stop"
    page.wait_for_function("() => document.getElementById('play-all')"
                           ".getAttribute('aria-pressed') === 'true'")
    check(page, server, lang)
    page.click("#play-all")  # stop (a loaded machine plays slower than 12 frames a second)
    page.wait_for_function("() => document.getElementById('play-all')"
                           ".getAttribute('aria-pressed') === 'false'")
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
def test_the_english_page_shows_no_chinese_and_no_key(page, server, view):
    VIEWS[view](page, server, "en")


def test_the_language_menu_switches_in_place_and_keeps_the_state(page, server):
    open_page(page, f"{server}/?f={quote(BOWL)}&point=-4.5,1")
    assert page.get_by_label("Language", exact=True).count() == 1
    assert page.locator("#lang option").all_text_contents() == ["English", "中文"]
    run_descent(page, lr=0.035, steps=60)
    run_descent(page, lr=0.05, steps=40, optimizer="adam")
    before = parse_qs(urlsplit(page.url).query)
    figure = page.evaluate("() => document.getElementById('plot-contour').data.length")

    open_data(page)  # open tables are written again in the new language
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
    assert "测试准确率" in accuracy
    loss = page.evaluate("() => document.getElementById('net-loss').data[0].y.length")
    page.select_option("#lang", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.text_content("#net-figures").startswith("Test accuracy")
    assert re.findall(r"[\d.]+%", page.text_content("#net-figures")) \
        == re.findall(r"[\d.]+%", accuracy)  # the same numbers, written alike
    assert page.evaluate("() => document.getElementById('net-loss').data[0].y.length") == loss
    assert page.evaluate("() => document.getElementById('net-loss').layout.xaxis.title.text") \
        == "iteration"
