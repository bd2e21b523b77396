// What each figure's "Data" tables hold, built from the same arrays the figure draws (the
// API's answers and the runs as the page keeps them): nothing is fetched or computed
// again another way. Each function returns table descriptions for datatable.js.
// Long series are thinned evenly (first and last kept) and say so; a field is given on a
// coarse grid of its own points, not all 6,561 of them.
import { t } from "./i18n.js";
import { fmt } from "./theme.js";

/** Most rows a table shows. */
export const MAX_ROWS = 400;
/** Points per axis of a field's coarse grid. */
export const GRID_ROWS = 11;
/** Points per axis of the arrows' grid. */
export const ARROW_ROWS = 7;

const isNum = (v) => v !== null && v !== undefined && Number.isFinite(v);
/** A number cell, or null where the figure has no value. */
const num = (v) => (isNum(v) ? v : null);
/** A cell shown as `text` that keeps `value` whole. */
const shown = (value, text) => ({ value, text });
const pct = (v) => (isNum(v) ? shown(v, `${(100 * v).toFixed(1)}%`) : null);

/**
 * Indices 0 … n−1 thinned evenly to at most `max`, the first and last kept.
 *
 * Example: `thinned(5, 3)` is `[0, 2, 4]`; `thinned(3, 10)` is `[0, 1, 2]`.
 */
export function thinned(n, max = MAX_ROWS) {
  if (n <= max) return Array.from({ length: n }, (_, k) => k);
  const picks = Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
  return [...new Set(picks)];
}

/** "" when every row is shown, else a sentence saying how many are. */
function thinNote(shownRows, total, what) {
  return shownRows >= total ? "" : t(`data.thinned_${what}`, { n: shownRows, total });
}

/** The 8-way arrow closest to the direction (u, v). */
export function arrowGlyph(u, v) {
  if (!isNum(u) || !isNum(v) || (u === 0 && v === 0)) return "·";
  const k = Math.round(Math.atan2(v, u) / (Math.PI / 4));
  return ["←", "↙", "↓", "↘", "→", "↗", "↑", "↖", "←"][k + 4];
}

// ------------------------------------------------------------------ 1-D view

/**
 * f, f′ and the tangent at x₀ at every x of the curve, as Plot1D draws them (the tangent
 * line is y₀ + slope·(x − x₀) there), and the learner's derivative when it is drawn.
 */
export function curveTables(field, tangent, x0, claim) {
  const name = field.variables[0] ?? "x";
  const xs = field.x;
  const drawn = tangent && tangent.differentiable && isNum(tangent.slope) && isNum(tangent.value);
  const columns = [name, `f(${name})`, `f′(${name})`];
  if (drawn) columns.push(t("data.tangent_at", { x0: fmt(x0) }));
  const claimed = claim && claim.y.length === xs.length ? claim : null;
  if (claimed) columns.push(t("data.your_derivative", { text: claimed.text }));
  const rows = Array.from(xs, (x, i) => {
    const row = [x, num(field.z[i]), num(field.u[i])];
    if (drawn) row.push(tangent.value + tangent.slope * (x - x0));
    if (claimed) row.push(num(claimed.y[i]));
    return row;
  });
  const note = drawn
    ? t("data.curve_note", {
      x0: fmt(x0), value: fmt(tangent.value), slope: fmt(tangent.slope), equation: tangent.equation,
    })
    : t("data.no_tangent");
  return [{ caption: t("data.curve_caption", { n: xs.length, name }), columns, rows, note }];
}

/** Each method's error at every step h of a POST /steps answer, and its best h. */
export function stepsTables(sweep, labelOf) {
  const methods = Object.keys(sweep.errors);
  const rows = Array.from(sweep.h, (h, k) => [h, ...methods.map((m) => num(sweep.errors[m][k]))]);
  const best = methods.filter((m) => isNum(sweep.best_h?.[m]))
    .map((m) => `${labelOf(m)} ${fmt(sweep.best_h[m], 2)}`).join(", ");
  return [{
    caption: t("data.steps_caption"),
    columns: [t("data.step_h"), ...methods.map(labelOf)],
    rows,
    note: (best ? t("data.best_h", { best }) : "") + t("data.zero_error"),
  }];
}

// ------------------------------------------------------------------ 2-D view

/** A run's name in a table's rows, "#2 Momentum" (its rate is in the runs table). */
const runName = (run) => (run.short ? `#${run.n} ${run.short}` : run.label);

