// Entry point: wires the function field, presets, method and view tabs to the two view
// controllers and the computation-graph panel, and keeps the URL in step with the page.
import { ApiError, Slots, api } from "./api.js";
import { clearExprError, showExprError } from "./exprerror.js";
import { graphMessage, renderGraph } from "./graph.js";
import {
  DEFAULT_LANGUAGE, LANGUAGES, bindRender, bindText, language, loadLanguage, setLanguage, t,
  tableText, tn, useLanguage,
} from "./i18n.js";
import {
  GRID_2D, fieldBody, firstField, openingState, presetsLoaded, tablesLoaded,
} from "./firstfield.js";
import { NetworkView } from "./network.js";
import { plotly3d, plotlyReady } from "./plotlyload.js";
import { findPreset, plotRanges, presetStart, withPreset } from "./presets.js";
import { History, defaultState, methodFor } from "./state.js";
import { fillSelect, methodRow, tables } from "./tables.js";
import { fmt, fmtPoint } from "./theme.js";
import { $, debounce } from "./util.js";
import { View1D } from "./view1d.js";
import { View2D } from "./view2d.js";

/**
 * The plots follow the function as it is typed, like a graphing calculator: keystrokes
 * within one frame are taken together, and a request still running for an older text is
 * cancelled (the "field" slot), not waited for.
 */
const TYPING_DEBOUNCE_MS = 16;
/** A text refused while it is being typed says so once typing pauses this long. */
const ERROR_PAUSE_MS = 500;
/** Grid of the 1-D curve (the contour's and the surface's: firstfield.js's GRID_2D). */
const GRID_1D = 400;

const exprDom = {
  input: $("expr"),
  box: $("expr-error"),
  caret: $("expr-caret"),
  msg: $("expr-error-msg"),
  keep: $("expr-error-keep"),
};

/** Shared page context handed to the view controllers. */
const app = {
  state: defaultState(),
  slots: new Slots(),
  presets: [],
  variables: [],
  goodExpr: null, // the last expression the server accepted
  /**
   * A request body about the current function. The variables are named explicitly so
   * that a constant (which /field draws as a function of x) takes a point too.
   */
  body(fields) {
    return { expr: this.goodExpr, variables: this.variables, ...fields };
  },
  history: null,
  /** Show a request's failure next to the thing it was for. */
  reportError(err, el) {
    if (!(err instanceof ApiError)) throw err;
    if (el) bindText(el, () => err.reason);
  },
  /** The point of interest moved (x0, start or the player's step): redraw the graph. */
  onPointChanged: (point) => updateGraphSoon(point),
  /**
   * Plot the function over new ranges (either may be null to keep it; both null go back
   * to the preset's or the default box). `auto`: the page widened the box itself (to hold
   * a run), so later runs may widen it again; a range the user chose stays.
   */
  setRange(xr, yr, { auto = false } = {}) {
    const { state } = this;
    if (xr === null && yr === null) {
      state.xr = null;
      state.yr = null;
      state.autoRange = true;
    } else {
      state.xr = xr ?? state.xr;
      state.yr = yr ?? state.yr;
      state.autoRange = auto;
    }
    return evaluate(state.expr, { push: !auto });
  },
};

let view1d = null;
let view2d = null;
let network = null;

/**
 * Resolves once Plotly.js has loaded and speaks the page's language (set by main()).
 * Plotly.js loads by itself (an async script of the page) while the page asks the server
 * for its tables and its first field: what draws waits for this, not what asks.
 */
let plotlyLoaded = null;

// ------------------------------------------------------------------ presets and ranges

/** The page's preset named by `expr` (spaces aside), or null. */
const presetFor = (expr) => findPreset(app.presets, expr);

/** Plotted ranges for a state (presets.js): its own, its preset's or the default box. */
const rangesFor = (state) => plotRanges(state, app.presets);

/**
 * The first field, asked for by firstfield.js before this module ran: {key, answer}, taken
 * (once) by the first question that is the same -- the page's opening one.
 */
