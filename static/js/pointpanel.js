// "At a point" in the 2-D view: at the start point, or the point under the mouse, the
// gradient, both partial derivatives, the Hessian and its eigenvalues, and the textbooks'
// picture of a partial derivative: the slices f(x, y₀) and f(x₀, y) with their tangent
// lines, whose slopes are ∂f/∂x and ∂f/∂y. The tangent plane is drawn on the surface.
import { ApiError, api } from "./api.js";
import { dataViewFor } from "./datatable.js";
import { sliceTables } from "./plotdata.js";
import { bindRender, bindText, t } from "./i18n.js";
import { COLORS, PLOT_CONFIG, axis, baseLayout, fmt, fmtPoint } from "./theme.js";
import { $ } from "./util.js";

/** Points along each slice. */
const SLICE_POINTS = 161;

/**
 * A slice through (x₀, y₀) along one axis, from POST /field: a grid whose other axis runs
 * from the point's own coordinate (its first grid line is exactly that coordinate), of
 * which the first line is kept.
 */
async function slice(app, point, along, xr, yr, signal) {
  const [x0, y0] = point;
  const tiny = (r) => Math.max(Math.abs(r[1] - r[0]) * 1e-6, 1e-12);
  const body = along === 0
    ? { x_range: xr, y_range: [y0, y0 + tiny(yr)], nx: SLICE_POINTS, ny: 2 }
    : { x_range: [x0, x0 + tiny(xr)], y_range: yr, nx: 2, ny: SLICE_POINTS };
  const field = await api.field(app.body(body), signal);
  return along === 0
    ? { t: field.x, z: field.z[0] }
    : { t: field.y, z: field.z.map((row) => row[0]) };
}

function renderSlice(el, name, fixed, data, at, value, slope) {
  const t0 = at;
  const span = data.t[data.t.length - 1] - data.t[0];
  const half = span * 0.3;
  const finite = data.z.filter((v) => v !== null && Number.isFinite(v));
  const traces = [
    {
      x: data.t, y: data.z, mode: "lines", name: t("point.along", { name }), line: { color: COLORS.f, width: 2 },
      hovertemplate: `${name} = %{x:.4g}<br>f = %{y:.5g}<extra></extra>`,
    },
  ];
  if (value !== null && slope !== null) {
    traces.push({
      x: [t0 - half, t0 + half], y: [value - slope * half, value + slope * half], mode: "lines",
      name: t("point.slope", { name, slope: fmt(slope, 4) }), line: { color: COLORS.tangent, width: 2 }, hoverinfo: "skip",
    });
    traces.push({
      x: [t0], y: [value], mode: "markers", showlegend: false, hoverinfo: "skip",
      marker: { color: COLORS.point, size: 9, line: { color: "#fff", width: 1.5 } },
    });
  }
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = 0.08 * (hi - lo || 1);
  const layout = baseLayout({
    xaxis: axis(name, { range: [data.t[0], data.t[data.t.length - 1]] }),
    yaxis: axis(`f(${fixed})`, { range: [lo - pad, hi + pad] }),
    margin: { l: 56, r: 10, t: 28, b: 40 },
    showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 11 } },
    hovermode: "closest",
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => sliceTables(name, fixed, data, at, value, slope), [data, value, slope]);
}

export class PointPanel {
  /**
   * @param {object} app shared page context
   * @param {(plane: object|null) => void} onPlane the tangent plane at the point, for the surface
   */
  constructor(app, onPlane) {
    this.app = app;
    this.onPlane = onPlane;
    this.point = null;
  }

  /** Everything at `point` (the start, or a point under the mouse: `hovered`). */
  async show(point, hovered = false) {
    if (!point || !point.every(Number.isFinite) || this.app.variables.length !== 2) return;
    this.point = point;
    const { state } = this.app;
    let answers;
    try {
      answers = await this.app.slots.run("point", (signal) => Promise.all([
        api.gradient(this.app.body({ point, hessian: true }), signal),
        slice(this.app, point, 0, state.xr, state.yr, signal),
        slice(this.app, point, 1, state.xr, state.yr, signal),
      ]));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      bindText($("point-readout"), () => err.reason);
      return;
    }
    if (!answers) return;
    bindRender($("point-readout"), () => this.draw(point, hovered, answers));
  }

  /** The readout, the curvature in words and the slices, from the answers at `point`. */
  draw(point, hovered, answers) {
    const names = this.app.variables;
    const [grad, alongX, alongY] = answers;
    const [gx, gy] = grad.gradient;
    $("point-title").textContent = t(hovered ? "point.at_mouse" : "point.at_start", {
      names: names.join(", "), point: fmtPoint(point),
    });
    const H = grad.hessian;
    const rows = [
      ["f", fmt(grad.value)],
      [`∂f/∂${names[0]}`, fmt(gx)],
      [`∂f/∂${names[1]}`, fmt(gy)],
      ["‖∇f‖", gx === null || gy === null ? fmt(null) : fmt(Math.hypot(gx, gy))],
      [t("point.hessian"), H && H.flat().every((v) => v !== null)
        ? `[[${fmt(H[0][0], 4)}, ${fmt(H[0][1], 4)}], [${fmt(H[1][0], 4)}, ${fmt(H[1][1], 4)}]]` : fmt(null)],
      [t("point.eigenvalues"), grad.eigenvalues ? grad.eigenvalues.map((v) => fmt(v, 4)).join(", ") : fmt(null)],
    ];
    $("point-readout").replaceChildren(...rows.map(([name, text]) => {
      const div = document.createElement("div");
      div.className = "kv";
      const a = document.createElement("span");
      a.textContent = name;
      const b = document.createElement("output");
      b.className = "mono";
      b.textContent = text;
      div.append(a, b);
      return div;
    }));
    $("point-curvature").textContent = curvatureWords(grad.eigenvalues);
    const [x0, y0] = point;
    renderSlice($("plot-slice-x"), names[0], `${names[0]}, ${names[1]} = ${fmt(y0, 4)}`, alongX, x0, grad.value, gx);
    renderSlice($("plot-slice-y"), names[1], `${names[0]} = ${fmt(x0, 4)}, ${names[1]}`, alongY, y0, grad.value, gy);
    this.onPlane(grad.value !== null && gx !== null && gy !== null
      ? { point, value: grad.value, gradient: [gx, gy] } : null);
  }
}

/** What the Hessian's eigenvalues say about the shape of f there. */
function curvatureWords(eigenvalues) {
  if (!eigenvalues) return "";
  const [low, high] = eigenvalues;
  if (low > 0) return t("point.bowl");
  if (high < 0) return t("point.cap");
  if (low < 0 && high > 0) return t("point.saddle");
  return t("point.flat");
}
