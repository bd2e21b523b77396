// Shared look of every figure: colours, fonts, base Plotly layout and number formatting.
import { t } from "./i18n.js";

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace';

/**
 * The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008): eight colours that
 * stay apart for the common kinds of colour blindness. Every colour the figures use to tell
 * things apart comes from it.
 */
export const OKABE_ITO = {
  vermillion: "#D55E00",
  blue: "#0072B2",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  reddishPurple: "#CC79A7",
  orange: "#E69F00",
  yellow: "#F0E442",
  black: "#000000",
};

export const COLORS = {
  ink: "#1f2933",
  muted: "#616e7c",
  grid: "#e4e7eb",
  axis: "#9aa5b1",
  f: OKABE_ITO.blue,
  fprime: OKABE_ITO.bluishGreen,
  tangent: OKABE_ITO.vermillion,
  secant: OKABE_ITO.reddishPurple,
  point: OKABE_ITO.vermillion,
  arrow: "rgba(20, 33, 61, 0.55)",
  cursor: "#111111",
};

/**
 * One colour per descent run, in the order runs get them: the Okabe–Ito colours ordered so
 * that the first ones stand out both on the contour's blue scale and on the white loss
 * plot (yellow, faint on white, and black, faint on the contour's dark low ground, last).
 */
export const RUN_COLORS = [
  OKABE_ITO.vermillion, OKABE_ITO.skyBlue, OKABE_ITO.reddishPurple, OKABE_ITO.bluishGreen,
  OKABE_ITO.orange, OKABE_ITO.blue, OKABE_ITO.yellow, OKABE_ITO.black,
];
/** A dash per run (the names scatter3d knows too), so colour is never the only difference. */
export const RUN_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"];
/** A marker per run, each drawn by both the 2-D and the 3-D scatter. */
export const RUN_SYMBOLS = ["circle", "square", "diamond", "x", "cross", "circle-open", "square-open", "diamond-open"];

/**
 * The look of run number `n` (1, 2, …): colour, dash and marker, repeating after eight.
 *
 * Example: `runStyle(2)` is `{color: "#56B4E9", dash: "dash", symbol: "square"}`.
 */
export function runStyle(n) {
  const k = (n - 1) % RUN_COLORS.length;
  return { color: RUN_COLORS[k], dash: RUN_DASHES[k], symbol: RUN_SYMBOLS[k] };
}

/** Colours and dashes of the numerical methods in the error-versus-h plot, in the order of GET /methods. */
export const METHOD_COLORS = [
  OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.bluishGreen, OKABE_ITO.reddishPurple,
  OKABE_ITO.orange, OKABE_ITO.skyBlue, OKABE_ITO.black,
];
export const METHOD_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid"];
export const METHOD_SYMBOLS = ["circle", "square", "diamond", "x", "cross", "triangle-up", "triangle-down"];

/** Contour / surface colour scale: dark navy at low values to pale sand at high. */
export const FIELD_SCALE = [
  [0.0, "#0b2545"],
  [0.15, "#134074"],
  [0.35, "#3e7cb1"],
  [0.55, "#8db8d8"],
  [0.75, "#d6e6f2"],
  [1.0, "#fbf7ef"],
];

/** A plot's file name: `slopescope-contour` for the plot `#plot-contour`. */
const imageName = (gd) => `slopescope-${(gd.id || "plot").replace(/^plot-/, "")}`;

/**
 * A mode-bar button that downloads the plot as a PNG (at twice the size on screen) or an
 * SVG file, drawn by Plotly.js in the browser (no server, no cloud).
 */
function imageButton(format, icon) {
  return {
    name: `download-${format}`,
    title: () => t("export.plot_image", { format: format.toUpperCase() }), // Plotly calls it
    get icon() {
      return Plotly.Icons[icon]; // read when a mode bar is drawn: Plotly.js has loaded
    },
    click: (gd) => downloadPlot(gd, format),
  };
}

/**
 * Download the plot element as a `format` image. What is drawn over a plot outside its traces (the
 * player's moving markers, static/js/overlay.js) would be missing from the picture, so
 * a "plot-image" event goes first: a listener puts such marks into the traces for it and
 * pushes onto `event.detail.after` what to do once the picture is taken.
 */
export async function downloadPlot(gd, format) {
  const after = [];
  gd.dispatchEvent(new CustomEvent("plot-image", { bubbles: true, detail: { after } }));
  try {
    await Plotly.downloadImage(gd, { format, filename: imageName(gd), scale: format === "png" ? 2 : 1 });
  } finally {
    for (const done of after) done();
  }
}

/**
 * Plotly config of every plot.  Nothing may offer to upload a user's data: the bundle
 * served now (Plotly.js 4, static/vendor/plotly/) shows a "Share chart..."
 * (send to cloud) button by default, older ones had "Edit in Chart Studio" and a link
 * to plotly.com, and the "Produced with Plotly" logo links out; so each is turned off
 * by name (keys a bundle does not know are ignored) and the cloud URL is emptied.
 * Plotly's own "Download plot as a png" gives way to two buttons that name the file
 * after the plot: PNG and SVG.
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
  modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud", "editInChartStudio", "toImage"],
  modeBarButtonsToAdd: [imageButton("png", "camera"), imageButton("svg", "camera-retro")],
};

/**
 * Plotly draws its mode bar as real buttons: eight or so tab stops per plot between the
 * controls that matter. They stay usable with the mouse; the keyboard skips them. A
 * mode bar is built (and rebuilt) whenever a plot is drawn, so an observer takes each
 * new button out of the tab order as it appears.
 */
export function keepModeBarsOutOfTabOrder(root = document.body) {
  const untab = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const buttons = node.classList.contains("modebar-btn") ? [node] : node.getElementsByClassName("modebar-btn");
    for (const button of buttons) button.tabIndex = -1;
  };
  untab(root);
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(untab);
  }).observe(root, { childList: true, subtree: true });
}

if (typeof document !== "undefined" && document.body) keepModeBarsOutOfTabOrder();

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

/**
 * A number for humans: up to 6 significant digits, exponent form when tiny or huge
 * (alike in every language; only "undefined" is a word of the page's language).
 */
export function fmt(v, digits = 6) {
  if (v === null || v === undefined || Number.isNaN(v)) return t("num.undefined");
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
  if (v === null || v === undefined) return t("num.undefined");
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