let opening = null;

/** The answer to the opening question if `body` is that question (once), else null. */
function openingAnswer(body) {
  if (!opening || opening.key !== JSON.stringify(body)) return null;
  const { answer } = opening;
  opening = null;
  return answer;
}

/** Fill in x0 / start where the state has none. */
function defaultPoints(state, nvars, xr, yr) {
  const preset = presetFor(state.expr);
  if (nvars === 1 && state.x0 === null) {
    const s = presetStart(preset, 1);
    state.x0 = s ? s[0] : 1 >= xr[0] && 1 <= xr[1] ? 1 : (xr[0] + xr[1]) / 2;
  }
  if (nvars === 2 && state.start === null) {
    const s = presetStart(preset, 2);
    const round = (v) => Number(v.toPrecision(3));
    state.start = s ?? [round(xr[0] + 0.2 * (xr[1] - xr[0])), round(yr[1] - 0.2 * (yr[1] - yr[0]))];
  }
}

/** Make `presets` the page's presets, and their options the Preset menu's. */
function fillPresets(presets) {
  const select = $("preset");
  app.presets = presets;
  for (const [i, preset] of app.presets.entries()) {
    const opt = document.createElement("option");
    opt.value = String(i);
    bindText(opt, () => t("fn.preset_option", { name: tableText("functions", preset, "name"), expr: preset.expr }));
    select.appendChild(opt);
  }
}

/** A preset's settings: its box, and for two variables its learning rate and steps. */
function applyPreset(preset) {
  withPreset(app.state, preset);
  view2d.syncControls();
}

function syncPresetSelect() {
  const preset = presetFor(app.state.expr);
  $("preset").value = preset ? String(app.presets.indexOf(preset)) : "";
  bindText($("preset-help"), () => tableText("functions", preset, "description"));
}

// ------------------------------------------------------------------ views and tabs

/** Whether the tab `name` can be chosen for a function of `nvars` variables. */
function usableView(name, nvars) {
  if (name === "network") return true; // trains on its own data, whatever the function
  return name === "1d" ? nvars === 1 : nvars === 2;
}

/** The view shown last, and for how many variables. */
let shownView = null;

function showView(view, nvars) {
  const tabs = { "1d": $("tab-1d"), contour: $("tab-contour"), surface: $("tab-surface"), network: $("tab-network") };
  for (const [name, tab] of Object.entries(tabs)) {
    const usable = usableView(name, nvars);
    tab.disabled = !usable;
    tab.setAttribute("aria-selected", String(name === view));
    tab.tabIndex = name === view ? 0 : -1;
    bindRender(tab, () => {
      tab.title = usable ? "" : t(name === "1d" ? "tab.needs_one" : "tab.needs_two");
    });
  }
  const networkShown = view === "network";
  const variables = [...app.variables];
  bindText($("view-note"), () => (networkShown
    ? t("view.network_note")
    : nvars === 1
      ? t("view.one_var", { name: variables[0] })
      : t("view.two_vars", { names: variables.join(", ") })));
  // The function, its method and its computation graph do not apply to the network.
  $("function-bar").hidden = networkShown;
  $("graph-panel").hidden = networkShown;
  $("view-network").hidden = !networkShown;
  if (networkShown) network.show();
  $("view-1d").hidden = view !== "1d";
  $("view-2d").hidden = view !== "contour" && view !== "surface";
  $("view-2d").setAttribute("aria-labelledby", view === "surface" ? "tab-surface" : "tab-contour");
  $("plot-contour").hidden = view !== "contour";
  $("plot-surface").hidden = view !== "surface";
  showMethod(methodFor(app.state, view === "1d" ? "1d" : "2d"));
  // Plots drawn while their section was hidden have a stale size (a plot that stays on
  // screen keeps its size: resizing it would draw it all again).
  if (shownView !== view) {
    for (const el of document.querySelectorAll(".view:not([hidden]) .plot:not([hidden])")) {
      if (el.data) Plotly.Plots.resize(el);
    }
  }
  shownView = view;
}

