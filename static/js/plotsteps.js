// Error of each numerical derivative against the step h, on log-log axes: truncation
// error falls with h, rounding error rises as h shrinks, and the V's bottom is the best h.
import { dataViewFor } from "./datatable.js";
import { stepsTables } from "./plotdata.js";
import { t, tableText } from "./i18n.js";
import { methodRow, tables } from "./tables.js";
import {
  COLORS, METHOD_COLORS, METHOD_DASHES, METHOD_SYMBOLS, PLOT_CONFIG, axis, baseLayout, fmt,
} from "./theme.js";


/**
 * @param {HTMLElement} el
 * @param {object} sweep POST /steps answer
 */
export function renderSteps(el, sweep) {
  const traces = [];
  const annotations = [];
  for (const method of Object.keys(sweep.errors)) {
    const errors = sweep.errors[method];
    const label = tableText("methods", methodRow(method), "label") || method;
    const index = tables.methods.filter((m) => m.numerical).findIndex((m) => m.name === method);
    const color = METHOD_COLORS[index] ?? COLORS.muted;
    const dash = METHOD_DASHES[index] ?? "solid";
    const symbol = METHOD_SYMBOLS[index] ?? "circle";
    // An error of exactly 0 has no place on a log axis: that point is left out.
    const y = errors.map((e) => (e === null || e === 0 ? null : Math.abs(e)));
    traces.push({
      x: sweep.h, y, name: label, mode: "lines+markers", legendgroup: method,
      line: { color, width: 2, dash }, marker: { color, size: 5, symbol },
      customdata: errors,
      hovertemplate: `${label}<br>h = %{x:.2e}<br>${t("steps.error_hover")}<extra></extra>`,
    });
    const best = sweep.best_h?.[method];
    if (best !== null && best !== undefined) {
      const k = sweep.h.indexOf(best);
      const bestErr = k >= 0 ? y[k] : null;
      if (bestErr !== null) {
        traces.push({
          x: [best], y: [bestErr], mode: "markers", showlegend: false, legendgroup: method,
          marker: { color, size: 12, symbol: "star", line: { color: "#fff", width: 1 } },
          hovertemplate: `${t("steps.best_hover", { method: label })}<extra></extra>`,
        });
        annotations.push({
          x: Math.log10(best), y: Math.log10(bestErr), xref: "x", yref: "y",
          text: t("steps.best", { h: fmt(best, 2) }), showarrow: true, arrowhead: 0, arrowcolor: color,
          ax: 0, ay: 26 + 14 * annotations.length, font: { size: 11, color },
          bgcolor: "rgba(255,255,255,0.85)",
        });
      }
    }
  }
  const layout = baseLayout({
    xaxis: axis(t("steps.x"), { type: "log", exponentformat: "power", dtick: 2 }),
    yaxis: axis(t("steps.y"), { type: "log", exponentformat: "power" }),
    hovermode: "closest",
    annotations,
    margin: { l: 64, r: 16, t: 12, b: 44 },
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => stepsTables(sweep, (m) => tableText("methods", methodRow(m), "label") || m), [sweep]);
}
