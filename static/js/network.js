// The "Neural network" view: the form (menus from GET /network/tables and GET /optimizers),
// training streamed epoch by epoch from POST /network/train (NDJSON) into growing curves,
// a progress bar and the latest figures; "Stop" aborts the stream and keeps what was drawn.
import { ApiError, api } from "./api.js";
import { NetworkExports } from "./export.js";
import { NetworkCheck } from "./networkcheck.js";
import {
  figuresText, renderAccuracy, renderBoundary, renderConfusion, renderDigits, renderLoss,
} from "./networkplots.js";
import {
  bindRender, bindText, onLanguageChange, rowTexts, serverText, t, tableText,
} from "./i18n.js";
import { activationRow, datasetRow, initRow, netField, netTables } from "./networktables.js";
import { NET_FIELDS, defaultNet } from "./state.js";
import {
  boundInput, clampField, fillSelect, optimizerRow, settingFields, settingNames, settingsFor,
  tables,
} from "./tables.js";
import { $ } from "./util.js";

/** The share of samples held out for testing: the page's choice, sent with every request. */
const TEST_FRACTION = 0.2;
const settingId = (name) => `net-opt-${name}`;
/** Plots are redrawn at most this often while lines stream in (a redraw takes tens of ms). */
const REDRAW_MS = 150;

/** What the page knows of a run, growing as lines arrive. */
function emptyRun(net) {
  const row = datasetRow(net.dataset);
  const total = row?.planar ? net.samples : row?.samples ?? net.samples;
  const train = total - Math.round(TEST_FRACTION * total);
  return {
    planar: row?.planar ?? true, totalEpochs: net.epochs, perEpoch: Math.ceil(train / net.batch),
    iterations: [], loss: [], epochs: [], trainLoss: [], trainAccuracy: [], testAccuracy: [],
    boundary: null, confusion: null, predicted: null, data: null,
  };
}

/** The points or images of a line (the first one) or of the final answer. */
function dataOf(line) {
  return {
    trainPoints: line.train_points ?? null, trainLabels: line.train_labels ?? null,
    testPoints: line.test_points ?? null, testLabels: line.test_labels ?? null,
    testImages: line.test_images ?? null,
  };
}

export class NetworkView {
  constructor(app) {
    this.app = app;
    this.controller = null; // the AbortController of the training in progress
    this.run = emptyRun(app.state.net);
    this.request = null; // the last /network/train request, and its whole answer once it came
    this.final = null;
    this.trained = false; // a training was started: its figures stay until the next one
    this.previewController = null; // the AbortController of the preview being fetched
    this.shown = false;
    this.timer = null;
    this.lastDraw = 0;
    this.dirty = { main: true };
    fillSelect($("net-dataset"), netTables.datasets, "datasets");
    fillSelect($("net-activation"), netTables.activations, "activations");
    fillSelect($("net-init"), netTables.inits, "inits");
    fillSelect($("net-optimizer"), tables.optimizers, "optimizers");
    this.buildSettingFields();
    this.bind();
    this.check = new NetworkCheck(app, () => this.networkFields());
    this.exports = new NetworkExports(this);
    // the figures in the new language, as they stand (a training in progress goes on)
    onLanguageChange(() => {
      if (!this.shown) return;
      this.dirty.main = true;
      this.showFigures();
      this.draw();
    });
  }

  get net() {
    return this.app.state.net;
  }

  /** One number field per optimizer setting, shown only for the optimizers that have it. */
  buildSettingFields() {
    settingFields($("net-opt-settings"), settingId, () => {
      const hidden = document.createElement("span"); // tells the two forms' fields apart
      hidden.className = "sr-only";
      hidden.textContent = t("net.of_optimizer");
      return hidden;
    });
  }

