// The network view's figures: loss per iteration, accuracy per epoch, the decision
// boundary of a planar set with its points, the digits' test images with their labels,
// and the confusion matrix. Each takes the run as it stands (possibly mid-stream).
import { dataViewFor } from "./datatable.js";
import {
  accuracyTables, boundaryTables, confusionTables, networkLossTables,
} from "./plotdata.js";
import { COLORS, OKABE_ITO, PLOT_CONFIG, axis, baseLayout, fmt } from "./theme.js";
import { t } from "./i18n.js";

/** Class 0 and class 1 of the planar sets, and the probability scale between them. */
export const CLASS_COLORS = [OKABE_ITO.vermillion, OKABE_ITO.blue];
const PROBABILITY_SCALE = [
  [0.0, "#f4a06b"],
  [0.25, "#fbd8bf"],
  [0.5, "#f8f9fa"],
  [0.75, "#bcd9f3"],
  [1.0, "#6aa8e4"],
];
const CONFUSION_SCALE = [[0, "#f8fafc"], [0.15, "#d6e6f2"], [0.5, "#6aa8e4"], [1, "#1c4e80"]];

const pct = (v) => `${(100 * v).toFixed(1)}%`;

/**
 * Before training there is one point, at epoch 0: the x axis then spans the training
 * the form asks for (`last`: its last epoch or iteration), so that the point sits at the
 * start of the frame the curves will grow into, whole. Else the axis fits the curves.
 */
function xRange(run, last) {
  if (run.epochs.length !== 1 || run.iterations.length) return { rangemode: "tozero" };
  const end = Math.max(1, last);
  return { range: [-0.03 * end, end] };
}

/** An empty figure that says what to do. */
function hint(text) {
  return [{
    text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
    font: { color: COLORS.muted, size: 13 },
  }];
}

