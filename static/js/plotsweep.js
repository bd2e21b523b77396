// Figures of a learning-rate sweep (POST /sweep): the final loss against the learning rate
// on log–log axes, each run coloured by how it ended, with the stability bound, the best
// fixed step and the current rate marked; and, over learning rate × momentum, a heatmap
// of the final loss with the bound curve drawn over it (the phase diagram).
import { dataViewFor } from "./datatable.js";
import { phaseTables, sweepTables } from "./plotdata.js";
import { COLORS, OKABE_ITO, PLOT_CONFIG, axis, baseLayout, fmt } from "./theme.js";
import { t } from "./i18n.js";

/** How a run ended, told by colour and by marker both. */
export const STATUS_COLORS = {
  converged: OKABE_ITO.bluishGreen, completed: OKABE_ITO.blue, diverged: OKABE_ITO.vermillion,
};
const STATUS_SYMBOLS = { converged: "circle", completed: "square", diverged: "x" };

const isNum = (v) => v !== null && v !== undefined && Number.isFinite(v);

/**
 * Values for a log axis: f itself when every value is positive, else the gap to the
 * lowest value reached (f − min f), as the loss plot does. Returns {y, note}.
 */
function logValues(values) {
  const finite = values.filter(isNum);
  const positive = finite.every((v) => v > 0);
  if (positive) return { y: values.map((v) => (isNum(v) ? v : null)), title: t("sweep.final_f") };
  const low = Math.min(...finite);
  return {
    y: values.map((v) => (isNum(v) && v > low ? v - low : null)),
    title: t("sweep.final_gap"),
  };
}

function verticalLine(x, color, dash, label, yshift) {
  return {
    shape: {
      type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
      line: { color, width: 1.5, dash },
    },
    annotation: {
      x: Math.log10(x), xref: "x", yref: "paper", y: 1, yanchor: "bottom", yshift,
      text: label, showarrow: false, font: { size: 11, color }, bgcolor: "rgba(255,255,255,0.85)",
    },
  };
}

/** The marks every sweep plot shares: bound, best fixed step, the rate in the Learning rate box. */
function marks(sweep, lr) {
  const s = sweep.stability;
  const lines = [];
  if (isNum(s.lr_bound) && sweep.momentum === undefined) {
    lines.push(verticalLine(s.lr_bound, COLORS.tangent, "solid", t("sweep.bound_mark", { formula: s.bound_formula, bound: fmt(s.lr_bound, 3) }), 0));
  }
  if (isNum(s.lr_optimal) && sweep.momentum === undefined) {
    lines.push(verticalLine(s.lr_optimal, COLORS.fprime, "dash", t("sweep.optimal_mark", { lr: fmt(s.lr_optimal, 3) }), 16));
  }
  if (isNum(lr)) lines.push(verticalLine(lr, COLORS.ink, "dot", t("sweep.your_lr", { lr: fmt(lr, 3) }), 32));
  return lines;
}

/**
 * Final value against the learning rate, one trace per status.
 * @param {HTMLElement} el
 * @param {object} sweep POST /sweep answer (no momentums)
 * @param {number} lr the rate in the Learning rate box
 */
