// 2-D view figures: filled contour with a quiver of -grad f (or +grad f), the 3-D surface,
// descent trajectories on both, and the cursor (current point + gradient arrow) used by
// the step-through player. The field's x, y and z go to Plotly as the typed arrays
// the API sent; a long run is drawn thinned (thinning.js). The player's markers are
// traces of the figure while it stands still (moved in place, inplace.js) and, while it
// plays, marks on a layer over the contour (overlay.js) that a frame moves without
// drawing the contour again.
import { moveTraces } from "./inplace.js";
import { t } from "./i18n.js";
import { overlayOn } from "./overlay.js";
import { onPlotClick } from "./plotclick.js";
import { COLORS, FIELD_SCALE, PLOT_CONFIG, axis, baseLayout, fmt, tidy } from "./theme.js";
import { pick, thinned } from "./thinning.js";

/** Arrows of the quiver sit about this many pixels apart. */
const ARROW_SPACING_PX = 30;
/** Arrow-head length as a fraction of the arrow, and its half-angle. */
const HEAD = 0.38;
const HEAD_ANGLE = (26 * Math.PI) / 180;
/** Axes keep equal scale (so gradients look perpendicular to contours) unless the spans differ more than this. */
const MAX_ASPECT = 2;

const isNum = (v) => v !== null && v !== undefined && Number.isFinite(v);

/** The player's markers on the contour: the step's ring and its arrow, every run's dot (px). */
const CURSOR_SIZE = 15;
const CURSOR_WIDTH = 3;
const ARROW_WIDTH = 2.75;
const CURSORS_SIZE = 13;

/**
 * How to colour the field: linear in f, or log10(f − min + δ) when f is so skewed
 * (Rosenbrock, Beale) that linear levels would all crowd around the peaks.
 */
export function colouring(z) {
  const flat = z.flat().filter(isNum);
  if (flat.length === 0) return { zc: z, log: false, ticks: null };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of flat) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  const sorted = [...flat].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (!(span > 0) || (median - lo) / span > 0.12) return { zc: z, log: false, ticks: null, lo, hi };
  const delta = span * 1e-4;
  const zc = z.map((row) => row.map((v) => (isNum(v) ? Math.log10(v - lo + delta) : null)));
  const cmin = Math.log10(delta);
  const cmax = Math.log10(span + delta);
  const tickvals = [];
  for (let k = Math.ceil(cmin); k <= Math.floor(cmax); k += 1) tickvals.push(k);
  const ticktext = tickvals.map((k) => fmt(10 ** k + lo - delta, 2));
  return { zc, log: true, ticks: { tickvals, ticktext }, lo, hi };
}

/** Whether to keep equal scale on both axes for these ranges. */
function equalAspect(xRange, yRange) {
  const r = (xRange[1] - xRange[0]) / (yRange[1] - yRange[0]);
  return r <= MAX_ASPECT && r >= 1 / MAX_ASPECT;
}

/** Margins of the contour plot (px); the plot area is what is left. */
const MARGIN = { l: 52, r: 8, t: 8, b: 96 };
/** Room the legend takes above the plot once there are runs (px). */
const LEGEND_PX = 44;

/**
 * Pixels per data unit on each axis, estimated from the plot div's size before Plotly
 * lays it out: the arrows are normalised on screen so they all look the same length
 * whatever the axes' units.
 */
function screenScale(el, xRange, yRange, legend) {
  const xspan = xRange[1] - xRange[0];
  const yspan = yRange[1] - yRange[0];
  const width = Math.max(120, (el.clientWidth || 600) - MARGIN.l - MARGIN.r);
  const height = Math.max(120, (el.clientHeight || 500) - MARGIN.t - MARGIN.b - (legend ? LEGEND_PX : 0));
  if (equalAspect(xRange, yRange)) {
    const k = Math.min(width / xspan, height / yspan);
    return { kx: k, ky: k };
  }
  return { kx: width / xspan, ky: height / yspan };
}

