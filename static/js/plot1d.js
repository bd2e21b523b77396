// 1-D view figure: f and f' over a range, the tangent at x0 and secants converging to it.
import { dataViewFor } from "./datatable.js";
import { t } from "./i18n.js";
import { onPlotClick } from "./plotclick.js";
import { curveTables } from "./plotdata.js";
import { COLORS, PLOT_CONFIG, axis, baseLayout, fmt } from "./theme.js";

/** Secants drawn on the plot (the table lists more). */
const DRAWN_SECANTS = 3;

/** Finite values of an array (nulls dropped). */
const finite = (values) => values.filter((v) => v !== null && Number.isFinite(v));

/** The 2%–98% spread of some values: one wild value cannot flatten the rest. */
function spread(values) {
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
  return sorted.length < 50 ? [sorted[0], sorted[sorted.length - 1]] : [q(0.02), q(0.98)];
}

/**
 * A y range that shows what matters: f and the tangent near x₀. Over the whole x range
 * when f varies there within 200 times its variation near x₀ (a polynomial does);
 * otherwise (a blow-up far away, as (exp(x**2))**2 at x₀ = 0.5) around x₀'s
 * neighbourhood, so the tangent is not a flat line on an axis running to 1e8.
 */
export function yRange(xs, f, fprime, x0, tangent) {
  const span = xs[xs.length - 1] - xs[0];
  const near = (x) => Math.abs(x - x0) <= span / 10;
  const local = f.filter((_, i) => near(xs[i]));
  if (tangent && tangent.slope !== null && tangent.value !== null) {
    local.push(tangent.value - tangent.slope * span / 10, tangent.value + tangent.slope * span / 10);
  }
  const whole = spread([...f, ...fprime]);
  const around = spread(local);
  let [lo, hi] = whole ?? [-1, 1];
  if (around) {
    const width = Math.max(around[1] - around[0], 1e-12);
    if (hi - lo > 200 * width) { // far beyond what polynomial growth gives: a blow-up
      const mid = (around[0] + around[1]) / 2;
      [lo, hi] = [Math.max(lo, mid - 1.5 * width), Math.min(hi, mid + 1.5 * width)];
      [lo, hi] = [Math.min(lo, around[0]), Math.max(hi, around[1])];
    }
  }
  if (hi - lo < 1e-12) [lo, hi] = [lo - 1, hi + 1];
  const pad = 0.08 * (hi - lo);
  return [lo - pad, hi + pad];
}

export class Plot1D {
  /**
   * @param {HTMLElement} el plot container
   * @param {(x: number, span: number) => void} onPick called with the x the user clicked
   *   and the visible x span
   */
  constructor(el, onPick) {
    this.el = el;
    this.onPick = onPick;
    this.bound = false;
    /** The learner's derivative to draw over f′: {x, y, text}, or null. */
    this.claim = null;
  }

  /**
   * @param {object} field POST /field answer for one variable
   * @param {object|null} tangent POST /tangent answer at x0 (null while pending)
   * @param {number} x0
   * @param {string} revision changes when the function or range changes (resets zoom)
   */
  render(field, tangent, x0, revision) {
    const name = field.variables[0] ?? "x";
    const xs = field.x;
    const [xmin, xmax] = [xs[0], xs[xs.length - 1]];
    const range = yRange(xs, field.z, field.u, x0, tangent);
    const traces = [
      {
        x: xs, y: field.z, name: `f(${name})`, mode: "lines",
        line: { color: COLORS.f, width: 2.5 },
        hovertemplate: `f(%{x:.4g}) = %{y:.6g}<extra></extra>`,
      },
      {
        x: xs, y: field.u, name: `f′(${name})`, mode: "lines",
        line: { color: COLORS.fprime, width: 2, dash: "dash" },
        hovertemplate: `f′(%{x:.4g}) = %{y:.6g}<extra></extra>`,
      },
    ];
    if (this.claim) {
      traces.push({
        x: this.claim.x, y: this.claim.y, name: t("plot1d.yours", { text: this.claim.text }), mode: "lines",
        line: { color: COLORS.secant, width: 2.5, dash: "dot" },
        hovertemplate: `${t("plot1d.yours_hover")}<extra></extra>`,
      });
    }
    if (tangent && tangent.differentiable && tangent.slope !== null && tangent.value !== null) {
      const { value: y0, slope } = tangent;
      const secants = (tangent.secants || []).filter((s) => s.slope !== null).slice(0, DRAWN_SECANTS);
      secants.forEach((s, k) => {
        traces.push({
          x: [xmin, xmax],
          y: [y0 + s.slope * (xmin - x0), y0 + s.slope * (xmax - x0)],
          mode: "lines", name: t("plot1d.secants", { h: secants.map((sec) => fmt(sec.h)).join(", ") }),
          legendgroup: "secants", showlegend: k === 0, hoverinfo: "skip",
          line: { color: COLORS.secant, width: 1.5, dash: "dot" },
          opacity: 0.5 + 0.2 * k,
        });
        traces.push({
          x: [x0 + s.h], y: [y0 + s.slope * s.h], mode: "markers", legendgroup: "secants",
          showlegend: false, marker: { color: COLORS.secant, size: 7, symbol: "circle-open", line: { width: 2 } },
          hovertemplate: `x₀ + h = %{x:.4g}<br>${t("plot1d.secant_hover", { h: fmt(s.h), slope: fmt(s.slope) })}<extra></extra>`,
        });
      });
      traces.push({
        x: [xmin, xmax], y: [y0 + slope * (xmin - x0), y0 + slope * (xmax - x0)],
        mode: "lines", name: t("plot1d.tangent", { equation: tangent.equation }),
        line: { color: COLORS.tangent, width: 2 }, hoverinfo: "skip",
      });
      traces.push({
        x: [x0], y: [y0], mode: "markers", name: "x₀", showlegend: false,
        marker: { color: COLORS.point, size: 11, line: { color: "#fff", width: 2 } },
        hovertemplate: `x₀ = %{x:.6g}<br>f(x₀) = %{y:.6g}<br>f′(x₀) = ${fmt(slope)}<extra></extra>`,
      });
    }
    const layout = baseLayout({
      xaxis: axis(name, { range: [xmin, xmax] }),
      yaxis: axis("", { range }),
      hovermode: "closest",
      dragmode: "pan",
      shapes: [{
        type: "line", xref: "x", yref: "paper", x0, x1: x0, y0: 0, y1: 1,
        line: { color: COLORS.point, width: 1, dash: "dot" },
      }],
      uirevision: revision,
    });
    Plotly.react(this.el, traces, layout, PLOT_CONFIG);
    const claim = this.claim;
    dataViewFor(this.el).show(() => curveTables(field, tangent, x0, claim), [field, tangent, x0, claim]);
    this.bindClick();
  }

  bindClick() {
    if (this.bound) return;
    this.bound = true;
    onPlotClick(this.el, (x, _y, spans) => this.onPick(x, spans.x));
  }
}