/** Select `name` in the method menu and describe it. */
function showMethod(name) {
  $("method").value = name;
  bindText($("method-help"), () => tableText("methods", methodRow(name), "description"));
}

function bindTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectView(tab.dataset.view));
    tab.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const usable = tabs.filter((t) => !t.disabled);
      const k = usable.indexOf(tab);
      const next = usable[(k + (e.key === "ArrowRight" ? 1 : usable.length - 1)) % usable.length];
      next.focus();
      selectView(next.dataset.view);
    });
  }
}

/** How many times a tab was chosen: a choice made while the 3-D traces load wins. */
let viewsChosen = 0;

async function selectView(view) {
  const chosen = ++viewsChosen;
  await plotlyLoaded;
  if (view === "surface") await plotly3d(); // loaded the first time the surface is shown
  if (chosen !== viewsChosen) return;
  if (view === app.state.view) return;
  if (view !== "network" && (!app.goodExpr || !usableView(view, app.variables.length))) return;
  app.state.view = view;
  showView(view, app.variables.length);
  app.history.commit(app.state);
  if (view === "network") return;
  view2d.render({ loss: false }); // the loss plot stays as it is: only the figure changes
  view2d.showStep();
  const el = view === "surface" ? $("plot-surface") : $("plot-contour");
  if (el.data) Plotly.Plots.resize(el);
}

// ------------------------------------------------------------------ the function

let evalSeq = 0;
/** When the function field last changed (performance.now()). */
let lastKeystroke = -Infinity;

/**
 * Ask the server for the field of `expr` and, if it is accepted, make it the page's function.
 * @param {string} expr
 * @param {{push?: boolean, specs?: Array|null, fresh?: boolean, typing?: boolean}} options
 *   push: add a history entry; specs: descent runs to show (null keeps the current ones);
 *   fresh: a new function, so points and ranges come from its preset if it has one;
 *   typing: the text is being typed, so a refusal waits for a pause before it shows.
 */
async function evaluate(expr, { push = true, specs = null, fresh = false, typing = false } = {}) {
  const seq = ++evalSeq;
  const state = app.state;
  const candidate = { ...state, expr };
  if (fresh) { // the new function's own box, around its own start
    Object.assign(candidate, { xr: null, yr: null, x0: null, start: null, autoRange: true });
    state.autoRange = true;
  }
  const { xr, yr } = rangesFor(candidate);
  const early = earlyGraph(expr, fresh);
  let field;
  try {
    field = await app.slots.run("field", async (signal) => {
      const body = fieldBody(expr, { xr, yr });
      const first = await (openingAnswer(body) ?? api.field(body, signal));
      if (first.variables.length > 1) return first;
      return api.field({ expr, x_range: xr, n: GRID_1D }, signal);
    });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (seq !== evalSeq) return;
    const wait = typing ? lastKeystroke + ERROR_PAUSE_MS - performance.now() : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (seq !== evalSeq) return; // typed on: the text has changed
    showExprError(exprDom, expr, err.message, err.isExpressionError ? err.column : null, app.goodExpr !== null);
    document.body.dataset.ready = "true";
    return;
  }
  await plotlyLoaded; // the field was asked for while Plotly.js loaded (the first time)
  if (!field || seq !== evalSeq) return;
  clearExprError(exprDom);

  const variables = field.variables.length ? field.variables : ["x"];
  const changed = expr !== app.goodExpr;
  // A new function cannot keep the runs of the old one: say so rather than drop them silently.
  const dropped = changed && app.goodExpr !== null && specs === null ? view2d.runs.list.length : 0;
  if (changed && app.goodExpr !== null && specs === null) specs = [];
  if (fresh) {
    state.x0 = null;
    state.start = null;
  }
  state.expr = expr;
  state.xr = xr;
  state.yr = variables.length === 2 ? yr : state.yr;
  app.goodExpr = expr;
  app.variables = variables;
  field.expr = expr;
  field.variables = variables;
  defaultPoints(state, variables.length, xr, yr);

  // The network view stays chosen whatever the function; the others follow its variables.
  if (state.view !== "network") {
    if (variables.length === 1) state.view = "1d";
    else if (state.view !== "surface") state.view = "contour";
  }
  syncPresetSelect();
  showView(state.view, variables.length);
  if (push) app.history.commit(state);
  else app.history.replace(state);
  // The computation graph of a new function: the one asked for with the field if it is
  // for the same variables and point, else asked for now (the server works on it while
  // the page draws the field).
  if (changed && state.view !== "network") {
    const point = variables.length === 1 ? [state.x0] : state.start;
    const same = early && early.point === point && early.variables.join() === variables.join();
    updateGraph(point, same ? early : null);
  }

  const revision = `${expr}|${xr}|${yr}`;
  if (variables.length === 1) {
    await view1d.update(field, xr, revision);
  } else {
    await view2d.update(field, xr, yr, revision, specs);
  }
  if (seq !== evalSeq) return;
  if (dropped) {
    view2d.setStatus("", () => tn("runs.dropped", dropped));
  }
  app.history.replace(state);
  // Hooks for tests and for anyone scripting the page: what is on screen now.
  document.body.dataset.expr = expr;
  document.body.dataset.ready = "true";
}