/**
 * One arrow of screen length `len` centred at (x, y) (or starting there when `from`),
 * pointing along data vector (u, v), appended to xs/ys as one stroke ended by null: tail,
 * tip, one side of the head, back to the tip, the other side. Plotly draws each stroke as
 * an SVG path of its own, so one stroke per arrow (not three) draws a quiver of a few
 * hundred arrows in a third of the paths -- what most of a redraw while typing costs.
 */
function pushArrow(xs, ys, x, y, u, v, len, scale, from = false) {
  const dx = u * scale.kx;
  const dy = v * scale.ky;
  const n = Math.hypot(dx, dy);
  if (!(n > 0)) return;
  const ex = dx / n;
  const ey = dy / n;
  const back = from ? 0 : len / 2;
  const x0 = x - (ex * back) / scale.kx;
  const y0 = y - (ey * back) / scale.ky;
  const tx = x0 + (ex * len) / scale.kx;
  const ty = y0 + (ey * len) / scale.ky;
  const [left, right] = [1, -1].map((sign) => {
    const a = Math.PI + sign * HEAD_ANGLE;
    const hx = ex * Math.cos(a) - ey * Math.sin(a);
    const hy = ex * Math.sin(a) + ey * Math.cos(a);
    return [tx + (hx * len * HEAD) / scale.kx, ty + (hy * len * HEAD) / scale.ky];
  });
  xs.push(x0, tx, left[0], tx, right[0], null);
  ys.push(y0, ty, left[1], ty, right[1], null);
}

/** Quiver of sign·∇f on a subsampled grid of a POST /field answer, as one line trace's x/y. */
export function quiver(field, sign, scale) {
  const pxX = (scale.kx * (field.x[field.x.length - 1] - field.x[0])) / (field.x.length - 1);
  const pxY = (scale.ky * (field.y[field.y.length - 1] - field.y[0])) / (field.y.length - 1);
  const everyX = Math.max(1, Math.round(ARROW_SPACING_PX / pxX));
  const everyY = Math.max(1, Math.round(ARROW_SPACING_PX / pxY));
  const len = 0.72 * Math.min(everyX * pxX, everyY * pxY);
  const offX = Math.floor(((field.x.length - 1) % everyX) / 2);
  const offY = Math.floor(((field.y.length - 1) % everyY) / 2);
  const xs = [];
  const ys = [];
  for (let j = offY; j < field.y.length; j += everyY) {
    for (let i = offX; i < field.x.length; i += everyX) {
      const u = field.u[j][i];
      const v = field.v[j][i];
      if (isNum(u) && isNum(v)) pushArrow(xs, ys, field.x[i], field.y[j], sign * u, sign * v, len, scale);
    }
  }
  return { x: xs, y: ys };
}

/** Values of a run for 3-D: points outside the drawn box are left out (null). */
function inBox(run, xRange, yRange) {
  const n = run.path.length;
  const x = new Array(n);
  const y = new Array(n);
  const z = new Array(n);
  for (let k = 0; k < n; k += 1) {
    const [px, py] = run.path[k];
    const v = run.values[k];
    const ok = isNum(px) && isNum(py) && isNum(v)
      && px >= xRange[0] && px <= xRange[1] && py >= yRange[0] && py <= yRange[1];
    x[k] = ok ? px : null;
    y[k] = ok ? py : null;
    z[k] = ok ? v : null;
  }
  return { x, y, z };
}

/**
 * What of `run` is drawn on the contour: its path thinned for the box (thinning.js), with
 * the iteration of each point kept. Remembered per run and box, as runs never change.
 */
const drawnPaths = new WeakMap();
function drawnPath(run, xRange, yRange) {
  const key = `${xRange}|${yRange}`;
  const known = drawnPaths.get(run);
  if (known && known.key === key) return known.drawn;
  const xs = run.path.map((p) => p[0]);
  const ys = run.path.map((p) => p[1]);
  const kept = thinned([xs, ys], [xRange[1] - xRange[0], yRange[1] - yRange[0]]);
  const drawn = kept.length === xs.length
    ? { x: xs, y: ys, iterations: run.iterations }
    : { x: pick(xs, kept), y: pick(ys, kept), iterations: pick(run.iterations, kept) };
  drawnPaths.set(run, { key, drawn });
  return drawn;
}

