// The page's two languages. Every text the page shows comes from one catalogue per
// language, static/i18n/<lang>.json (flat: key → text; the server renders the templates
// from the same files, app/i18n.py). A text may hold named placeholders, "{n} runs", and
// spans in backticks, written as <code>.
//
//   t("v2.lr")                          → "Learning rate" / "学习率"
//   t("view.one_var", { name: "x" })    → "f has one variable (x): 1-D view"
//   tn("runs.dropped", 3)               → the key's ".one" or ".other" form by n (as {n})
//   tableText("optimizers", row, "label") → a text of a row of an API table, by its name
//
// Switching language (setLanguage) loads the other catalogue, rewrites every element that
// names its key (data-i18n="key" for its text, data-i18n-<attribute>="key" for an
// attribute), then calls again every text and drawing the modules registered with
// bindText / bindRender, so what is on screen is written anew from the page's state --
// nothing is fetched again and nothing is lost. Numbers are formatted alike in both.

/**
 * The languages, read from the Language menu the server renders from its one list
 * (app/i18n.py): the code in the URL (lang=zh) → <html lang> and Plotly's locale.
 */
const MENU = document.getElementById("lang");
export const LANGUAGES = Object.fromEntries(Array.from(MENU?.options ?? [], (option) => [
  option.value, { html: option.lang, plotly: option.dataset.plotly },
]));
export const DEFAULT_LANGUAGE = MENU?.dataset.default ?? Object.keys(LANGUAGES)[0];

/** Keys of the catalogue's texts for Plotly's own words (its mode bar's tooltips). */
const PLOTLY_PREFIX = "plotly.";

const catalogues = {};
let current = LANGUAGES[document.documentElement.dataset.lang] ? document.documentElement.dataset.lang : DEFAULT_LANGUAGE;
/** element → the function that writes it (bindText) or draws it (bindRender). */
const bound = new Map();
const listeners = [];

/** The language on screen now ("en" or "zh"). */
export const language = () => current;

/** The catalogue of `lang`, fetched once (a versioned static file, cached by the browser). */
export async function loadLanguage(lang) {
  if (!catalogues[lang]) {
    const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
    if (!response.ok) throw new Error(`cannot load the ${lang} texts (${response.status})`);
    catalogues[lang] = await response.json();
  }
  return catalogues[lang];
}

/**
 * The text of `key` in the current language with its {placeholders} filled from
 * `params`. A key the catalogue lacks comes back as itself (a test keeps them complete).
 */
export function t(key, params = {}) {
  const text = catalogues[current]?.[key] ?? catalogues[DEFAULT_LANGUAGE]?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** `key.one` when n is 1, else `key.other` (English plurals; Chinese has both alike). */
export function tn(key, n, params = {}) {
  return t(`${key}.${n === 1 ? "one" : "other"}`, { n, ...params });
}

/**
 * A text of a row of an API table (GET /optimizers, /methods, /functions,
 * /network/tables) in the current language: the catalogue's `${table}.${row.name}.${field}`
 * if it has one, else the row's own (English) text.
 */
export function tableText(table, row, field) {
  if (!row) return "";
  const key = `${table}.${row.name}.${field}`;
  const text = catalogues[current]?.[key];
  return text === undefined ? row[field] ?? "" : text;
}

/**
 * The texts of a row of an API table in the current language, by field, as tableText
 * gives them: `rowTexts("activations", row).forward`.
 */
export function rowTexts(table, row) {
  return new Proxy({}, { get: (_, field) => tableText(table, row, String(field)) });
}

/**
 * Words of the server, which answers in English: in English its own `message` (the
 * fullest account), in another language `own()`, the page's sentence built from the
 * answer's structured fields (status, reason, step...). Messages that have no such
 * fields -- a refused request's reason -- stay as the server wrote them.
 */
export function serverText(message, own) {
  return current === DEFAULT_LANGUAGE ? message : own();
}

/** Write `text` into `el`: spans in backticks as <code>, the rest as plain text. */
export function writeText(el, text) {
  if (!text.includes("`")) {
    el.textContent = text;
    return;
  }
  el.replaceChildren(...text.split("`").map((part, k) => {
    if (k % 2 === 0) return document.createTextNode(part);
    const code = document.createElement("code");
    code.textContent = part;
    return code;
  }));
}

/** Attributes a template may name a key for, as data-i18n-<attribute>. */
const ATTRIBUTES = ["aria-label", "title", "placeholder", "content", "aria-valuetext"];

/** Write the current language into every element under `root` that names a key. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) writeText(el, t(el.dataset.i18n));
  for (const name of ATTRIBUTES) {
    const data = `data-i18n-${name}`;
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(name, t(el.getAttribute(data)));
  }
}

/**
 * `el.textContent = text()`, now and again whenever the language changes (the latest
 * call for an element is the one kept). `text` reads the page's state when called.
 */
export function bindText(el, text) {
  const write = () => writeText(el, text());
  bound.set(el, write);
  write();
}

/** Run `draw()` now and again whenever the language changes (latest call per element). */
export function bindRender(el, draw) {
  bound.set(el, draw);
  draw();
}

/** Forget what writes `el` (its text is then left as it is). */
export function unbind(el) {
  bound.delete(el);
}

/** Call `fn(lang)` after every change of language (menus built from tables, and such). */
export function onLanguageChange(fn) {
  listeners.push(fn);
}

/** Plotly's own words in `lang`, as a locale it can use. */
function registerPlotlyLocale(lang) {
  if (typeof Plotly === "undefined" || lang === DEFAULT_LANGUAGE) return;
  const dictionary = {};
  for (const [key, text] of Object.entries(catalogues[lang])) {
    if (key.startsWith(PLOTLY_PREFIX)) dictionary[key.slice(PLOTLY_PREFIX.length)] = text;
  }
  Plotly.register({ moduleType: "locale", name: LANGUAGES[lang].plotly, dictionary });
}

/** Make `lang` the page's language (its catalogue must be loaded) without writing anything. */
export function useLanguage(lang) {
  current = LANGUAGES[lang] ? lang : DEFAULT_LANGUAGE;
  document.documentElement.lang = LANGUAGES[current].html;
  document.documentElement.dataset.lang = current;
  registerPlotlyLocale(current);
  if (typeof Plotly !== "undefined") Plotly.setPlotConfig({ locale: LANGUAGES[current].plotly });
}

/**
 * Switch the page to `lang`: load its texts, rewrite the template's texts, the texts and
 * drawings the modules bound, and tell the listeners.
 */
export async function setLanguage(lang) {
  const next = LANGUAGES[lang] ? lang : DEFAULT_LANGUAGE;
  await loadLanguage(next);
  if (next === current && document.documentElement.lang === LANGUAGES[next].html) return;
  useLanguage(next);
  translatePage(document);
  for (const fn of listeners) fn(current);
  for (const [el, write] of [...bound]) {
    if (el.isConnected) write();
    else bound.delete(el);
  }
}