function bindFunctionField() {
  const input = exprDom.input;
  const evaluateTyped = (typing) => {
    const text = input.value;
    if (text.trim() === "") return;
    // Typing a preset's text brings its ranges and start point with it -- unless the text
    // on screen is that preset's already (a space typed after it is not a new function).
    const preset = presetFor(text);
    const fresh = preset !== null && preset !== presetFor(app.goodExpr ?? "");
    evaluate(text, { push: true, fresh, typing });
  };
  const typed = debounce(() => evaluateTyped(true), TYPING_DEBOUNCE_MS);
  input.addEventListener("input", () => {
    lastKeystroke = performance.now();
    typed();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    typed.cancel();
    evaluateTyped(false);
  });
  $("preset").addEventListener("change", () => {
    const preset = app.presets[Number($("preset").value)];
    if (!preset) return;
    input.value = preset.expr;
    applyPreset(preset);
    evaluate(preset.expr, { push: true, specs: [], fresh: true });
  });
  $("method").addEventListener("change", () => {
    app.state.method = $("method").value;
    showMethod(app.state.method);
    app.history.commit(app.state);
    if (app.state.view === "1d") view1d.refreshDerivative();
  });
}

// ------------------------------------------------------------------ computation graph

/** The variable the graph's forward trace runs along (its index), as last chosen. */
let graphVariable = 0;
let graphPoint = null;
/** What the graph on screen (or being fetched) shows: function, point and variable. */
let graphShown = "";

/**
 * The computation graph of a text typed on a function of two variables, asked for at the
 * same time as its field (at the start point, with the variables on screen) so that both
 * are drawn in the same frame: {point, variables, variable, answer}, or null. An older
 * text's request is cancelled (the "early-graph" slot); a refusal is left to the field's.
 */
function earlyGraph(expr, fresh) {
  const { state } = app;
  if (fresh || state.view === "network" || app.variables.length !== 2 || !state.start
    || expr === app.goodExpr) return null;
  const variables = [...app.variables];
  const variable = graphVariable < variables.length ? graphVariable : 0;
  const direction = variables.map((_, i) => (i === variable ? 1 : 0));
  const point = state.start;
  const answer = app.slots.run("early-graph",
    (signal) => api.graph({ expr, variables, point, direction }, signal));
  answer.catch(() => {}); // refused: the field's answer says why
  return { point, variables, variable, answer };
}