export function renderSweep(el, sweep, lr) {
  const { y, title } = logValues(sweep.final_value);
  const traces = ["converged", "completed", "diverged"].map((status) => {
    const keep = sweep.status.map((s) => s === status);
    return {
      type: "scatter", mode: "markers", name: t(`status.${status}`),
      x: sweep.lr.filter((_, k) => keep[k]),
      y: y.filter((_, k) => keep[k]),
      customdata: sweep.lr.map((r, k) => [r, sweep.final_value[k], sweep.steps_taken[k]]).filter((_, k) => keep[k]),
      marker: { color: STATUS_COLORS[status], size: 8, symbol: STATUS_SYMBOLS[status], line: { color: "#fff", width: 0.5 } },
      hovertemplate: `${t(`sweep.hover_${status}`)}<extra></extra>`,
    };
  });
  const lines = marks(sweep, lr);
  const layout = baseLayout({
    xaxis: axis(t("sweep.x"), { type: "log", exponentformat: "power" }),
    yaxis: axis(t("sweep.y_log", { title }), { type: "log", exponentformat: "power" }),
    hovermode: "closest",
    shapes: lines.map((l) => l.shape),
    annotations: lines.map((l) => l.annotation),
    margin: { l: 64, r: 16, t: 56, b: 64 },
    legend: { orientation: "h", x: 1, xanchor: "right", y: -0.18, yanchor: "top", font: { size: 12 } },
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => sweepTables(sweep), [sweep]);
}

/**
 * The phase diagram: log10 of the final value over learning rate × momentum, diverged
 * runs marked with crosses, and the bound of each momentum drawn as a curve.
 */
export function renderPhase(el, sweep, lr, momentum) {
  const { y: values, title } = logValues(sweep.final_value.flat());
  const n = sweep.lr.length;
  const z = sweep.momentum.map((_, i) => sweep.lr.map((_, k) => {
    const v = values[i * n + k];
    return sweep.status[i][k] === "diverged" || v === null ? null : Math.log10(v);
  }));
  const logLr = sweep.lr.map(Math.log10);
  // Momentums sit on evenly spaced rows (0.9, 0.95 and 0.98 would be slivers on a linear axis).
  const rows = sweep.momentum.map((_, i) => i);
  const diverged = { x: [], y: [] };
  sweep.momentum.forEach((_, i) => sweep.lr.forEach((__, k) => {
    if (sweep.status[i][k] === "diverged") {
      diverged.x.push(logLr[k]);
      diverged.y.push(i);
    }
  }));
  const traces = [
    {
      type: "heatmap", x: logLr, y: rows, z, colorscale: "Viridis", reversescale: true,
      customdata: sweep.momentum.map((beta) => sweep.lr.map((rate) => [rate, beta])),
      colorbar: { title: { text: `log₁₀ ${title}`, side: "right" }, thickness: 12 },
      hovertemplate: `${t("sweep.phase_hover")}<extra></extra>`,
      name: t("sweep.final_value"),
    },
    {
      type: "scatter", mode: "markers", name: t("status.diverged"), ...diverged,
      marker: { symbol: "x-thin", size: 7, color: STATUS_COLORS.diverged, line: { width: 1.5, color: STATUS_COLORS.diverged } },
      hoverinfo: "skip",
    },
  ];
  if (sweep.lr_bounds) {
    traces.push({
      type: "scatter", mode: "lines+markers", name: t("sweep.bound_curve", { formula: sweep.stability.bound_formula }),
      x: sweep.lr_bounds.map((b) => (isNum(b) ? Math.log10(b) : null)), y: rows,
      line: { color: COLORS.tangent, width: 2.5 }, marker: { size: 5, color: COLORS.tangent },
      hovertemplate: `${t("sweep.bound_hover")}<extra></extra>`,
      customdata: sweep.lr_bounds,
    });
  }
  // the current momentum between its neighbouring rows
  const row = momentumRow(sweep.momentum, momentum);
  if (isNum(lr) && row !== null) {
    traces.push({
      type: "scatter", mode: "markers", name: t("sweep.yours"), x: [Math.log10(lr)], y: [row],
      marker: { symbol: "star", size: 14, color: "#fff", line: { color: COLORS.ink, width: 2 } },
      hovertemplate: `${t("sweep.yours_hover", { lr: fmt(lr, 3), momentum })}<extra></extra>`,
    });
  }
  const lo = Math.ceil(Math.min(...logLr));
  const hi = Math.floor(Math.max(...logLr));
  const ticks = [];
  for (let k = lo; k <= hi; k += 1) ticks.push(k);
  const layout = baseLayout({
    xaxis: axis(t("sweep.x"), { tickvals: ticks, ticktext: ticks.map((k) => `1e${k}`), range: [logLr[0], logLr[n - 1]] }),
    yaxis: axis(t("sweep.momentum_axis"), { tickvals: rows, ticktext: sweep.momentum.map(String) }),
    hovermode: "closest",
    margin: { l: 64, r: 16, t: 12, b: 64 },
    legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top", font: { size: 12 } },
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => phaseTables(sweep), [sweep]);
}

/** Where momentum `beta` sits among the rows of `momentums` (interpolated), or null. */
function momentumRow(momentums, beta) {
  if (!isNum(beta)) return null;
  for (let i = 0; i + 1 < momentums.length; i += 1) {
    const [a, b] = [momentums[i], momentums[i + 1]];
    if (beta >= a && beta <= b) return i + (beta - a) / (b - a);
  }
  return beta === momentums[0] ? 0 : null;
}
