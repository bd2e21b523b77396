// Page state and its URL form. The query string is the source of truth for what a
// link reproduces: function, view, point, optimizer, learning rate, steps, method,
// optimizer settings, the descent runs on screen and the page's language. Optimizer and
// method names and the settings' defaults come from the API's tables (tables.js), loaded
// before any URL is read.
import { DEFAULT_LANGUAGE, LANGUAGES } from "./i18n.js";
import { activationRow, datasetRow, initRow, netField } from "./networktables.js";
import {
  clampField, methodRow, optimizerRow, settingNames, settingsFor, tables,
} from "./tables.js";

export const VIEWS = ["1d", "contour", "surface", "network"];

/** The learning rates the page takes, exactly as typed (the slider covers the same range). */
export const LR_MIN = 1e-12;
export const LR_MAX = 100;
/** The Steps field's bounds (the highest is this server's max_steps). */
export const STEPS_FIELD = { integer: true, minimum: 1, limit: "max_steps" };
export const DEFAULT_EXPR = "x**2 + y**2";

export function defaultState() {
  return {
    expr: DEFAULT_EXPR,
    view: null, // "1d" | "contour" | "surface"; null = decided by the number of variables
    x0: null, // point of the 1-D view; null = preset's or default
    start: null, // [x, y] start of the 2-D view; null = preset's or default
    optimizer: tables.optimizers[0]?.name ?? null, // the table's first row (plain gradient descent)
    lr: 0.1,
    steps: 50,
    method: null, // null = central in 1-D, autodiff in 2-D
    xr: null, // [lo, hi] plotted range of the first variable; null = preset's or default
    yr: null, // [lo, hi] plotted range of the second variable
    autoRange: true, // false once a range is chosen (in a link, the range boxes, a zoom)
    h: null, // the 1-D view's step h for the numerical derivative; null = the method's own
    ascent: false, // the 2-D arrows show +∇f instead of −∇f
    playStep: null, // the player's position (index into the selected run's path)
    settings: {}, // optimizer settings the user changed, by name; the rest take the table's defaults
    runs: [], // [{optimizer, lr, steps, method, start, settings}]
    net: defaultNet(), // the "Neural network" view's settings
    lang: DEFAULT_LANGUAGE, // the page's language: "en" or "zh" (i18n.js)
  };
}

/**
 * The network view's starting settings: a circle that 8 tanh units learn in a few
 * seconds. Names are checked against GET /network/tables when a URL is read.
 */
export function defaultNet() {
  return {
    dataset: "circle",
    samples: 400,
    noise: 0.1,
    hidden: 8,
    activation: "tanh",
    init: "xavier",
    initStd: 0.01,
    optimizer: tables.optimizers[0]?.name ?? null, // the table's first row (plain gradient descent)
    lr: 0.5,
    batch: 10,
    epochs: 50,
    seed: 0,
    settings: {}, // optimizer settings the user changed, by name
  };
}

/**
 * The network view's numeric fields, each once: [state key, query key, element id, the
 * request's field]. Their bounds are the request schema's (GET /network/tables `fields`,
 * networktables.js netField), with this server's limits.
 */
export const NET_FIELDS = [
  ["samples", "samples", "net-samples", "samples"],
  ["noise", "noise", "net-noise", "noise"],
  ["hidden", "hidden", "net-hidden", "hidden"],
  ["initStd", "std", "net-init-std", "init_std"],
  ["lr", "nlr", "net-lr", "lr"],
  ["batch", "batch", "net-batch", "batch_size"],
  ["epochs", "epochs", "net-epochs", "epochs"],
  ["seed", "seed", "net-seed", "seed"],
];
const NET_SETTING_PREFIX = "n";

function netFromQuery(q) {
  const net = defaultNet();
  if (datasetRow(q.get("data"))) net.dataset = q.get("data");
  if (activationRow(q.get("act"))) net.activation = q.get("act");
  if (initRow(q.get("init"))) net.init = q.get("init");
  if (optimizerRow(q.get("nopt"))) net.optimizer = q.get("nopt");
  for (const [key, name, , field] of NET_FIELDS) {
    const value = num(q.get(name));
    const clamped = value === null ? null : clampField(netField(field), value);
    if (clamped !== null) net[key] = clamped;
  }
  for (const key of settingNames()) {
    const value = num(q.get(NET_SETTING_PREFIX + key));
    if (value !== null) net.settings[key] = value;
  }
  return net;
}

function netToQuery(net, q) {
  q.set("data", net.dataset);
  if (datasetRow(net.dataset)?.planar ?? true) {
    q.set("samples", String(net.samples));
    q.set("noise", short(net.noise));
  }
  q.set("hidden", String(net.hidden));
  q.set("act", net.activation);
  q.set("init", net.init);
  if (initRow(net.init)?.uses_init_std) q.set("std", short(net.initStd));
  q.set("nopt", net.optimizer);
  q.set("nlr", short(net.lr));
  q.set("batch", String(net.batch));
  q.set("epochs", String(net.epochs));
  q.set("seed", String(net.seed));
  for (const [key, value] of changedSettings(net.optimizer, net.settings)) {
    q.set(NET_SETTING_PREFIX + key, short(value));
  }
}

/** The method in force for a view when the user has not chosen one. */
export function methodFor(state, view) {
  if (state.method) return state.method;
  return view === "1d" ? "central" : "autodiff";
}

