// What each figure's "Data" tables hold, built from the same arrays the figure draws (the
// API's answers and the runs as the page keeps them): nothing is fetched or computed
// again another way. Each function returns table descriptions for datatable.js.
// Long series are thinned evenly (first and last kept) and say so; a field is given on a
// coarse grid of its own points, not all 6,561 of them.
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
  return shownRows >= total ? "" : `${shownRows} of the ${total} ${what} are listed, evenly spaced, first and last included.`;
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
  if (drawn) columns.push(`tangent at x₀ = ${fmt(x0)}`);
  const claimed = claim && claim.y.length === xs.length ? claim : null;
  if (claimed) columns.push(`your derivative ${claimed.text}`);
  const rows = Array.from(xs, (x, i) => {
    const row = [x, num(field.z[i]), num(field.u[i])];
    if (drawn) row.push(tangent.value + tangent.slope * (x - x0));
    if (claimed) row.push(num(claimed.y[i]));
    return row;
  });
  const note = drawn
    ? `At x₀ = ${fmt(x0)}: f(x₀) = ${fmt(tangent.value)}, f′(x₀) = ${fmt(tangent.slope)}; tangent ${tangent.equation}.`
    : "No tangent is drawn at x₀.";
  return [{ caption: `f, f′ and the tangent at ${xs.length} points of ${name}`, columns, rows, note }];
}

/** Each method's error at every step h of a POST /steps answer, and its best h. */
export function stepsTables(sweep, labelOf) {
  const methods = Object.keys(sweep.errors);
  const rows = Array.from(sweep.h, (h, k) => [h, ...methods.map((m) => num(sweep.errors[m][k]))]);
  const best = methods.filter((m) => isNum(sweep.best_h?.[m]))
    .map((m) => `${labelOf(m)} ${fmt(sweep.best_h[m], 2)}`).join(", ");
  return [{
    caption: "Error |numerical − exact| of each method against the step h",
    columns: ["step h", ...methods.map(labelOf)],
    rows,
    note: (best ? `Best h: ${best}.` : "") + " An error of exactly 0 has no point on the log axes.",
  }];
}

// ------------------------------------------------------------------ 2-D view

/** A run's name in a table's rows, "#2 Momentum" (its rate is in the runs table). */
const runName = (run) => (run.short ? `#${run.n} ${run.short}` : run.label);