/**
 * The most points of one run drawn on the surface. Its box is drawn smaller than the
 * contour's and its lines are 6 px thick, so a point within about a pixel of the last one
 * kept adds nothing there (eight 10,000-step Rosenbrock runs keep 400-570 points each,
 * every point left out within 1/500 of the box of one drawn; bench/browser.py).
 */
const MAX_DRAWN_3D = 600;
/**
 * At most this many ticks on each axis of the surface's box: WebGL draws each label as
 * triangles, and turning a text into them costs the scene's first drawing tens of ms.
 */
const TICKS_3D = 6;

/**
 * Pixels of the WebGL scene per pixel of the page: the screen's own ratio, between 1 and
 * 2. Plotly's default is 2 whatever the screen: twice as sharp as a common screen shows
 * it, and four times the pixels to draw at each redraw (turning the view, a step of the
 * player), all on the CPU where WebGL runs in software.
 */
export function glPixelRatio() {
  return Math.min(2, Math.max(1, window.devicePixelRatio || 1));
}
/** The same for a downloaded picture of the surface (Plotly's default). */
const EXPORT_GL_PIXEL_RATIO = 2;

/** The same for the surface: the points inside the box, thinned in (x, y, f); remembered. */
const drawnPaths3d = new WeakMap();
function drawnPath3d(run, xRange, yRange, zRange) {
  const key = `${xRange}|${yRange}|${zRange}`;
  const known = drawnPaths3d.get(run);
  if (known && known.key === key) return known.drawn;
  const pts = inBox(run, xRange, yRange);
  const kept = thinned([pts.x, pts.y, pts.z],
    [xRange[1] - xRange[0], yRange[1] - yRange[0], zRange[1] - zRange[0]], MAX_DRAWN_3D);
  const drawn = kept.length === pts.x.length ? pts
    : { x: pick(pts.x, kept), y: pick(pts.y, kept), z: pick(pts.z, kept) };
  drawnPaths3d.set(run, { key, drawn });
  return drawn;
}

export class Plot2D {
  /**
   * @param {HTMLElement} contourEl
   * @param {HTMLElement} surfaceEl
   * @param {(point: number[]) => void} onPick called with the point clicked on the contour
   */
  constructor(contourEl, surfaceEl, onPick) {
    this.contourEl = contourEl;
    this.surfaceEl = surfaceEl;
    this.onPick = onPick;
    this.field = null;
    this.revision = "";
    this.colour = null;
    this.cursor = null; // {point, grad, color}
    this.bound = false;
    /** The tangent plane drawn on the surface: {point, value, gradient}, or null. */
    this.plane = null;
    /** Called with (point, done) while the start marker is dragged; null: not draggable. */
    this.onStartDrag = null;
    /** The current point of every run while they are all animated: [{point, color}]. */
    this.cursors = [];
    /** While the player plays, its markers on the contour are drawn on a layer over it. */
    this.live = false;
    // A downloaded picture of the surface is drawn as sharp as Plotly draws by default
    // (the page draws it at the screen's ratio: glPixelRatio); theme.js downloadPlot.
    surfaceEl.addEventListener("plot-image", (event) => {
      const context = surfaceEl._context;
      if (!context) return;
      const shown = context.plotGlPixelRatio;
      context.plotGlPixelRatio = EXPORT_GL_PIXEL_RATIO;
      event.detail.after.push(() => {
        context.plotGlPixelRatio = shown;
      });
    });
  }

  /**
   * The player starts (true) or stops (false) playing. While it plays, its markers on the
   * contour move on a layer over the plot (a frame sets a few attributes); when it stops,
   * where they are is put back in the figure's own traces, as a step chosen by hand is.
   */
  setLive(live) {
    if (live === this.live) return;
    this.live = live;
    this.moveCursorTraces();
    if (live) this.drawLive();
    else overlayOn(this.contourEl).clear();
  }