function num(text) {
  if (text === null || text === "") return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

function numList(text) {
  if (!text) return null;
  const parts = text.split(",").map((p) => num(p.trim()));
  return parts.every((p) => p !== null) ? parts : null;
}

export const clampLr = (lr) => Math.min(LR_MAX, Math.max(LR_MIN, lr));
export const clampSteps = (n) => clampField(STEPS_FIELD, n);

/** Compact, exact-enough text for a number in a URL. */
export function short(v) {
  return String(Number(v.toPrecision(12)));
}

/** The settings of `optimizer` that differ from the table's defaults. */
function changedSettings(optimizer, settings) {
  const defaults = settingsFor(optimizer);
  return Object.entries(settingsFor(optimizer, settings)).filter(([key, value]) => value !== defaults[key]);
}

function runToText(run) {
  const parts = [run.optimizer, short(run.lr), String(run.steps), run.method, ...run.start.map(short)];
  for (const [key, value] of changedSettings(run.optimizer, run.settings)) parts.push(`${key}=${short(value)}`);
  return parts.join(",");
}

function runFromText(text) {
  const parts = text.split(",");
  if (parts.length < 6) return null;
  const [optimizer, lrText, stepsText, method, sx, sy, ...rest] = parts;
  const lr = num(lrText);
  const steps = num(stepsText);
  const start = [num(sx), num(sy)];
  if (!optimizerRow(optimizer) || !methodRow(method)) return null;
  if (lr === null || steps === null || start.includes(null)) return null;
  const given = {};
  for (const item of rest) {
    const [key, valueText] = item.split("=");
    const value = num(valueText);
    if (value !== null) given[key] = value;
  }
  return { optimizer, lr: clampLr(lr), steps: clampSteps(steps), method, start, settings: settingsFor(optimizer, given) };
}

/** Read a state from a query string; anything missing or malformed keeps its default. */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const state = defaultState();
  if (q.has("f")) state.expr = q.get("f");
  if (VIEWS.includes(q.get("view"))) state.view = q.get("view");
  const point = numList(q.get("point"));
  if (point && point.length === 1) state.x0 = point[0];
  if (point && point.length === 2) state.start = point;
  if (optimizerRow(q.get("opt"))) state.optimizer = q.get("opt");
  const lr = num(q.get("lr"));
  if (lr !== null && lr > 0) state.lr = clampLr(lr);
  const steps = num(q.get("steps"));
  if (steps !== null) state.steps = clampSteps(steps);
  if (methodRow(q.get("method"))) state.method = q.get("method");
  for (const key of settingNames()) {
    const value = num(q.get(key));
    if (value !== null) state.settings[key] = value;
  }
  for (const key of ["xr", "yr"]) {
    const range = numList(q.get(key));
    if (range && range.length === 2 && range[0] < range[1]) {
      state[key] = range;
      state.autoRange = false;
    }
  }
  const h = num(q.get("h"));
  if (h !== null && h > 0) state.h = h;
  state.ascent = q.get("arrows") === "ascent";
  const step = num(q.get("step"));
  if (step !== null && Number.isInteger(step) && step >= 0) state.playStep = step;
  state.runs = q.getAll("run").map(runFromText).filter(Boolean);
  state.net = netFromQuery(q);
  if (LANGUAGES[q.get("lang")]) state.lang = q.get("lang");
  return state;
}

/** The query string (with leading "?") that reproduces `state`. */
export function toQuery(state) {
  const q = new URLSearchParams();
  q.set("f", state.expr);
  if (state.view) q.set("view", state.view);
  // The 2-D views' parts (also when no view is chosen yet); the network view keeps its own.
  const twoD = state.view !== "1d" && state.view !== "network";
  if (state.view === "1d" && state.x0 !== null) q.set("point", short(state.x0));
  if (twoD && state.start) q.set("point", state.start.map(short).join(","));
  if (twoD) {
    q.set("opt", state.optimizer);
    q.set("lr", short(state.lr));
    q.set("steps", String(state.steps));
  }
  if (state.method) q.set("method", state.method);
  if (state.xr) q.set("xr", state.xr.map(short).join(","));
  if (state.yr && twoD) q.set("yr", state.yr.map(short).join(","));
  if (state.view === "1d" && state.h !== null) q.set("h", short(state.h));
  if (twoD) {
    for (const [key, value] of changedSettings(state.optimizer, state.settings)) q.set(key, short(value));
    if (state.ascent) q.set("arrows", "ascent");
    for (const run of state.runs) q.append("run", runToText(run));
    if (state.runs.length && state.playStep !== null) q.set("step", String(state.playStep));
  }
  if (state.view === "network") netToQuery(state.net, q);
  if (state.lang !== DEFAULT_LANGUAGE) q.set("lang", state.lang);
  // Readable links: keep , ( ) * unescaped and spaces as +.
  const text = q.toString().replace(/%2C/g, ",").replace(/%28/g, "(").replace(/%29/g, ")");
  return `?${text}`;
}

/**
 * Browser history: `commit` pushes a new entry (a step the user may want to go back
 * to), `replace` rewrites the current one (slider drags, typing in number fields).
 */
export class History {
  constructor(onRestore) {
    this.onRestore = onRestore;
    window.addEventListener("popstate", () => this.onRestore(fromQuery(window.location.search)));
  }

  commit(state) {
    const query = toQuery(state);
    if (query === window.location.search) return;
    window.history.pushState(null, "", query);
  }

  replace(state) {
    const query = toQuery(state);
    if (query === window.location.search) return;
    window.history.replaceState(null, "", query);
  }
}