/** Each run's points as the contour and the surface draw them: step, coordinates, f. */
export function runsTable(runs, variables) {
  const [nx, ny] = variables;
  const per = Math.max(20, Math.floor(MAX_ROWS / Math.max(1, runs.length)));
  let total = 0;
  let listed = 0;
  const rows = runs.flatMap((run) => {
    const picks = thinned(run.path.length, per);
    total += run.path.length;
    listed += picks.length;
    return picks.map((k) => [runName(run), run.iterations[k], num(run.path[k][0]), num(run.path[k][1]), num(run.values[k])]);
  });
  return {
    caption: runs.length ? "The runs' points, step by step" : "No runs yet: run descent to see its points here",
    columns: ["run", "step", nx, ny, "f"],
    rows,
    note: thinNote(listed, total, "points"),
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
    caption: `f on a ${is.length} × ${js.length} grid of the ${field.x.length} × ${field.y.length} points the contour is drawn from`,
    columns: [`${ny} ↓ \\ ${nx} →`, ...is.map((i) => fmt(field.x[i], 4))],
    rows: js.map((j) => [field.y[j], ...is.map((i) => num(field.z[j][i]))]),
  };
  const ai = thinned(field.x.length, ARROW_ROWS);
  const aj = thinned(field.y.length, ARROW_ROWS);
  const arrows = {
    caption: `The gradient on a ${ai.length} × ${aj.length} grid; the arrows show ${sign < 0 ? "−∇f" : "+∇f"}`,
    columns: [nx, ny, `∂f/∂${nx}`, `∂f/∂${ny}`, "arrow"],
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
  const per = Math.max(20, Math.floor(MAX_ROWS / Math.max(1, runs.length)));
  let total = 0;
  let listed = 0;
  const rows = runs.flatMap((run) => {
    const picks = thinned(run.values.length, per);
    total += run.values.length;
    listed += picks.length;
    return picks.map((k) => {
      const row = [runName(run), run.iterations[k], num(run.values[k])];
      if (gap) row.push(isNum(run.values[k]) ? run.values[k] - best : null);
      return row;
    });
  });
  const columns = ["run", "iteration k", "f(xₖ)"];
  if (gap) columns.push("f(xₖ) − min f (plotted)");
  return [{
    caption: runs.length ? "f at each iteration of each run" : "No runs yet",
    columns,
    rows,
    note: thinNote(listed, total, "iterations"),
  }];
}

/** The partial-derivative slice: f along one variable and the tangent line drawn on it. */
export function sliceTables(name, fixed, data, at, value, slope) {
  const half = 0.3 * (data.t[data.t.length - 1] - data.t[0]);
  const drawn = isNum(value) && isNum(slope);
  const columns = [name, `f(${fixed})`];
  if (drawn) columns.push(`tangent, slope ${fmt(slope, 4)}`);
  const rows = Array.from(data.t, (t, k) => {
    const row = [t, num(data.z[k])];
    if (drawn) row.push(Math.abs(t - at) <= half ? value + slope * (t - at) : null);
    return row;
  });
  return [{ caption: `f along ${name} through the point`, columns, rows,
    note: drawn ? `The tangent is drawn within ${fmt(half, 3)} of ${name} = ${fmt(at)}.` : "" }];
}

// ------------------------------------------------------------------ sweeps

/** One row per swept rate: final f, how the run ended, steps taken. */
export function sweepTables(sweep) {
  const s = sweep.stability;
  const marks = [];
  if (isNum(s.lr_bound)) marks.push(`stability bound ${s.bound_formula} = ${fmt(s.lr_bound, 3)}`);
  if (isNum(s.lr_optimal)) marks.push(`best fixed step ${fmt(s.lr_optimal, 3)}`);
  return [{
    caption: "Final f after each run against its learning rate",
    columns: ["learning rate", "final f", "result", "steps taken"],
    rows: Array.from(sweep.lr, (lr, k) => [lr, num(sweep.final_value[k]), sweep.status[k], sweep.steps_taken[k]]),
    note: marks.length ? `Marked on the plot: ${marks.join("; ")}.` : "",
  }];
}

/** The phase diagram: final f for each rate (rows) and momentum (columns), and the bounds. */
export function phaseTables(sweep) {
  const table = {
    caption: "Final f over learning rate × momentum (a diverged run has no value)",
    columns: ["learning rate", ...sweep.momentum.map((b) => `momentum ${b}`)],
    rows: Array.from(sweep.lr, (lr, k) => [lr, ...sweep.momentum.map((_, i) => (
      sweep.status[i][k] === "diverged" ? "diverged" : num(sweep.final_value[i][k])
    ))]),
  };
  const tables = [table];
  if (sweep.lr_bounds) {
    tables.push({
      caption: `The stability bound ${sweep.stability.bound_formula} of each momentum`,
      columns: ["momentum β", "bound on the learning rate"],
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
      caption: "Mini-batch loss per iteration",
      columns: ["iteration", "mini-batch loss"],
      rows: picks.map((k) => [run.iterations[k], num(run.loss[k])]),
      note: thinNote(picks.length, run.iterations.length, "iterations"),
    },
    {
      caption: "Training loss on the whole set, per epoch",
      columns: ["epoch", "iteration", "training loss"],
      rows: run.epochs.map((e, k) => [e, e * run.perEpoch, num(run.trainLoss[k])]),
    },
  ];
}

/** Train and test accuracy per epoch. */
export function accuracyTables(run) {
  return [{
    caption: "Accuracy per epoch",
    columns: ["epoch", "train", "test"],
    rows: run.epochs.map((e, k) => [e, pct(run.trainAccuracy[k]), pct(run.testAccuracy[k])]),
  }];
}

/** The confusion matrix: how many test images of each true digit got each label. */
export function confusionTables(run) {
  const matrix = run.confusion ?? [];
  return [{
    caption: matrix.length ? "Confusion matrix of the test set: rows are the true digit, columns the predicted one"
      : "No confusion matrix yet: train the network",
    columns: ["true \\ predicted", ...matrix.map((_, i) => String(i))],
    rows: matrix.map((row, i) => [String(i), ...row]),
  }];
}

/** The predicted probability of class 1 on a coarse grid of the heatmap's own points. */
export function boundaryTables(run) {
  const b = run.boundary;
  if (!b) return [{ caption: "No decision boundary yet: train the network", columns: [], rows: [] }];
  const is = thinned(b.x.length, GRID_ROWS);
  const js = thinned(b.y.length, GRID_ROWS).reverse();
  const counts = run.data?.trainLabels
    ? ` ${run.data.trainLabels.length} training and ${run.data.testLabels.length} test points are drawn over it.` : "";
  return [{
    caption: `p(class 1) on a ${is.length} × ${js.length} grid of the ${b.x.length} × ${b.y.length} points drawn`,
    columns: ["x₂ ↓ \\ x₁ →", ...is.map((i) => fmt(b.x[i], 3))],
    rows: js.map((j) => [b.y[j], ...is.map((i) => num(b.p[j][i]))]),
    note: `Where p > 0.5 the network says class 1.${counts}`,
  }];
}