  bind() {
    const changed = () => this.app.history.replace(this.app.state);
    for (const [key, , id, field] of NET_FIELDS) {
      boundInput($(id), netField(field));
      $(id).addEventListener("change", () => {
        const value = Number($(id).value);
        const clamped = $(id).value !== "" && Number.isFinite(value)
          ? clampField(netField(field), value) : null;
        if (clamped !== null) this.net[key] = clamped;
        $(id).value = String(this.net[key]);
        changed();
        this.preview();
      });
    }
    for (const [key, id] of [["dataset", "net-dataset"], ["activation", "net-activation"],
      ["init", "net-init"], ["optimizer", "net-optimizer"]]) {
      $(id).addEventListener("change", () => {
        this.net[key] = $(id).value;
        this.describe();
        changed();
        this.preview();
      });
    }
    for (const name of settingNames()) {
      const input = $(settingId(name));
      input.addEventListener("change", () => {
        const value = Number(input.value);
        if (input.value !== "" && Number.isFinite(value)) this.net.settings[name] = value;
        this.describe();
        changed();
      });
    }
    $("net-form").addEventListener("submit", (event) => {
      event.preventDefault();
      // Take what is typed even if the field has not fired "change" yet (Enter in a field).
      for (const [, , id] of NET_FIELDS) $(id).dispatchEvent(new Event("change"));
      for (const name of settingNames()) $(settingId(name)).dispatchEvent(new Event("change"));
      this.train();
    });
    $("net-stop").addEventListener("click", () => this.stop());
    window.addEventListener("resize", () => {
      if (!$("view-network").hidden) this.resize();
    });
  }

  /** Put the state into the controls (initial load, back and forward). */
  sync() {
    const net = this.net;
    const fallback = defaultNet();
    for (const [key, select] of [["dataset", "net-dataset"], ["activation", "net-activation"],
      ["init", "net-init"], ["optimizer", "net-optimizer"]]) {
      $(select).value = net[key];
      if ($(select).value !== net[key]) net[key] = fallback[key] ?? $(select).value;
      $(select).value = net[key];
    }
    for (const [key, , id] of NET_FIELDS) $(id).value = String(net[key]);
    this.describe();
  }

  /** Show what applies to the chosen rows, with their descriptions and rules. */
  describe() {
    const net = this.net;
    const dataset = datasetRow(net.dataset);
    bindText($("net-dataset-help"), () => tableText("datasets", dataset, "description"));
    $("net-planar-fields").hidden = !(dataset?.planar ?? true);
    const activation = activationRow(net.activation);
    bindText($("net-activation-help"), () => (activation
      ? t("net.activation_help", {
        forward: rowTexts("activations", activation).forward,
        backward: rowTexts("activations", activation).backward,
      })
      : ""));
    const init = initRow(net.init);
    bindText($("net-init-help"), () => tableText("inits", init, "description"));
    $("net-init-std-field").hidden = !init?.uses_init_std;
    const values = settingsFor(net.optimizer, net.settings);
    for (const field of $("net-opt-settings").querySelectorAll("[data-optimizers]")) {
      field.hidden = !field.dataset.optimizers.split(" ").includes(net.optimizer);
    }
    for (const [key, value] of Object.entries(values)) $(settingId(key)).value = String(value);
    const row = optimizerRow(net.optimizer);
    bindText($("net-optimizer-help"), () => (row ? tableText("optimizers", row, "rule") : ""));
    const classes = dataset?.classes ?? 2;
    const { hidden } = net;
    bindText($("net-shape"), () => t("net.shape", {
      inputs: dataset?.features ?? 2, hidden, activation: tableText("activations", activation, "label"), classes,
    }));
  }

  /** The view became visible: draw the empty figures and ask for the preview once, resize
   * the others. */
  show() {
    if (!this.shown) {
      this.shown = true;
      this.run = emptyRun(this.net);
      this.dirty.main = true;
      this.showFigures();
      this.draw();
      this.preview();
      return;
    }
    this.resize();
  }

