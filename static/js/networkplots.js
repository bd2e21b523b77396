// The network view's figures: loss per iteration, accuracy per epoch, the decision
// boundary of a planar set with its points, the digits' test images with their labels,
// and the confusion matrix. Each takes the run as it stands (possibly mid-stream).
import { dataViewFor } from "./datatable.js";
import {
  accuracyTables, boundaryTables, confusionTables, networkLossTables,
} from "./plotdata.js";
import { COLORS, OKABE_ITO, PLOT_CONFIG, axis, baseLayout, fmt } from "./theme.js";

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
    name: "mini-batch loss", line: { color: "#8db8d8", width: 1 }, marker: { size: 4, color: "#8db8d8" },
    hovertemplate: "iteration %{x}<br>loss %{y:.4g}<extra></extra>",
  }] : [];
  if (run.epochs.length) {
    const iterationsPerEpoch = run.perEpoch;
    traces.push({
      type: "scatter", mode: "lines+markers", name: "training loss (whole set, per epoch)",
      x: run.epochs.map((e) => e * iterationsPerEpoch), y: run.trainLoss,
      line: { color: COLORS.tangent, width: 2 }, marker: { size: 5, color: COLORS.tangent },
      customdata: run.epochs,
      hovertemplate: "epoch %{customdata}<br>training loss %{y:.4g}<extra></extra>",
    });
  }
  const layout = baseLayout({
    xaxis: axis("iteration", { rangemode: "tozero" }),
    yaxis: axis("cross-entropy loss", { rangemode: "tozero" }),
    hovermode: "closest", showlegend: traces.length > 1,
    margin: { l: 60, r: 12, t: 8, b: 44 },
    annotations: points || run.epochs.length ? [] : hint("Train to see the loss fall"),
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
    hovertemplate: `epoch %{x}<br>${name} %{y:.1%}<extra></extra>`,
  });
  const traces = run.epochs.length
    ? [trace(run.trainAccuracy, "train", COLORS.f, "dot"), trace(run.testAccuracy, "test", COLORS.fprime, "solid")]
    : [];
  const layout = baseLayout({
    xaxis: axis("epoch", { rangemode: "tozero" }),
    yaxis: axis("accuracy", { range: [0, 1.02], tickformat: ".0%" }),
    hovermode: "x unified", showlegend: traces.length > 0,
    margin: { l: 60, r: 12, t: 8, b: 44 },
    annotations: traces.length ? [] : hint("Accuracy before training is epoch 0"),
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
      colorbar: { title: { text: "p(class 1)", side: "right" }, thickness: 12, len: 0.8, tickformat: ".1f" },
      hovertemplate: "(%{x:.2f}, %{y:.2f})<br>p(class 1) = %{z:.3f}<extra></extra>",
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
          type: "scatter", mode: "markers", name: `${set}, class ${cls}`,
          x: chosen.map((p) => p[0]), y: chosen.map((p) => p[1]),
          marker: {
            symbol, size: set === "train" ? 6 : 8, color: CLASS_COLORS[cls],
            line: { color: set === "train" ? "#ffffff" : COLORS.ink, width: set === "train" ? 0.8 : 1.4 },
          },
          hovertemplate: `${set} point, class ${cls}<br>(%{x:.2f}, %{y:.2f})<extra></extra>`,
        });
      }
    }
  }
  const layout = baseLayout({
    xaxis: axis("x₁", { zeroline: false, constrain: "domain" }),
    yaxis: axis("x₂", { zeroline: false, scaleanchor: "x", scaleratio: 1 }),
    hovermode: "closest", legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
    margin: { l: 56, r: 12, t: 8, b: 40 },
    annotations: traces.length ? [] : hint("Train to see the decision boundary"),
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
    const said = guess === undefined ? "not classified yet" : `classified as ${guess}`;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `test image of a ${labels[i]}, ${said}`);
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
    Plotly.react(el, [], baseLayout({ annotations: hint("Train to see the confusion matrix"),
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
    hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
  }];
  const layout = baseLayout({
    xaxis: axis("predicted", { type: "category", side: "bottom", constrain: "domain" }),
    yaxis: axis("true", { type: "category", autorange: "reversed", scaleanchor: "x" }),
    margin: { l: 56, r: 12, t: 8, b: 44 },
  });
  Plotly.react(el, traces, layout, PLOT_CONFIG);
}

/** "Test accuracy 96.4% · train 95.3% · training loss 0.153 (epoch 12 of 50)". */
export function figuresText(run) {
  const k = run.epochs.length - 1;
  if (k < 0) return "";
  return `Test accuracy ${pct(run.testAccuracy[k])} · train ${pct(run.trainAccuracy[k])} · ` +
    `training loss ${fmt(run.trainLoss[k], 4)} (epoch ${run.epochs[k]} of ${run.totalEpochs})`;
}
