// Shared look of every figure: colours, fonts, base Plotly layout and number formatting.

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace';

export const COLORS = {
  ink: "#1f2933",
  muted: "#616e7c",
  grid: "#e4e7eb",
  axis: "#9aa5b1",
  f: "#1c4e80",
  fprime: "#0ca678",
  tangent: "#e8590c",
  secant: "#7048e8",
  point: "#e8590c",
  arrow: "rgba(20, 33, 61, 0.55)",
  cursor: "#111111",
};

/** One colour per descent run, chosen to stand out on the contour's blue scale. */
export const RUN_COLORS = ["#e8590c", "#d6336c", "#fcc419", "#9c36b5", "#2f9e44", "#e03131", "#15aabf", "#212529"];

/** Colours of the numerical methods in the error-versus-h plot, in the order of GET /methods. */
export const METHOD_COLORS = ["#1c7ed6", "#e8590c", "#f59f00", "#7048e8", "#0ca678", "#d6336c", "#15aabf"];

/** Contour / surface colour scale: dark navy at low values to pale sand at high. */
export const FIELD_SCALE = [
  [0.0, "#0b2545"],
  [0.15, "#134074"],
  [0.35, "#3e7cb1"],
  [0.55, "#8db8d8"],
  [0.75, "#d6e6f2"],
  [1.0, "#fbf7ef"],
];

/**
 * Plotly config of every plot.  Nothing may offer to upload a user's data: the bundle
 * served now (Plotly.js 4, from the plotly Python package) shows a "Share chart..."
 * (send to cloud) button by default, older ones had "Edit in Chart Studio" and a link
 * to plotly.com, and the "Produced with Plotly" logo links out; so each is turned off
 * by name (keys a bundle does not know are ignored) and the cloud URL is emptied.
 * The PNG download stays.
 */
export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  watermark: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  showLink: false,
  plotlyServerURL: "",
  scrollZoom: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud", "editInChartStudio"],
  toImageButtonOptions: { format: "png", scale: 2 },
};

export function baseLayout(extra = {}) {
  return {
    font: { family: FONT, size: 12, color: COLORS.ink },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    margin: { l: 56, r: 16, t: 12, b: 44 },
    hoverlabel: { font: { family: MONO, size: 12 } },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 12 }, traceorder: "normal" },
    ...extra,
  };
}

export function axis(title, extra = {}) {
  return {
    title: { text: title, standoff: 8 },
    gridcolor: COLORS.grid,
    zerolinecolor: COLORS.axis,
    linecolor: COLORS.axis,
    ticks: "outside",
    tickcolor: COLORS.axis,
    automargin: true,
    ...extra,
  };
}

/** A number for humans: up to 6 significant digits, exponent form when tiny or huge. */
export function fmt(v, digits = 6) {
  if (v === null || v === undefined || Number.isNaN(v)) return "undefined";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  let text;
  if (a >= 1e6 || a < 1e-4) {
    text = v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, "e");
  } else {
    text = String(Number(v.toPrecision(digits)));
  }
  return text.replaceAll("-", "−");
}

/** Like fmt but keeps every digit a float64 has (for the derivative comparison). */
export function fmtFull(v) {
  if (v === null || v === undefined) return "undefined";
  return String(v).replaceAll("-", "−");
}

/** A point as "(a, b)". */
export function fmtPoint(p, digits = 4) {
  return `(${p.map((v) => fmt(v, digits)).join(", ")})`;
}

/** Round a coordinate picked with the mouse to a tidy number for a given axis span. */
export function tidy(v, span) {
  const step = 10 ** Math.floor(Math.log10(span / 500));
  return Number((Math.round(v / step) * step).toPrecision(10));
}
