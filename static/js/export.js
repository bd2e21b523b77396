// Downloads: the numbers on screen as CSV, the API's answers as JSON, and a Jupyter
// notebook that reproduces the view (written by the server: POST /notebook,
// POST /network/notebook). Files are made in the page (a Blob and an <a download>) or by
// this server; nothing is sent anywhere else.
import { ApiError, api } from "./api.js";
import { bindText, t } from "./i18n.js";
import { methodFor } from "./state.js";
import { $ } from "./util.js";

/** One CSV field: numbers in full (shortest text that reads back the same), null empty. */
function csvField(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text (RFC 4180: CRLF line ends) of rows, the header first. */
export function csvText(rows) {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Hand `content` to the browser as a download named `filename`. */
export function saveFile(content, filename, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const saveCsv = (rows, filename) => saveFile(csvText(rows), filename, "text/csv;charset=utf-8");
const saveJson = (value, filename) => saveFile(`${JSON.stringify(value, null, 1)}\n`, filename, "application/json");

/** A list of numbers as a plain array (an answer's arrays may be typed arrays). */
const plain = (values) => (ArrayBuffer.isView(values) ? Array.from(values) : values);

/**
 * The runs as one table: a row per path entry, the coordinates one column per variable.
 * Header: run, optimizer, lr, iteration, <variables...>, f, grad_norm (‖∇f‖).
 */
export function runsTable(runs, variables) {
  const rows = [["run", "optimizer", "lr", "iteration", ...variables, "f", "grad_norm"]];
  for (const run of runs) {
    const path = plain(run.path);
    const iterations = plain(run.iterations);
    const values = plain(run.values);
    const norms = plain(run.grad_norms);
    for (let k = 0; k < path.length; k += 1) {
      rows.push([run.n, run.spec.optimizer, run.spec.lr, iterations[k], ...plain(path[k]), values[k], norms[k]]);
    }
  }
  return rows;
}

/** A sweep as a table: a row per run (per rate, and per momentum in a phase diagram). */
export function sweepTable(sweep) {
  const phase = sweep.momentum !== undefined && sweep.momentum !== null;
  const rows = [[...(phase ? ["momentum"] : []), "lr", "status", "final_value", "steps_taken"]];
  const momentums = phase ? sweep.momentum : [null];
  momentums.forEach((momentum, row) => {
    const pick = (field) => (phase ? sweep[field][row] : sweep[field]);
    const [status, finals, taken] = [pick("status"), pick("final_value"), pick("steps_taken")];
    sweep.lr.forEach((lr, i) => {
      rows.push([...(phase ? [momentum] : []), lr, status[i], finals[i], taken[i]]);
    });
  });
  return rows;
}

/** A training's curves per epoch: epoch, train_loss, train_accuracy, test_accuracy. */
export function epochsTable(run) {
  const rows = [["epoch", "train_loss", "train_accuracy", "test_accuracy"]];
  run.epochs.forEach((epoch, k) => {
    rows.push([epoch, run.trainLoss[k], run.trainAccuracy[k], run.testAccuracy[k]]);
  });
  return rows;
}

/** The mini-batch loss per iteration: iteration, loss. */
export function iterationsTable(run) {
  const rows = [["iteration", "loss"]];
  plain(run.iterations).forEach((iteration, k) => rows.push([iteration, plain(run.loss)[k]]));
  return rows;
}

/** POST the view to the notebook endpoint and save the notebook it writes. */
async function saveNotebook(fetchNotebook, body, filename, status) {
  bindText(status, () => t("export.writing"));
  try {
    const blob = await fetchNotebook(body);
    saveFile(blob, filename, "application/x-ipynb+json");
    bindText(status, () => t("export.saved", { filename }));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    bindText(status, () => t("export.failed", { reason: err.reason }));
  }
}

/** Run `action` when the button `id` is pressed. */
function bind(id, action) {
  $(id).addEventListener("click", action);
}

/** The 2-D view's downloads: its runs, its sweep, its notebook. */
export class DescentExports {
  constructor(view) {
    this.view = view;
    bind("runs-csv", () => saveCsv(runsTable(this.runs, this.view.app.variables), "slopescope-runs.csv"));
    bind("runs-json", () => saveJson(this.runs.map((run) => ({
      run: run.n, label: run.label, request: run.request, response: run.answer,
    })), "slopescope-runs.json"));
    bind("sweep-csv", () => saveCsv(sweepTable(this.sweep), "slopescope-sweep.csv"));
    bind("sweep-json", () => saveJson({ request: this.sweep.request, response: this.sweep.answer },
      "slopescope-sweep.json"));
    bind("notebook-2d", () => saveNotebook(api.notebook, this.notebookBody(),
      `slopescope-${this.view.surfaceVisible ? "surface" : "contour"}.ipynb`, $("export-2d-status")));
  }

  get runs() {
    return this.view.runs.list;
  }

  get sweep() {
    return this.view.sweep.sweep;
  }

  /** The page's state as POST /notebook wants it: function, view, start, ranges, runs. */
  notebookBody() {
    const { app, plot } = this.view;
    const { state } = app;
    return app.body({
      view: this.view.surfaceVisible ? "surface" : "contour",
      point: state.start,
      x_range: plot.xRange,
      y_range: plot.yRange,
      method: methodFor(state, "2d"),
      runs: this.runs.map((run) => ({
        n: run.n, start: run.spec.start, lr: run.spec.lr, steps: run.spec.steps,
        optimizer: run.spec.optimizer, method: run.spec.method, ...run.spec.settings,
      })),
    });
  }
}

/** The 1-D view's notebook. */
export class PointExports {
  /**
   * @param {object} view the 1-D view
   * @param {object} extra what else the view draws: `secants` (its secant steps) and
   *   `sweep` ({h_min, h_max, n} of its error-versus-h plot)
   */
  constructor(view, extra) {
    bind("notebook-1d", () => {
      const { app, field } = view;
      const { state } = app;
      const body = app.body({
        view: "1d", point: state.x0, method: methodFor(state, "1d"),
        secants: extra.secants, ...extra.sweep,
      });
      if (field) body.x_range = [field.x[0], field.x[field.x.length - 1]];
      if (state.h !== null) body.h = state.h;
      saveNotebook(api.notebook, body, "slopescope-1d.ipynb", $("export-1d-status"));
    });
  }
}

/** The network view's downloads: its curves, the API's answer, its notebook. */
export class NetworkExports {
  constructor(view) {
    this.view = view;
    bind("net-epochs-csv", () => saveCsv(epochsTable(view.run), `slopescope-${view.net.dataset}-epochs.csv`));
    bind("net-iterations-csv", () => saveCsv(iterationsTable(view.run),
      `slopescope-${view.net.dataset}-iterations.csv`));
    bind("net-json", () => saveJson({ request: view.request, response: view.final },
      `slopescope-${view.net.dataset}.json`));
    bind("net-notebook", () => saveNotebook(api.networkNotebook, view.body(),
      `slopescope-network-${view.net.dataset}.ipynb`, $("net-export-status")));
  }
}