/** Mini-batch loss against iteration (log y). */
export function renderLoss(el, run) {
  const points = run.iterations.length;
  const traces = points ? [{
    type: "scatter", mode: points > 150 ? "lines" : "lines+markers", x: run.iterations, y: run.loss,
    name: t("net.minibatch_loss"), line: { color: "#8db8d8", width: 1 }, marker: { size: 4, color: "#8db8d8" },
    hovertemplate: `${t("net.minibatch_hover")}<extra></extra>`,
  }] : [];
  if (run.epochs.length) {
    const iterationsPerEpoch = run.perEpoch;
    traces.push({
      type: "scatter", mode: "lines+markers", name: t("net.train_loss"),
      x: run.epochs.map((e) => e * iterationsPerEpoch), y: run.trainLoss,
      line: { color: COLORS.tangent, width: 2 }, marker: { size: 5, color: COLORS.tangent },
      customdata: run.epochs,
      hovertemplate: `${t("net.train_loss_hover")}<extra></extra>`,
    });
  }
  const layout = baseLayout({
    xaxis: axis(t("net.iteration"), xRange(run, run.totalEpochs * run.perEpoch)),
    yaxis: axis(t("net.loss_axis"), { rangemode: "tozero" }),
    hovermode: "closest", showlegend: traces.length > 1,
    margin: { l: 60, r: 12, t: 8, b: 44 },
    annotations: points || run.epochs.length ? [] : hint(t("net.loss_empty")),
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  // the run grows in place as lines stream in: its lengths say when it changed
  dataViewFor(el).show(() => networkLossTables(run), [run, run.iterations.length, run.epochs.length]);
}

/** Train and test accuracy against epoch. */
export function renderAccuracy(el, run) {
  const trace = (y, name, color, dash) => ({
    type: "scatter", mode: run.epochs.length > 60 ? "lines" : "lines+markers", x: run.epochs, y, name,
    line: { color, width: 2, dash }, marker: { size: 5, color },
    hovertemplate: `${t("net.accuracy_hover", { name })}<extra></extra>`,
  });
  const traces = run.epochs.length
    ? [trace(run.trainAccuracy, t("net.train_set"), COLORS.f, "dot"), trace(run.testAccuracy, t("net.test_set"), COLORS.fprime, "solid")]
    : [];
  const layout = baseLayout({
    xaxis: axis(t("net.epoch"), xRange(run, run.totalEpochs)),
    yaxis: axis(t("net.accuracy"), { range: [0, 1.02], tickformat: ".0%" }),
    hovermode: "x unified", showlegend: traces.length > 0,
    margin: { l: 60, r: 12, t: 8, b: 44 },
    annotations: traces.length ? [] : hint(t("net.accuracy_empty")),
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => accuracyTables(run), [run, run.epochs.length]);
}

/** The predicted probability of class 1 as a heatmap, the 0.5 line, and the points. */
export function renderBoundary(el, run) {
  const traces = [];
  const b = run.boundary;
  if (b) {
    traces.push({
      type: "heatmap", x: b.x, y: b.y, z: b.p, zmin: 0, zmax: 1, colorscale: PROBABILITY_SCALE, zsmooth: "best",
      colorbar: { title: { text: t("net.p_class1"), side: "right" }, thickness: 12, len: 0.8, tickformat: ".1f" },
      hovertemplate: `(%{x:.2f}, %{y:.2f})<br>${t("net.p_class1")} = %{z:.3f}<extra></extra>`,
    }, {
      type: "contour", x: b.x, y: b.y, z: b.p, showscale: false, hoverinfo: "skip",
      contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
      line: { color: COLORS.ink, width: 2 }, name: "p = 0.5",
    });
  }
  const data = run.data;
  if (data?.trainPoints) {
    for (const [set, points, labels, symbol] of [
      ["train", data.trainPoints, data.trainLabels, "circle"],
      ["test", data.testPoints, data.testLabels, "diamond"],
    ]) {
      for (const cls of [0, 1]) {
        const chosen = points.filter((_, i) => labels[i] === cls);
        traces.push({
          type: "scatter", mode: "markers", name: t(`net.${set}_class`, { cls }),
          x: chosen.map((p) => p[0]), y: chosen.map((p) => p[1]),
          marker: {
            symbol, size: set === "train" ? 6 : 8, color: CLASS_COLORS[cls],
            line: { color: set === "train" ? "#ffffff" : COLORS.ink, width: set === "train" ? 0.8 : 1.4 },
          },
          hovertemplate: `${t(`net.${set}_point`, { cls })}<br>(%{x:.2f}, %{y:.2f})<extra></extra>`,
        });
      }
    }
  }
  // an empty figure keeps a square box of its own (autorange on nothing collapses x)
  const empty = traces.length ? {} : { range: [-1, 1] };
  const layout = baseLayout({
    xaxis: axis("x₁", { zeroline: false, constrain: "domain", ...empty }),
    yaxis: axis("x₂", { zeroline: false, scaleanchor: "x", scaleratio: 1, ...empty }),
    hovermode: "closest", legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
    margin: { l: 56, r: 12, t: 8, b: 40 },
    annotations: traces.length ? [] : hint(t("net.boundary_empty")),
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
  dataViewFor(el).show(() => boundaryTables(run), [run, run.boundary, run.data]);
}

/** Test images as small pictures with the network's label; mistakes are marked. */
export function renderDigits(container, run) {
  const images = run.data?.testImages ?? [];
  const labels = run.data?.testLabels ?? [];
  const predicted = run.predicted ?? [];
  const cells = images.map((image, i) => {
    const figure = document.createElement("figure");
    const canvas = document.createElement("canvas");
    canvas.width = 8;
    canvas.height = 8;
    const pixels = new ImageData(8, 8);
    image.flat().forEach((v, k) => {
      const shade = Math.round(255 * (1 - v));
      pixels.data.set([shade, shade, shade, 255], 4 * k);
    });
    canvas.getContext("2d").putImageData(pixels, 0, 0);
    const caption = document.createElement("figcaption");
    const guess = predicted[i];
    if (guess === undefined) {
      caption.textContent = "?";
      figure.className = "digit";
    } else if (guess === labels[i]) {
      caption.textContent = String(guess);
      figure.className = "digit right";
    } else {
      caption.textContent = `${guess} (${labels[i]})`; // the true digit in brackets
      figure.className = "digit wrong";
    }
    const said = guess === undefined ? t("net.not_classified") : t("net.classified", { guess });
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", t("net.image_label", { label: labels[i], said }));
    figure.append(canvas, caption);
    return figure;
  });
  container.replaceChildren(...cells);
  const wrong = predicted.length
    ? images.filter((_, i) => predicted[i] !== labels[i]).length : null;
  return wrong;
}

/** The confusion matrix of the test set, counts written in the cells. */
export function renderConfusion(el, run) {
  const matrix = run.confusion;
  dataViewFor(el).show(() => confusionTables(run), [run, matrix]);
  if (!matrix) {
    Plotly.react(el, [], baseLayout({ annotations: hint(t("net.confusion_empty")),
      xaxis: { visible: false }, yaxis: { visible: false } }), PLOT_CONFIG);
    return;
  }
  const classes = matrix.map((_, i) => String(i));
  // Counts as the heatmap's own text (far quicker to draw than 100 annotations); zero
  // cells stay blank.
  const text = matrix.map((row) => row.map((count) => (count ? String(count) : "")));
  const traces = [{
    type: "heatmap", x: classes, y: classes, z: matrix, text, texttemplate: "%{text}",
    textfont: { size: 11 }, colorscale: CONFUSION_SCALE, showscale: false, xgap: 1, ygap: 1,
    hovertemplate: `${t("net.confusion_hover")}<extra></extra>`,
  }];
  const layout = baseLayout({
    xaxis: axis(t("net.predicted"), { type: "category", side: "bottom", constrain: "domain" }),
    yaxis: axis(t("net.true"), { type: "category", autorange: "reversed", scaleanchor: "x" }),
    margin: { l: 56, r: 12, t: 8, b: 44 },
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
}

/** "Test accuracy 96.4% · train 95.3% · training loss 0.153 (epoch 12 of 50)". */
export function figuresText(run) {
  const k = run.epochs.length - 1;
  if (k < 0) return "";
  return t("net.figures", {
    test: pct(run.testAccuracy[k]), train: pct(run.trainAccuracy[k]), loss: fmt(run.trainLoss[k], 4),
    epoch: run.epochs[k], total: run.totalEpochs,
  });
}
