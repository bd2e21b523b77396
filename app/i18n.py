"""The page's two languages: one catalogue of texts per language, used by the server when
it renders the page and by the page itself (``static/js/i18n.js``) when it writes texts.

The catalogues are ``static/i18n/<lang>.json``: flat objects from a key to a text, the
same page keys in every language (the languages other than English also name the rows of
the API's tables, ``optimizers.adam.description``, which English takes from the API).
A text may hold named placeholders (``{n}``), filled in by whoever writes it, and spans
in backticks, written as ``<code>`` (nothing else of a text is markup: the server
escapes it, the page sets it as text).  The templates write
each text as ``{{ t("key") }}`` on an element that also names its key
(``data-i18n="key"``, or ``data-i18n-aria-label`` and the like for an attribute), so the
page can write the other language into the same elements without a reload.

>>> t = translator("zh")
>>> str(t("lang.label"))
'语言'
>>> str(translator("en")("v1.secants.help", h="h"))
'Slope of the line through <code>(x₀, f(x₀))</code> and <code>(x₀+h, f(x₀+h))</code> as h shrinks.'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from .assets import asset_dir

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "catalogue", "language_of", "render_text",
           "translator"]

@dataclass(frozen=True)
class Language:
    """One language of the page: its ``<html lang>``, Plotly's locale for it, and its name
    in its own words (for the Language menu, whatever the page's language)."""

    html: str
    plotly: str
    name: str


#: The languages, by the code the URL uses (``?lang=zh``): the one list of them.  The
#: page's Language menu is rendered from it, and the page's script reads its languages
#: from that menu.
LANGUAGES = {"en": Language("en", "en", "English"), "zh": Language("zh-CN", "zh-CN", "中文")}
DEFAULT_LANGUAGE = "en"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CODE = re.compile(r"`([^`]*)`")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The texts of ``lang`` by key (read once per process).

    >>> catalogue("en")["lang.label"]
    'Language'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {sorted(LANGUAGES)}")
    path = asset_dir("static") / "i18n" / f"{lang}.json"
    texts = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(texts, dict):
        raise ValueError(f"{path} must hold an object of texts")
    return {str(k): str(v) for k, v in texts.items()}


def language_of(requested: str | None) -> str:
    """The language a request asks for (``?lang=``), or the default for anything else.

    >>> language_of("zh"), language_of("fr"), language_of(None)
    ('zh', 'en', 'en')
    """
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def render_text(text: str, params: dict[str, Any] | None = None) -> Markup:
    """A catalogue text as HTML: placeholders filled, the rest escaped, backticks as
    ``<code>``.

    >>> str(render_text("Type `x<2` for {n}", {"n": "<b>"}))
    'Type <code>x&lt;2</code> for &lt;b&gt;'
    """
    filled = _PLACEHOLDER.sub(lambda m: str((params or {}).get(m.group(1), m.group(0))), text)
    parts = _CODE.split(filled)
    html = "".join(str(escape(part)) if k % 2 == 0 else f"<code>{escape(part)}</code>"
                   for k, part in enumerate(parts))
    return Markup(html)


def translator(lang: str) -> Callable[..., Markup]:
    """``t(key, **params)`` for templates: the text of ``key`` in ``lang`` as HTML.  A
    key missing from the catalogue raises KeyError (a test renders every page)."""
    texts = catalogue(lang)

    def t(key: str, **params: Any) -> Markup:
        return render_text(texts[key], params)

    return t