  /**
   * Until the first training, the figures show the data and what the untrained network
   * makes of it: the answer of POST /network/train with `epochs: 0` for the form as it
   * stands (its epoch 0: the freshly initialised network's loss, accuracy and decision
   * boundary, or its labels for the digits). Asked for again when the form changes; a
   * training replaces it for good. A refused form leaves the figures empty: Train says why.
   */
  async preview() {
    if (!this.shown || this.trained) return;
    this.previewController?.abort();
    const controller = new AbortController();
    this.previewController = controller;
    let answer = null;
    try {
      answer = await api.networkTrain({ ...this.body(), epochs: 0 }, controller.signal);
    } catch (err) {
      if (!(err instanceof ApiError) && err?.name !== "AbortError") throw err;
    }
    if (this.previewController !== controller || this.trained) return; // superseded
    this.previewController = null;
    this.run = emptyRun(this.net);
    if (answer) this.take(answer);
    else { // refused: empty figures
      this.dirty.main = true;
      this.showFigures();
      this.draw();
    }
    this.setStatus(() => (answer ? t("net.preview") : ""), answer ? "preview" : "");
  }

  resize() {
    for (const el of document.querySelectorAll("#view-network .plot:not([hidden])")) {
      if (el.data) Plotly.Plots.resize(el);
    }
  }

  /** The network part of a request: dataset, sizes, activation, initialisation, seed. */
  networkFields() {
    const net = this.net;
    const body = {
      dataset: net.dataset, hidden: net.hidden, activation: net.activation, init: net.init,
      seed: net.seed, test_fraction: TEST_FRACTION,
    };
    if (datasetRow(net.dataset)?.planar) Object.assign(body, { samples: net.samples, noise: net.noise });
    if (initRow(net.init)?.uses_init_std) body.init_std = net.initStd;
    return body;
  }

  body() {
    const net = this.net;
    return {
      ...this.networkFields(), optimizer: net.optimizer, lr: net.lr, batch_size: net.batch,
      epochs: net.epochs, ...settingsFor(net.optimizer, net.settings),
    };
  }

  /** The status line: `text` gives it in the page's language. */
  setStatus(text, kind) {
    const status = $("net-status");
    status.className = `status ${kind}`;
    bindText(status, text);
    $("view-network").dataset.state = kind;
  }