/**
 * One row per entry k of each run, `rowOf(run, k)`, thinned evenly so that all runs
 * together stay near MAX_ROWS (at least 20 each); `note` says so when rows were left out.
 */
function runRows(runs, rowOf, what) {
  const per = Math.max(20, Math.floor(MAX_ROWS / Math.max(1, runs.length)));
  let total = 0;
  let listed = 0;
  const rows = runs.flatMap((run) => {
    const picks = thinned(run.values.length, per);
    total += run.values.length;
    listed += picks.length;
    return picks.map((k) => rowOf(run, k));
  });
  return { rows, note: thinNote(listed, total, what) };
}

/** Each run's points as the contour and the surface draw them: step, coordinates, f. */
export function runsTable(runs, variables) {
  const [nx, ny] = variables;
  const { rows, note } = runRows(runs, (run, k) => [
    runName(run), run.iterations[k], num(run.path[k][0]), num(run.path[k][1]), num(run.values[k]),
  ], "points");
  return {
    caption: runs.length ? t("data.runs_caption") : t("data.runs_none"),
    columns: [t("data.run"), t("data.step"), nx, ny, "f"],
    rows,
    note,
  };
}

/**
 * The field the contour is drawn from, on a coarse grid of its own points: f as a map
 * (rows from the top of the plot down), and the arrows: ∂f/∂x, ∂f/∂y and the way the
 * drawn arrow (sign·∇f) points.
 */
export function fieldTables(field, sign) {
  const [nx, ny] = field.variables;
  const is = thinned(field.x.length, GRID_ROWS);
  const js = thinned(field.y.length, GRID_ROWS).reverse();
  const map = {
    caption: t("data.field_caption", {
      i: is.length, j: js.length, x: field.x.length, y: field.y.length,
    }),
    columns: [`${ny} ↓ \\ ${nx} →`, ...is.map((i) => fmt(field.x[i], 4))],
    rows: js.map((j) => [field.y[j], ...is.map((i) => num(field.z[j][i]))]),
  };
  const ai = thinned(field.x.length, ARROW_ROWS);
  const aj = thinned(field.y.length, ARROW_ROWS);
  const arrows = {
    caption: t("data.arrows_caption", { i: ai.length, j: aj.length, sign: sign < 0 ? "−∇f" : "+∇f" }),
    columns: [nx, ny, `∂f/∂${nx}`, `∂f/∂${ny}`, t("data.arrow")],
    rows: aj.flatMap((j) => ai.map((i) => {
      const [u, v] = [field.u[j][i], field.v[j][i]];
      return [field.x[i], field.y[j], num(u), num(v), arrowGlyph(sign * u, sign * v)];
    })),
  };
  return [map, arrows];
}

/** f per iteration of each run, as the loss plot draws it (and the gap when it draws that). */
export function lossTables(runs) {
  const all = runs.flatMap((r) => Array.from(r.values).filter(isNum));
  const gap = all.length > 0 && !all.every((v) => v > 0);
  const best = all.length ? Math.min(...all) : 0;
  const { rows, note } = runRows(runs, (run, k) => {
    const row = [runName(run), run.iterations[k], num(run.values[k])];
    if (gap) row.push(isNum(run.values[k]) ? run.values[k] - best : null);
    return row;
  }, "iterations");
  const columns = [t("data.run"), t("data.iteration_k"), "f(xₖ)"];
  if (gap) columns.push(t("data.gap_plotted"));
  return [{
    caption: runs.length ? t("data.loss_caption") : t("data.no_runs"),
    columns,
    rows,
    note,
  }];
}

/** The partial-derivative slice: f along one variable and the tangent line drawn on it. */
export function sliceTables(name, fixed, data, at, value, slope) {
  const half = 0.3 * (data.t[data.t.length - 1] - data.t[0]);
  const drawn = isNum(value) && isNum(slope);
  const columns = [name, `f(${fixed})`];
  if (drawn) columns.push(t("data.slice_tangent", { slope: fmt(slope, 4) }));
  const rows = Array.from(data.t, (v, k) => {
    const row = [v, num(data.z[k])];
    if (drawn) row.push(Math.abs(v - at) <= half ? value + slope * (v - at) : null);
    return row;
  });
  return [{ caption: t("data.slice_caption", { name }), columns, rows,
    note: drawn ? t("data.slice_note", { half: fmt(half, 3), name, at: fmt(at) }) : "" }];
}