async function updateGraph(point, early = null) {
  if (!app.goodExpr || !point || point.some((v) => v === null || v === undefined)) return;
  graphPoint = point;
  const container = $("graph");
  if (graphVariable >= app.variables.length) graphVariable = 0;
  const expr = app.goodExpr;
  const shown = `${expr}|${point}|${graphVariable}`;
  if (shown === graphShown) return; // asked already (e.g. by the function, then the start)
  graphShown = shown;
  const direction = app.variables.map((_, i) => (i === graphVariable ? 1 : 0));
  try {
    const ask = (signal) => api.graph(app.body({ point, direction }), signal);
    const graph = await app.slots.run("graph", (signal) => (early && early.variable === graphVariable
      ? early.answer.then((answer) => answer ?? ask(signal)) : ask(signal)));
    if (!graph) return;
    bindRender(container, () => renderGraph(container, graph, (i) => {
      graphVariable = Math.max(0, i);
      updateGraph(graphPoint);
    }));
    container.dataset.expr = expr; // a hook for tests and benchmarks: whose graph is drawn
    const out = graph.nodes.find((n) => n.id === graph.output);
    const where = point.length === 1 ? `${app.variables[0]} = ${fmt(point[0])}` : `(${app.variables.join(", ")}) = ${fmtPoint(point)}`;
    bindText($("graph-point"), () => tn("graph.point", graph.nodes.length, { where, value: fmt(out?.value ?? null) }));
  } catch (err) {
    graphShown = "";
    if (!(err instanceof ApiError)) throw err;
    bindRender(container, () => graphMessage(container, err.message));
    container.dataset.expr = expr;
  }
}

const updateGraphSoon = debounce(updateGraph, 120);

// ------------------------------------------------------------------ state <-> page

/** How many states were restored: back, back while the 3-D traces load is the last one. */
let restores = 0;

/** Make `state` the page's state (initial load and back/forward). */
async function restore(state) {
  const restoring = ++restores;
  if (state.view === "surface") await plotly3d();
  if (restoring !== restores) return;
  app.state = state;
  $("lang").value = state.lang;
  await setLanguage(state.lang);
  exprDom.input.value = state.expr;
  view2d.stop();
  view2d.syncControls();
  network.sync();
  // The network view needs no function: show it before (and whatever) f turns out to be.
  if (state.view === "network") {
    await plotlyLoaded;
    if (restoring !== restores) return;
    showView("network", app.variables.length);
  }
  await evaluate(state.expr, { push: false, specs: state.runs });
}

/** The "Language" menu: the page is written anew in the language chosen, state and all. */
function bindLanguage() {
  $("lang").addEventListener("change", async () => {
    app.state.lang = LANGUAGES[$("lang").value] ? $("lang").value : DEFAULT_LANGUAGE;
    app.history.commit(app.state);
    await setLanguage(app.state.lang);
  });
}

async function main() {
  // The menus, settings fields and URL parsing all read the API's tables, and every text
  // the language's catalogue: firstfield.js asked for the tables, the presets and the
  // first field before this module ran; the texts are asked for now. Plotly.js is not
  // waited for: it loads by itself (evaluate waits for it before drawing).
  const lang = new URLSearchParams(window.location.search).get("lang");
  try {
    await Promise.all([tablesLoaded, loadLanguage(LANGUAGES[lang] ? lang : DEFAULT_LANGUAGE)]);
    useLanguage(LANGUAGES[lang] ? lang : DEFAULT_LANGUAGE);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    showExprError(exprDom, "", t("page.cannot_start", { reason: err.message }), null, false);
    return;
  }
  // Plotly's own words in the page's language (useLanguage registers them once it is there).
  plotlyLoaded = plotlyReady().then(() => useLanguage(language()));
  fillSelect($("method"), tables.methods, "methods");
  app.history = new History((state) => restore(state));
  view1d = new View1D(app);
  view2d = new View2D(app);
  network = new NetworkView(app);
  bindTabs();
  bindFunctionField();
  bindLanguage();
  fillPresets(await presetsLoaded);
  // The first load without a link is the default function's preset, as if it were chosen.
  const state = openingState(window.location.search, app.presets);
  app.state = state;
  opening = await firstField;
  await restore(state);
}

main();