  setProgress(epoch) {
    const bar = $("net-progress");
    const total = this.run.totalEpochs;
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(epoch));
    bindRender(bar, () => bar.setAttribute("aria-valuetext", t("net.progress_text", { epoch, total })));
    $("net-progress-bar").style.width = `${total > 0 ? (100 * epoch) / total : 100}%`;
  }

  async train() {
    this.stop();
    this.trained = true;
    this.previewController?.abort();
    this.previewController = null;
    this.app.history.commit(this.app.state);
    const controller = new AbortController();
    this.controller = controller;
    this.run = emptyRun(this.net);
    this.request = this.body();
    this.final = null;
    this.dirty.main = true;
    this.showFigures();
    this.draw();
    $("net-stop").disabled = false;
    this.setStatus(() => t("net.training"), "busy");
    try {
      const final = await api.networkStream(this.request, controller.signal, (line) => {
        if (this.controller === controller) this.take(line);
      });
      if (this.controller !== controller || !final) return;
      this.final = final;
      this.exportable();
      const seconds = final.seconds < 1 ? `${Math.round(final.seconds * 1000)} ms` : `${final.seconds.toFixed(2)} s`;
      this.setStatus(() => t("net.done", {
        status: t(`net.status_${final.status}`), seconds,
        message: serverText(final.message, () => trainingWords(final)),
      }), final.status);
    } catch (err) {
      if (err && err.name === "AbortError") {
        if (this.controller !== null && this.controller !== controller) return; // superseded
        const epoch = this.run.epochs.at(-1) ?? 0;
        const total = this.run.totalEpochs;
        this.setStatus(() => t("net.stopped", { epoch, total }), "stopped");
        return;
      }
      if (!(err instanceof ApiError)) throw err;
      if (this.controller === controller) this.setStatus(() => err.message, "error");
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        $("net-stop").disabled = true;
      }
    }
  }

  /** Abort the training in progress, if any (what was drawn stays). */
  stop() {
    if (!this.controller) return;
    this.controller.abort();
    this.controller = null;
    $("net-stop").disabled = true;
  }

  /** One line of the stream: an epoch's figures, or (the last) the whole answer. */
  take(line) {
    const run = this.run;
    if (line.parameters !== undefined) {
      Object.assign(run, {
        iterations: line.iterations, loss: line.loss, epochs: line.epochs, trainLoss: line.train_loss,
        trainAccuracy: line.train_accuracy, testAccuracy: line.test_accuracy,
        boundary: line.boundary ?? null, confusion: line.confusion, predicted: line.test_predicted,
        data: dataOf(line),
      });
      this.dirty.main = true;
    } else {
      run.iterations.push(...line.iterations);
      run.loss.push(...line.loss);
      run.epochs.push(line.epoch);
      run.trainLoss.push(line.train_loss);
      run.trainAccuracy.push(line.train_accuracy);
      run.testAccuracy.push(line.test_accuracy);
      if (line.epoch === 0) run.data = dataOf(line);
      if (line.boundary) run.boundary = line.boundary;
      if (line.confusion) {
        run.confusion = line.confusion;
        run.predicted = line.test_predicted;
      }
      if (line.epoch === 0 || line.boundary || line.confusion) this.dirty.main = true;
    }
    this.showFigures();
    if (line.parameters !== undefined) this.draw();
    else this.scheduleDraw();
  }

  /** The progress bar and the latest figures follow every line (cheap). */
  showFigures() {
    const run = this.run;
    const epoch = run.epochs.at(-1);
    const k = run.testAccuracy.length - 1;
    this.setProgress(epoch ?? 0);
    bindText($("net-figures"), () => figuresText(run));
    $("view-network").dataset.epoch = epoch === undefined ? "" : String(epoch);
    $("view-network").dataset.testAccuracy = k < 0 ? "" : String(run.testAccuracy[k]);
    this.exportable();
  }

  /** CSV once a training drew curves (a stopped one's too; not the preview's epoch 0);
   * JSON once the whole answer came. */
  exportable() {
    $("net-epochs-csv").disabled = !this.trained || this.run.epochs.length === 0;
    $("net-iterations-csv").disabled = !this.trained || this.run.iterations.length === 0;
    $("net-json").disabled = !this.final;
  }

  /** Redraw the plots soon, at most every REDRAW_MS however fast lines arrive. */
  scheduleDraw() {
    if (this.timer !== null) return;
    const wait = Math.max(0, REDRAW_MS - (performance.now() - this.lastDraw));
    this.timer = setTimeout(() => this.draw(), wait);
  }

  draw() {
    clearTimeout(this.timer);
    this.timer = null;
    this.lastDraw = performance.now();
    const run = this.run;
    renderLoss($("net-loss"), run);
    renderAccuracy($("net-accuracy"), run);
    if (this.dirty.main) {
      this.dirty.main = false;
      $("net-boundary").hidden = !run.planar;
      $("net-digits").hidden = run.planar;
      $("net-confusion").hidden = run.planar;
      if (run.planar) {
        $("net-main-title").textContent = t("net.boundary_title");
        $("net-main-help").textContent = t("net.boundary_help");
        renderBoundary($("net-boundary"), run);
      } else {
        $("net-main-title").textContent = t("net.digits_title");
        const wrong = renderDigits($("net-digits"), run);
        const shown = run.data?.testImages?.length ?? 0;
        $("net-main-help").textContent = wrong === null
          ? t("net.digits_empty") : t("net.digits_help", { n: shown, wrong });
        renderConfusion($("net-confusion"), run);
      }
    }
  }
}

/** How a training ended, in the page's words, from the answer's figures. */
function trainingWords(final) {
  const k = final.epochs.length - 1;
  if (final.status === "completed") {
    return t("net.words_completed", {
      epochs: final.epochs[k] ?? 0, iterations: final.iterations_run,
      train: pct(final.train_accuracy[k]), test: pct(final.test_accuracy[k]),
    });
  }
  return t("net.words_diverged", { epoch: final.epochs[k] ?? 0 });
}

const pct = (v) => `${(100 * v).toFixed(1)}%`;
