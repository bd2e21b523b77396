// Loss versus iteration for every run, on a log y axis. A log axis cannot show f <= 0,
// so when some run reaches such values the plot switches to the gap f(x_k) - min f,
// where min f is the lowest value any run reached, and says so. The player's markers are
// the last trace while it stands still, and marks on a layer over the plot while it plays
// (overlay.js: a frame does not draw every run's curve again).
import { dataViewFor } from "./datatable.js";
import { lossTables } from "./plotdata.js";
import { moveTraces } from "./inplace.js";
import { t } from "./i18n.js";
import { overlayOn } from "./overlay.js";
import { COLORS, PLOT_CONFIG, axis, baseLayout } from "./theme.js";

const isNum = (v) => v !== null && v !== undefined && Number.isFinite(v);

/** Height of the plot without a legend, and of each run's row in the legend. */
const PLOT_HEIGHT = 270;
const LEGEND_ROW = 20;
/** Markers drawn per run at most (the line is drawn whole). */
const MARKERS_SHOWN = 24;
/** The player's marker: a ring of this diameter and width (px). */
const MARKER_SIZE = 11;
const MARKER_WIDTH = 2.5;

/** The loss plots whose player is playing. */
const playing = new WeakSet();

/**
 * @param {HTMLElement} el
 * @param {Array} runs runs with iterations, values, color, label, key
 * @param {Array<{iteration: number, y: number, color?: string}>} markers where the player is:
 *   one marker, or one per run while they are all animated
 * @returns {string} a note describing the y axis (empty for plain log f)
 */
export function renderLoss(el, runs, markers = []) {
  const { positive, best } = lossScale(runs);
  const transform = positive ? (v) => v : (v) => v - best;
  const traces = runs.map((run) => ({
    type: "scatter", mode: "lines+markers",
    x: run.iterations,
    y: run.values.map((v) => (isNum(v) && transform(v) > 0 ? transform(v) : null)),
    customdata: run.values,
    name: run.label, legendgroup: run.key,
    // long runs keep a few markers, so that the legend and the curve show the run's symbol
    line: { color: run.color, width: 2, dash: run.dash },
    marker: { color: run.color, size: 6, symbol: run.symbol, maxdisplayed: MARKERS_SHOWN },
    hovertemplate: `${run.label}<br>${t("loss.hover")}<extra></extra>`,
  }));
  // the player's markers: the last trace (drawn on top), always there (maybe empty) so
  // that moveLossMarkers moves them in place
  const live = playing.has(el);
  const inTrace = markerData(live ? [] : markers);
  traces.push({
    type: "scatter", mode: "markers", ...inTrace, name: "player",
    showlegend: false, hoverinfo: "skip",
    marker: { color: inTrace.marker.color, size: MARKER_SIZE, symbol: "circle-open", line: { width: MARKER_WIDTH } },
  });
  const title = positive ? t("loss.y") : t("loss.y_gap");
  const layout = baseLayout({
    xaxis: axis(t("loss.x"), { rangemode: "tozero" }),
    yaxis: axis(title, { type: "log", exponentformat: "power" }),
    hovermode: "closest",
    showlegend: runs.length > 0,
    // the legend sits under the axis, a run a row; the figure grows to hold it
    legend: { orientation: "v", x: 0, y: 0, yref: "container", yanchor: "bottom", font: { size: 11 } },
    height: PLOT_HEIGHT + LEGEND_ROW * runs.length,
    margin: { l: 64, r: 16, t: 8, b: 44 + LEGEND_ROW * runs.length },
    annotations: runs.length ? [] : [{
      text: t("loss.empty"), showarrow: false,
      xref: "paper", yref: "paper", x: 0.5, y: 0.5, font: { color: COLORS.muted, size: 13 },
    }],
  });
  el.style.height = `${layout.height}px`;
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  if (live) moveLossMarkers(el, markers); // on the layer, over the axes as drawn now
  dataViewFor(el).show(() => lossTables(runs), [...runs]);
  if (positive) return "";
  return t("loss.gap_note");
}

function markerData(markers) {
  return {
    x: markers.map((m) => m.iteration), y: markers.map((m) => m.y),
    marker: { color: markers.map((m) => m.color ?? COLORS.cursor) },
  };
}

/**
 * The player starts (true) or stops (false) playing: while it plays, moveLossMarkers
 * draws on a layer over the plot; when it stops the layer is emptied, and the next
 * moveLossMarkers puts the markers back in the plot's last trace.
 */
export function playLossMarkers(el, live) {
  if (live) {
    playing.add(el);
  } else if (playing.has(el)) {
    playing.delete(el);
    overlayOn(el).clear();
  }
}

/** Move the player's markers (as renderLoss draws them) without drawing the runs again. */
export function moveLossMarkers(el, markers) {
  if (!el.data || !el.data.length) return;
  if (playing.has(el)) {
    // the figure's own markers (from before Play) go first: one marker per run on screen,
    // placed over the axes as they are without them
    moveTraces(el, [markerData([])], [el.data.length - 1]);
    overlayOn(el).draw(markers.map((m) => ({
      x: m.iteration, y: m.y, size: MARKER_SIZE, fill: "none", stroke: m.color ?? COLORS.cursor, width: MARKER_WIDTH,
    })));
    return;
  }
  moveTraces(el, [markerData(markers)], [el.data.length - 1]); // (only if a marker moved)
}

/** Whether every value of `runs` is positive, and the lowest: what lossY needs. */
export function lossScale(runs) {
  let positive = true;
  let best = Infinity;
  for (const run of runs) {
    for (const v of run.values) {
      if (!isNum(v)) continue;
      if (v <= 0) positive = false;
      if (v < best) best = v;
    }
  }
  return { positive, best: best === Infinity ? 0 : best };
}

/** The y at which the player's marker sits for a run and a value. */
export function lossY(runs, value, scale = lossScale(runs)) {
  const y = scale.positive ? value : value - scale.best;
  return isNum(y) && y > 0 ? y : null;
}
