// Page state and its URL form. The query string is the source of truth for what a
// link reproduces: function, view, point, optimizer, learning rate, steps, method,
// optimizer settings and the descent runs on screen.

export const OPTIMIZERS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];
export const METHODS = ["autodiff", "dual", "central", "forward", "backward", "richardson", "complex-step"];
export const VIEWS = ["1d", "contour", "surface"];

/** Optimizer settings with the contract's defaults and the optimizers that use them. */
export const SETTINGS = {
  momentum: { value: 0.9, for: ["momentum", "nesterov"] },
  beta1: { value: 0.9, for: ["adam"] },
  beta2: { value: 0.999, for: ["adam"] },
  rho: { value: 0.9, for: ["rmsprop"] },
  eps: { value: 1e-8, for: ["adagrad", "rmsprop", "adam"] },
};

export const LR_MIN = 1e-5;
export const LR_MAX = 10;
export const STEPS_MAX = 100000;
export const DEFAULT_EXPR = "x**2 + y**2";

export function defaultState() {
  const settings = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.value]));
  return {
    expr: DEFAULT_EXPR,
    view: null, // "1d" | "contour" | "surface"; null = decided by the number of variables
    x0: null, // point of the 1-D view; null = preset's or default
    start: null, // [x, y] start of the 2-D view; null = preset's or default
    optimizer: "gd",
    lr: 0.1,
    steps: 50,
    method: null, // null = central in 1-D, autodiff in 2-D
    xr: null, // [lo, hi] plotted range of the first variable; null = preset's or default
    yr: null, // [lo, hi] plotted range of the second variable
    settings,
    runs: [], // [{optimizer, lr, steps, method, start, settings}]
  };
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
export const clampSteps = (n) => Math.min(STEPS_MAX, Math.max(1, Math.round(n)));

/** Compact, exact-enough text for a number in a URL. */
export function short(v) {
  return String(Number(v.toPrecision(12)));
}

function runToText(run) {
  const parts = [run.optimizer, short(run.lr), String(run.steps), run.method, ...run.start.map(short)];
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const value = run.settings?.[key];
    if (value !== undefined && value !== spec.value && spec.for.includes(run.optimizer)) {
      parts.push(`${key}=${short(value)}`);
    }
  }
  return parts.join(",");
}

function runFromText(text) {
  const parts = text.split(",");
  if (parts.length < 6) return null;
  const [optimizer, lrText, stepsText, method, sx, sy, ...rest] = parts;
  const lr = num(lrText);
  const steps = num(stepsText);
  const start = [num(sx), num(sy)];
  if (!OPTIMIZERS.includes(optimizer) || !METHODS.includes(method)) return null;
  if (lr === null || steps === null || start.includes(null)) return null;
  const settings = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.value]));
  for (const item of rest) {
    const [key, valueText] = item.split("=");
    const value = num(valueText);
    if (key in SETTINGS && value !== null) settings[key] = value;
  }
  return { optimizer, lr: clampLr(lr), steps: clampSteps(steps), method, start, settings };
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
  if (OPTIMIZERS.includes(q.get("opt"))) state.optimizer = q.get("opt");
  const lr = num(q.get("lr"));
  if (lr !== null && lr > 0) state.lr = clampLr(lr);
  const steps = num(q.get("steps"));
  if (steps !== null) state.steps = clampSteps(steps);
  if (METHODS.includes(q.get("method"))) state.method = q.get("method");
  for (const key of Object.keys(SETTINGS)) {
    const value = num(q.get(key));
    if (value !== null) state.settings[key] = value;
  }
  for (const key of ["xr", "yr"]) {
    const range = numList(q.get(key));
    if (range && range.length === 2 && range[0] < range[1]) state[key] = range;
  }
  state.runs = q.getAll("run").map(runFromText).filter(Boolean);
  return state;
}

/** The query string (with leading "?") that reproduces `state`. */
export function toQuery(state) {
  const q = new URLSearchParams();
  q.set("f", state.expr);
  if (state.view) q.set("view", state.view);
  if (state.view === "1d" && state.x0 !== null) q.set("point", short(state.x0));
  if (state.view !== "1d" && state.start) q.set("point", state.start.map(short).join(","));
  if (state.view !== "1d") {
    q.set("opt", state.optimizer);
    q.set("lr", short(state.lr));
    q.set("steps", String(state.steps));
  }
  if (state.method) q.set("method", state.method);
  if (state.xr) q.set("xr", state.xr.map(short).join(","));
  if (state.yr && state.view !== "1d") q.set("yr", state.yr.map(short).join(","));
  if (state.view !== "1d") {
    for (const [key, spec] of Object.entries(SETTINGS)) {
      if (state.settings[key] !== spec.value) q.set(key, short(state.settings[key]));
    }
    for (const run of state.runs) q.append("run", runToText(run));
  }
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