  /** New function or range: recompute what depends on the field only. */
  setField(field, xRange, yRange, revision) {
    this.field = field;
    this.xRange = xRange;
    this.yRange = yRange;
    this.revision = revision;
    this.colour = colouring(field.z);
    this.text = field.z.map((row) => row.map((v) => fmt(v)));
    // Plotly takes the answer's typed arrays as they are (the log colouring is computed
    // here, so it is a plain array).
    const typed = field.typed ?? {};
    this.grid = { x: typed.x ?? field.x, y: typed.y ?? field.y, z: typed.z ?? field.z };
    this.colourZ = this.colour.log ? this.colour.zc : this.grid.z;
  }

  /** Draw the contour view. */
  renderContour({ start, runs, sign }) {
    if (!this.field) return;
    const { field, colour } = this;
    const [nx, ny] = field.variables;
    const scale = screenScale(this.contourEl, this.xRange, this.yRange, runs.length > 0);
    this.scale = scale;
    const traces = [
      {
        type: "contour", x: this.grid.x, y: this.grid.y, z: this.colourZ, text: this.text,
        colorscale: FIELD_SCALE, ncontours: 26, connectgaps: false,
        contours: { coloring: "fill", showlines: true },
        line: { color: "rgba(255,255,255,0.35)", width: 0.6, smoothing: 0.85 },
        colorbar: {
          title: { text: colour.log ? t("plot2d.f_log") : "f", side: "top" },
          orientation: "h", thickness: 10, len: 0.75, x: 0.5, xanchor: "center", y: -0.13, yanchor: "top",
          outlinewidth: 0, tickfont: { size: 11 },
          ...(colour.ticks ?? {}),
        },
        hovertemplate: `${nx} = %{x:.4g}<br>${ny} = %{y:.4g}<br>f = %{text}<extra></extra>`,
        name: "f", showlegend: false,
      },
      {
        type: "scatter", mode: "lines", ...quiver(field, sign, scale),
        line: { color: COLORS.arrow, width: 1.1 }, hoverinfo: "skip",
        name: sign < 0 ? "−∇f" : "+∇f", showlegend: false,
      },
    ];
    runs.forEach((run) => {
      const drawn = drawnPath(run, this.xRange, this.yRange);
      const many = run.path.length > 150;
      traces.push({
        type: "scatter", mode: "lines+markers", x: drawn.x, y: drawn.y,
        name: run.label, legendgroup: run.key,
        line: { color: run.color, width: 2.25, dash: run.dash },
        // a long run shows a few of its markers: enough to tell its symbol
        marker: { color: run.color, size: 7, symbol: run.symbol, line: { color: "#fff", width: 0.6 }, maxdisplayed: many ? 40 : 0 },
        customdata: drawn.iterations,
        hovertemplate: `${run.label}<br>${t("plot2d.step_hover")}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
      });
      const end = run.path[run.path.length - 1];
      traces.push({
        type: "scatter", mode: "markers", x: [end[0]], y: [end[1]], legendgroup: run.key,
        showlegend: false, hoverinfo: "skip",
        marker: { color: run.color, size: 11, symbol: "diamond", line: { color: "#fff", width: 1.5 } },
      });
    });
    traces.push({
      type: "scatter", mode: "markers", x: start ? [start[0]] : [], y: start ? [start[1]] : [],
      name: "start", showlegend: false,
      marker: { color: "#ffffff", size: 12, symbol: "circle", line: { color: COLORS.ink, width: 2.5 } },
      hovertemplate: `${t("plot2d.start_hover")}<extra></extra>`,
    });
    // what the player moves, last so that it is drawn on top
    traces.push(this.cursorsTrace());
    this.cursorsIndex = traces.length - 1;
    traces.push(...this.cursorTraces());
    this.cursorIndex = traces.length - 2;
    const equal = equalAspect(this.xRange, this.yRange);
    const layout = baseLayout({
      xaxis: axis(nx, { range: this.xRange, showgrid: false, zeroline: false, constrain: "domain" }),
      yaxis: axis(ny, {
        range: this.yRange, showgrid: false, zeroline: false, constrain: "domain",
        ...(equal ? { scaleanchor: "x", scaleratio: 1 } : {}),
      }),
      hovermode: "closest",
      dragmode: "zoom",
      uirevision: this.revision,
      margin: MARGIN,
      legend: { orientation: "h", x: 0, y: 1.01, yanchor: "bottom", font: { size: 12 }, bgcolor: "rgba(0,0,0,0)", traceorder: "normal" },
    });
    Plotly.react(this.contourEl, traces, layout, PLOT_CONFIG);
    if (this.live) this.drawLive(); // the axes may have changed under the layer
    if (!this.bound) {
      this.bound = true;
      onPlotClick(this.contourEl, (x, y, spans) => this.onPick([x, y], spans));
      this.bindStartDrag(start);
    }
    this.start = start;
  }

  /**
   * Draw the 3-D surface view. A WebGL scene costs a machine without a GPU (SwiftShader)
   * its programs, what it draws and its texts: the axes have no hover spikes, and few
   * enough ticks that their labels (each turned into triangles) stay few; a long run is
   * thinned further than on the contour (MAX_DRAWN_3D).
   */
  renderSurface({ start, runs }) {
    if (!this.field) return;
    const { field } = this;
    const [nx, ny] = field.variables;
    const [zlo, zhi] = this.zBounds();
    const traces = [{
      type: "surface", x: this.grid.x, y: this.grid.y, z: this.grid.z, surfacecolor: this.colourZ,
      text: this.text,
      colorscale: FIELD_SCALE, showscale: false, opacity: 0.92,
      contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
      lighting: { ambient: 0.75, diffuse: 0.6, specular: 0.08, roughness: 0.9 },
      hovertemplate: `${nx} = %{x:.4g}<br>${ny} = %{y:.4g}<br>f = %{text}<extra></extra>`,
      name: "f", showlegend: false,
    }];
    runs.forEach((run) => {
      const pts = drawnPath3d(run, this.xRange, this.yRange, [zlo, zhi]);
      const many = run.path.length > 150;
      traces.push({
        // a long run (thinned for drawing, thinning.js) as a dashed line: no markers in 3-D
        type: "scatter3d", mode: many ? "lines" : "lines+markers", ...pts, name: run.label,
        legendgroup: run.key,
        line: { color: run.color, width: 6, dash: run.dash }, marker: { color: run.color, size: 2.5, symbol: run.symbol },
        hovertemplate: `${run.label}<br>(%{x:.4g}, %{y:.4g})<br>f = %{z:.5g}<extra></extra>`,
      });
    });
    if (this.plane) traces.push(this.planeTrace(zlo, zhi));
    this.surfaceStart = start ? [start[0], start[1], this.startValue ?? zhi] : null;
    traces.push({
      type: "scatter3d", mode: "markers", name: "current step", showlegend: false, hoverinfo: "skip",
      ...this.surfaceMarks(this.cursor),
    });
    const axis3 = (title, range) => ({
      title: { text: title }, range, backgroundcolor: "#f8fafc", showbackground: true,
      gridcolor: COLORS.grid, zerolinecolor: COLORS.axis, showspikes: false, nticks: TICKS_3D,
    });
    const pad = 0.05 * (zhi - zlo || 1);
    const layout = baseLayout({
      scene: {
        xaxis: axis3(nx, this.xRange), yaxis: axis3(ny, this.yRange), zaxis: axis3("f", [zlo - pad, zhi + pad]),
        aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.65 },
        camera: { eye: { x: 1.5, y: -1.5, z: 0.85 }, center: { x: 0, y: 0, z: -0.18 } },
      },
      margin: { l: 0, r: 0, t: 8, b: 0 },
      uirevision: this.revision,
      legend: { orientation: "h", x: 0, y: 1.0, yanchor: "bottom", font: { size: 12 }, traceorder: "normal" },
    });
    Plotly.react(this.surfaceEl, traces, layout, { ...PLOT_CONFIG, plotGlPixelRatio: glPixelRatio() });
  }

  /** The lowest and highest f of the field (the surface's box). */
  zBounds() {
    if (this.zBoundsOf?.field !== this.field) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const row of this.field.z) {
        for (const v of row) {
          if (isNum(v)) {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        }
      }
      this.zBoundsOf = { field: this.field, bounds: [lo, hi] };
    }
    return this.zBoundsOf.bounds;
  }

  /** Every run's current point, for "Animate all" (none in the figure while it plays). */
  cursorsTrace() {
    const cursors = this.live ? [] : this.cursors;
    return {
      type: "scatter", mode: "markers", name: "runs now", showlegend: false, hoverinfo: "skip",
      x: cursors.map((c) => c.point[0]), y: cursors.map((c) => c.point[1]),
      marker: { color: cursors.map((c) => c.color), size: CURSORS_SIZE, line: { color: COLORS.cursor, width: 2 } },
    };
  }

  /** Show every run's current point (an empty list hides them), moved in place. */
  setCursors(cursors) {
    this.cursors = cursors;
    if (this.live) this.drawLive();
    else this.moveCursorTraces();
  }

  /**
   * Put the player's markers (the current step and its arrow, every run's point) in the
   * contour's own traces, in place; the plot not on screen is drawn whole when shown.
   */
  moveCursorTraces() {
    const el = this.contourEl;
    if (!el.data || el.hidden || this.cursorIndex === undefined) return;
    const [pt, arrow] = this.cursorTraces();
    const all = this.cursorsTrace();
    const wanted = [{ x: all.x, y: all.y, marker: { color: all.marker.color } },
      { x: pt.x, y: pt.y }, { x: arrow.x, y: arrow.y }];
    moveTraces(el, wanted, [this.cursorsIndex, this.cursorIndex, this.cursorIndex + 1]);
  }

  /** The player's markers on the layer over the contour, where they are now. */
  drawLive() {
    const marks = this.cursors.map((c) => ({
      x: c.point[0], y: c.point[1], size: CURSORS_SIZE, fill: c.color, stroke: COLORS.cursor, width: 2,
    }));
    const c = this.cursor;
    if (c) marks.push({ x: c.point[0], y: c.point[1], size: CURSOR_SIZE, fill: "none", stroke: COLORS.cursor, width: CURSOR_WIDTH });
    const arrow = this.cursorArrow();
    const lines = arrow.x.length ? [{ ...arrow, stroke: COLORS.cursor, width: ARROW_WIDTH }] : [];
    overlayOn(this.contourEl).draw(marks, lines);
  }

  /**
   * A press within a few pixels of the start marker drags it (instead of Plotly's zoom
   * box): the start follows the mouse, reported as it moves and once more on release.
   */
  bindStartDrag() {
    const el = this.contourEl;
    const near = 12;
    const toData = (event) => {
      const layout = el._fullLayout;
      const xa = layout.xaxis;
      const ya = layout.yaxis;
      const box = el.getBoundingClientRect();
      return [xa.p2l(event.clientX - box.left - xa._offset), ya.p2l(event.clientY - box.top - ya._offset)];
    };
    el.addEventListener("mousedown", (event) => {
      const layout = el._fullLayout;
      if (!this.onStartDrag || !this.start || !layout?.xaxis || event.button !== 0) return;
      const xa = layout.xaxis;
      const ya = layout.yaxis;
      const box = el.getBoundingClientRect();
      const sx = box.left + xa._offset + xa.l2p(this.start[0]);
      const sy = box.top + ya._offset + ya.l2p(this.start[1]);
      if (Math.hypot(event.clientX - sx, event.clientY - sy) > near) return;
      event.stopPropagation();
      event.preventDefault();
      const spans = [Math.abs(xa.range[1] - xa.range[0]), Math.abs(ya.range[1] - ya.range[0])];
      const tidyPoint = (p) => p.map((v, i) => tidy(v, spans[i]));
      const move = (e) => this.onStartDrag(tidyPoint(toData(e)), false);
      const up = (e) => {
        window.removeEventListener("mousemove", move, true);
        window.removeEventListener("mouseup", up, true);
        this.onStartDrag(tidyPoint(toData(e)), true);
      };
      window.addEventListener("mousemove", move, true);
      window.addEventListener("mouseup", up, true);
    }, true);
  }

  /** The tangent plane z = f₀ + ∇f·(p − p₀) over a patch around its point, clipped to the box. */
  planeTrace(zlo, zhi) {
    const { point: [x0, y0], value, gradient: [gx, gy] } = this.plane;
    const ax = 0.18 * (this.xRange[1] - this.xRange[0]);
    const ay = 0.18 * (this.yRange[1] - this.yRange[0]);
    const xs = [x0 - ax, x0, x0 + ax];
    const ys = [y0 - ay, y0, y0 + ay];
    const clip = (z) => (z >= zlo && z <= zhi ? z : null);
    const z = ys.map((y) => xs.map((x) => clip(value + gx * (x - x0) + gy * (y - y0))));
    return {
      type: "surface", x: xs, y: ys, z, name: t("v2.tangent_plane"), showlegend: true, showscale: false,
      opacity: 0.6,
      colorscale: [[0, COLORS.tangent], [1, COLORS.tangent]], hoverinfo: "skip",
      contours: { z: { show: false } }, lighting: { ambient: 1, diffuse: 0 },
    };
  }

  /**
   * The two traces of the step-through cursor: the current point and its gradient arrow
   * (empty while the player plays: the layer over the contour shows them).
   */
  cursorTraces() {
    const c = this.live ? null : this.cursor;
    const arrow = this.live ? { x: [], y: [] } : this.cursorArrow();
    return [
      {
        type: "scatter", mode: "markers", x: c ? [c.point[0]] : [], y: c ? [c.point[1]] : [],
        name: "current step", showlegend: false, hoverinfo: "skip",
        marker: { color: COLORS.cursor, size: CURSOR_SIZE, symbol: "circle-open", line: { width: CURSOR_WIDTH } },
      },
      {
        type: "scatter", mode: "lines", ...arrow, name: "gradient arrow", showlegend: false, hoverinfo: "skip",
        line: { color: COLORS.cursor, width: ARROW_WIDTH },
      },
    ];
  }

  /** The gradient arrow at the cursor, as line segments in data coordinates (or none). */
  cursorArrow() {
    const c = this.cursor;
    const arrow = { x: [], y: [] };
    if (c && c.grad && this.field) {
      const scale = this.scale ?? screenScale(this.contourEl, this.xRange, this.yRange, true);
      pushArrow(arrow.x, arrow.y, c.point[0], c.point[1], c.sign * c.grad[0], c.sign * c.grad[1], 56, scale, true);
    }
    return arrow;
  }

  /**
   * Move the cursor without redrawing the field (in place: only its two traces are drawn
   * again; while the player plays, on the layer over the contour). `cursor` is
   * {point, grad, value, sign} or null. The plot not on screen is left as it is: showing
   * it draws it whole, cursor included.
   */
  setCursor(cursor, surfaceVisible) {
    this.cursor = cursor;
    if (!surfaceVisible) {
      if (this.live) this.drawLive();
      else this.moveCursorTraces();
    }
    if (surfaceVisible && this.surfaceEl.data) {
      // (a 3-D scene is drawn again only when the markers moved: moveTraces)
      moveTraces(this.surfaceEl, [this.surfaceMarks(cursor)], [this.surfaceEl.data.length - 1]);
    }
  }

  /**
   * The surface's markers, one trace: the player's step (first, filled dark; none without
   * a value) and the start point (white), both ringed. One trace, not two: each scatter3d
   * trace is a WebGL object whose programs the scene compiles when it is first drawn
   * (about 0.2 CPU-s of the 3-D switch in software WebGL).
   */
  surfaceMarks(c) {
    const marks = [];
    if (c && isNum(c.value)) marks.push([c.point[0], c.point[1], c.value, COLORS.cursor]);
    if (this.surfaceStart) marks.push([...this.surfaceStart, "#ffffff"]);
    return {
      x: marks.map((m) => m[0]), y: marks.map((m) => m[1]), z: marks.map((m) => m[2]),
      marker: { color: marks.map((m) => m[3]), size: 6, line: { color: COLORS.ink, width: 2 } },
    };
  }
}