// ------------------------------------------------------------------ sweeps

/** One row per swept rate: final f, how the run ended, steps taken. */
export function sweepTables(sweep) {
  const s = sweep.stability;
  const marks = [];
  if (isNum(s.lr_bound)) marks.push(t("data.mark_bound", { formula: s.bound_formula, bound: fmt(s.lr_bound, 3) }));
  if (isNum(s.lr_optimal)) marks.push(t("data.mark_best", { lr: fmt(s.lr_optimal, 3) }));
  return [{
    caption: t("data.sweep_caption"),
    columns: [t("data.learning_rate"), t("data.final_f"), t("data.result"), t("data.steps_taken")],
    rows: Array.from(sweep.lr, (lr, k) => [
      lr, num(sweep.final_value[k]), t(`status.${sweep.status[k]}`), sweep.steps_taken[k],
    ]),
    note: marks.length ? t("data.marked", { marks: marks.join(t("data.mark_sep")) }) : "",
  }];
}

/** The phase diagram: final f for each rate (rows) and momentum (columns), and the bounds. */
export function phaseTables(sweep) {
  const table = {
    caption: t("data.phase_caption"),
    columns: [t("data.learning_rate"), ...sweep.momentum.map((b) => t("data.momentum_column", { b }))],
    rows: Array.from(sweep.lr, (lr, k) => [lr, ...sweep.momentum.map((_, i) => (
      sweep.status[i][k] === "diverged" ? t("status.diverged") : num(sweep.final_value[i][k])
    ))]),
  };
  const tables = [table];
  if (sweep.lr_bounds) {
    tables.push({
      caption: t("data.bounds_caption", { formula: sweep.stability.bound_formula }),
      columns: [t("data.momentum_beta"), t("data.bound_column")],
      rows: sweep.momentum.map((b, i) => [b, num(sweep.lr_bounds[i])]),
    });
  }
  return tables;
}

// ------------------------------------------------------------------ the network

/** The mini-batch loss per iteration and the whole set's loss per epoch. */
export function networkLossTables(run) {
  const picks = thinned(run.iterations.length);
  return [
    {
      caption: t("data.batch_loss_caption"),
      columns: [t("data.iteration"), t("data.batch_loss")],
      rows: picks.map((k) => [run.iterations[k], num(run.loss[k])]),
      note: thinNote(picks.length, run.iterations.length, "iterations"),
    },
    {
      caption: t("data.train_loss_caption"),
      columns: [t("data.epoch"), t("data.iteration"), t("data.train_loss")],
      rows: run.epochs.map((e, k) => [e, e * run.perEpoch, num(run.trainLoss[k])]),
    },
  ];
}

/** Train and test accuracy per epoch. */
export function accuracyTables(run) {
  return [{
    caption: t("data.accuracy_caption"),
    columns: [t("data.epoch"), t("data.train"), t("data.test")],
    rows: run.epochs.map((e, k) => [e, pct(run.trainAccuracy[k]), pct(run.testAccuracy[k])]),
  }];
}

/** The confusion matrix: how many test images of each true digit got each label. */
export function confusionTables(run) {
  const matrix = run.confusion ?? [];
  return [{
    caption: matrix.length ? t("data.confusion_caption") : t("data.confusion_none"),
    columns: [t("data.true_predicted"), ...matrix.map((_, i) => String(i))],
    rows: matrix.map((row, i) => [String(i), ...row]),
  }];
}

/** The predicted probability of class 1 on a coarse grid of the heatmap's own points. */
export function boundaryTables(run) {
  const b = run.boundary;
  if (!b) return [{ caption: t("data.boundary_none"), columns: [], rows: [] }];
  const is = thinned(b.x.length, GRID_ROWS);
  const js = thinned(b.y.length, GRID_ROWS).reverse();
  const counts = run.data?.trainLabels
    ? t("data.boundary_counts", { train: run.data.trainLabels.length, test: run.data.testLabels.length })
    : "";
  return [{
    caption: t("data.boundary_caption", { i: is.length, j: js.length, x: b.x.length, y: b.y.length }),
    columns: ["x₂ ↓ \\ x₁ →", ...is.map((i) => fmt(b.x[i], 3))],
    rows: js.map((j) => [b.y[j], ...is.map((i) => num(b.p[j][i]))]),
    note: t("data.boundary_note") + counts,
  }];
}
