// 2-D view controller: descent controls, runs kept for comparison, the step-through
// player, and the contour / surface / loss figures they feed.
import { api } from "./api.js";
import { Plot2D } from "./plot2d.js";
import { lossY, renderLoss } from "./plotloss.js";
import { LR_MAX, LR_MIN, SETTINGS, clampLr, clampSteps, methodFor } from "./state.js";
import { RUN_COLORS, fmt, fmtPoint, tidy } from "./theme.js";

/** Runs kept on screen; the oldest goes when one more is added. */
const MAX_RUNS = 8;
/** Frames per second of the player, and the most frames one playthrough takes. */
const FPS = 12;
const MAX_FRAMES = 240;

const OPTIMIZER_NAMES = {
  gd: "gradient descent", momentum: "momentum", nesterov: "Nesterov", adagrad: "AdaGrad", rmsprop: "RMSProp", adam: "Adam",
};

const $ = (id) => document.getElementById(id);

const sameSpec = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export class View2D {
  constructor(app) {
    this.app = app;
    this.runs = []; // results on screen, each {key, n, spec, color, label, path, values, ...}
    this.counter = 0;
    this.playing = null;
    this.gradCache = new Map();
    this.plot = new Plot2D($("plot-contour"), $("plot-surface"), (point, spans) => {
      this.setStart([tidy(point[0], spans.x), tidy(point[1], spans.y)], true);
    });
    this.bindForm();
    this.bindPlayer();
    $("ascent").addEventListener("change", () => {
      this.render();
      this.showStep();
    });
    // The quiver is laid out in screen pixels: redo it when the window changes size.
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (!$("view-2d").hidden && !this.surfaceVisible) this.render();
      }, 250);
    });
  }

  get sign() {
    return $("ascent").checked ? 1 : -1;
  }

  get surfaceVisible() {
    return this.app.state.view === "surface";
  }

  // ---------------------------------------------------------------- controls

  bindForm() {
    const { app } = this;
    const lr = $("lr");
    const lrSlider = $("lr-slider");
    lrSlider.addEventListener("input", () => {
      const value = Number((10 ** Number(lrSlider.value)).toPrecision(2));
      app.state.lr = clampLr(value);
      lr.value = String(app.state.lr);
      app.history.replace(app.state);
    });
    lr.addEventListener("change", () => {
      const value = Number(lr.value);
      if (!(value > 0)) {
        lr.value = String(app.state.lr);
        return;
      }
      app.state.lr = clampLr(value);
      lr.value = String(app.state.lr);
      lrSlider.value = String(Math.log10(app.state.lr));
      app.history.replace(app.state);
    });
    $("steps").addEventListener("change", () => {
      const value = Number($("steps").value);
      if (Number.isFinite(value) && $("steps").value !== "") app.state.steps = clampSteps(value);
      $("steps").value = String(app.state.steps);
      app.history.replace(app.state);
    });
    $("optimizer").addEventListener("change", () => {
      app.state.optimizer = $("optimizer").value;
      this.showSettings();
      app.history.replace(app.state);
    });
    for (const key of Object.keys(SETTINGS)) {
      $(key).addEventListener("change", () => {
        const value = Number($(key).value);
        if ($(key).value !== "" && Number.isFinite(value)) app.state.settings[key] = value;
        $(key).value = String(app.state.settings[key]);
        app.history.replace(app.state);
      });
    }
    for (const [i, id] of ["start-x", "start-y"].entries()) {
      $(id).addEventListener("change", () => {
        const value = Number($(id).value);
        if ($(id).value === "" || !Number.isFinite(value)) {
          $(id).value = String(app.state.start[i]);
          return;
        }
        const start = [...app.state.start];
        start[i] = value;
        this.setStart(start, true);
      });
    }
    $("descent-form").addEventListener("submit", (event) => {
      event.preventDefault();
      // Take what is typed even if the field has not fired "change" yet (Enter in a field).
      for (const id of ["lr", "steps", "start-x", "start-y", ...Object.keys(SETTINGS)]) {
        $(id).dispatchEvent(new Event("change"));
      }
      this.runDescent();
    });
    $("clear-runs").addEventListener("click", () => this.clearRuns());
  }

  /** Show the settings of the chosen optimizer only. */
  showSettings() {
    const opt = this.app.state.optimizer;
    for (const field of $("opt-settings").querySelectorAll("[data-for]")) {
      field.hidden = !field.dataset.for.split(" ").includes(opt);
    }
  }

  /** Put the state into the controls. */
  syncControls() {
    const { state } = this.app;
    $("lr").value = String(state.lr);
    $("lr").min = String(LR_MIN);
    $("lr").max = String(LR_MAX);
    $("lr-slider").value = String(Math.log10(state.lr));
    $("steps").value = String(state.steps);
    $("optimizer").value = state.optimizer;
    for (const key of Object.keys(SETTINGS)) $(key).value = String(state.settings[key]);
    if (state.start) {
      $("start-x").value = String(state.start[0]);
      $("start-y").value = String(state.start[1]);
    }
    this.showSettings();
  }

  setStart(point, commit) {
    this.app.state.start = point;
    $("start-x").value = String(point[0]);
    $("start-y").value = String(point[1]);
    if (commit) this.app.history.commit(this.app.state);
    this.refreshStart();
    this.render();
  }

  // ---------------------------------------------------------------- field

  /**
   * A new function or range. `specs` are the runs to compute and show (from a link, or []
   * for a new function); null keeps the runs on screen.
   */
  async update(field, xRange, yRange, revision, specs) {
    const [nx, ny] = field.variables;
    $("start-x-name").textContent = nx;
    $("start-y-name").textContent = ny;
    this.plot.setField(field, xRange, yRange, revision);
    this.syncControls();
    if (specs && !sameSpec(specs, this.runs.map((r) => r.spec))) await this.restoreRuns(specs);
    this.render();
    this.refreshStart();
  }

  /** Draw whichever of contour / surface is visible, and the loss plot. */
  render() {
    const { state } = this.app;
    const args = { start: state.start, runs: this.runs, sign: this.sign };
    $("plot2d-title").textContent = this.surfaceVisible ? "Surface of f with descent paths" : `Contour of f with ${this.sign < 0 ? "−" : "+"}∇f`;
    if (this.surfaceVisible) this.plot.renderSurface(args);
    else this.plot.renderContour(args);
    this.renderLoss();
  }

  renderLoss() {
    const run = this.playRun();
    let marker = null;
    if (run) {
      const k = Number($("play-step").value);
      const y = lossY(this.runs, run.values[k]);
      if (y !== null) marker = { iteration: run.iterations[k], y };
    }
    const note = renderLoss($("plot-loss"), this.runs, marker);
    $("loss-note").textContent = note;
  }

  /** f and ∇f at the start point (also gives the surface marker its height). */
  async refreshStart() {
    const { state, slots } = this.app;
    if (!state.start) return;
    try {
      const res = await slots.run("start", (signal) => api.gradient(this.app.body({ point: state.start }), signal));
      if (!res) return;
      this.plot.startValue = res.value;
      if (this.surfaceVisible) this.render();
    } catch (err) {
      this.app.reportError(err, $("descent-status"));
    }
    if (!this.playRun()) this.app.onPointChanged(state.start);
  }

  // ---------------------------------------------------------------- runs

  specFromState() {
    const { state } = this.app;
    const settings = {};
    for (const [key, spec] of Object.entries(SETTINGS)) {
      if (spec.for.includes(state.optimizer)) settings[key] = state.settings[key];
    }
    return {
      optimizer: state.optimizer, lr: state.lr, steps: state.steps,
      method: methodFor(state, "2d"), start: [...state.start], settings,
    };
  }

  async fetchRun(spec, signal) {
    const body = this.app.body({
      start: spec.start, lr: spec.lr, steps: spec.steps, optimizer: spec.optimizer, method: spec.method,
    });
    for (const [key, setting] of Object.entries(SETTINGS)) {
      if (setting.for.includes(spec.optimizer) && spec.settings?.[key] !== undefined) body[key] = spec.settings[key];
    }
    const res = await api.descent(body, signal);
    this.counter += 1;
    const n = this.counter;
    const name = spec.optimizer === "gd" ? "GD" : OPTIMIZER_NAMES[spec.optimizer];
    return {
      ...res,
      key: `run${n}`,
      n,
      spec,
      color: RUN_COLORS[(n - 1) % RUN_COLORS.length],
      short: name,
      label: `#${n} ${name}, lr ${fmt(spec.lr, 3)}`,
      iterations: res.iterations ?? res.path.map((_, k) => k),
    };
  }

  async runDescent() {
    const { app } = this;
    const status = $("descent-status");
    if (!app.goodExpr || app.variables.length !== 2) return;
    const spec = this.specFromState();
    const expr = app.goodExpr;
    status.className = "status busy";
    status.textContent = "Running…";
    $("run").disabled = true;
    try {
      const run = await app.slots.run("descent", (signal) => this.fetchRun(spec, signal));
      // A run of a function that is no longer on screen is dropped.
      if (!run || app.goodExpr !== expr) return;
      this.runs.push(run);
      if (this.runs.length > MAX_RUNS) this.runs.shift();
      app.state.runs = this.runs.map((r) => r.spec);
      app.history.commit(app.state);
      this.showStatus(run);
      this.refreshPlayer(run.key);
      this.render();
    } catch (err) {
      status.className = "status error";
      status.textContent = err.message;
    } finally {
      $("run").disabled = false;
    }
  }

  /** Recompute runs named by a link (or drop them all for a new function). */
  async restoreRuns(specs) {
    this.stop();
    this.app.slots.cancel("descent");
    this.runs = [];
    this.counter = 0;
    this.gradCache.clear();
    const status = $("descent-status");
    status.className = "status";
    status.textContent = "";
    const list = specs ?? [];
    if (list.length) {
      try {
        const runs = await this.app.slots.run("restore", (signal) => Promise.all(list.map((s) => this.fetchRun(s, signal))));
        if (runs) this.runs = runs;
      } catch (err) {
        status.className = "status error";
        status.textContent = err.message;
      }
    }
    this.app.state.runs = this.runs.map((r) => r.spec);
    if (this.runs.length) this.showStatus(this.runs[this.runs.length - 1]);
    this.refreshPlayer(this.runs.length ? this.runs[this.runs.length - 1].key : null);
  }

  clearRuns() {
    this.stop();
    this.runs = [];
    this.gradCache.clear();
    this.app.state.runs = [];
    this.app.history.commit(this.app.state);
    const status = $("descent-status");
    status.className = "status";
    status.textContent = "Runs cleared.";
    this.refreshPlayer(null);
    this.render();
  }

  showStatus(run) {
    const status = $("descent-status");
    status.className = `status ${run.status}`;
    const message = run.message.replace(/\.$/, "");
    const atStep = /^step (\d+):\s*(.*)$/i.exec(message);
    let said;
    if (run.status === "diverged" && atStep) said = `Diverged at step ${atStep[1]}: ${atStep[2]}`;
    else if (run.status === "completed" || message.toLowerCase().startsWith(run.status)) {
      said = message.charAt(0).toUpperCase() + message.slice(1);
    } else said = `${run.status.charAt(0).toUpperCase()}${run.status.slice(1)}: ${message}`;
    const final = run.status === "diverged" || run.final_value === null
      ? "" : ` Final f = ${fmt(run.final_value)} at ${fmtPoint(run.final)}.`;
    status.textContent = `${run.label} — ${said}.${final}`;
    this.renderRunsTable();
  }

  renderRunsTable() {
    const table = $("runs-table");
    const rows = $("runs-rows");
    rows.replaceChildren();
    table.hidden = this.runs.length === 0;
    for (const run of this.runs) {
      const tr = document.createElement("tr");
      const swatch = document.createElement("td");
      const dot = document.createElement("span");
      dot.className = "swatch";
      dot.style.background = run.color;
      swatch.append(dot, ` #${run.n} ${run.short}`);
      swatch.title = `${OPTIMIZER_NAMES[run.spec.optimizer]}, method ${run.spec.method}`;
      tr.appendChild(swatch);
      const cells = [
        [fmt(run.spec.lr, 3), "mono"],
        [run.status, `st st-${run.status}`],
        [run.final_value === null ? "—" : fmt(run.final_value, 4), "mono"],
      ];
      for (const [text, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        td.title = run.message;
        td.className = cls;
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
  }

  // ---------------------------------------------------------------- player

  bindPlayer() {
    $("play-run").addEventListener("change", () => {
      this.stop();
      this.configureSlider();
      this.showStep();
    });
    $("play-step").addEventListener("input", () => this.showStep());
    $("play").addEventListener("click", () => (this.playing ? this.stop() : this.play()));
  }

  playRun() {
    const key = $("play-run").value;
    return this.runs.find((r) => r.key === key) ?? null;
  }

  /** Fill the run selector and select `key`. */
  refreshPlayer(key) {
    this.renderRunsTable();
    const select = $("play-run");
    select.replaceChildren();
    for (const run of this.runs) {
      const opt = document.createElement("option");
      opt.value = run.key;
      opt.textContent = run.label;
      select.appendChild(opt);
    }
    if (!this.runs.length) {
      const opt = document.createElement("option");
      opt.value = "";
      opt.textContent = "no runs yet";
      select.appendChild(opt);
    }
    select.value = key ?? "";
    const none = !this.runs.length;
    select.disabled = none;
    $("play").disabled = none;
    $("play-step").disabled = none;
    this.configureSlider();
    this.showStep();
  }

  configureSlider() {
    const run = this.playRun();
    const slider = $("play-step");
    slider.max = String(run ? run.path.length - 1 : 0);
    slider.value = "0";
  }

  /** Show the current step: cursor on the plots, readout, gradient arrow. */
  async showStep() {
    const run = this.playRun();
    const readout = $("play-readout");
    if (!run) {
      readout.textContent = "Run descent, then step through it here.";
      this.plot.setCursor(null, this.surfaceVisible);
      return;
    }
    const k = Number($("play-step").value);
    const point = run.path[k];
    const value = run.values[k];
    const it = run.iterations[k];
    const [nx, ny] = this.app.variables;
    readout.innerHTML = "";
    const lines = [
      ["step", `${it} of ${run.iterations[run.iterations.length - 1]}`],
      [`(${nx}, ${ny})`, fmtPoint(point, 5)],
      ["f", fmt(value)],
      ["‖∇f‖", fmt(run.grad_norms[k])],
    ];
    for (const [name, text] of lines) {
      const div = document.createElement("div");
      div.className = "kv";
      const a = document.createElement("span");
      a.textContent = name;
      const b = document.createElement("output");
      b.className = "mono";
      b.textContent = text;
      div.append(a, b);
      readout.appendChild(div);
    }
    const cacheKey = `${run.key}:${k}`;
    let grad = this.gradCache.get(cacheKey) ?? null;
    this.plot.setCursor({ point, value, grad, sign: this.sign }, this.surfaceVisible);
    this.renderLoss();
    if (!grad && point.every(Number.isFinite)) {
      try {
        const res = await this.app.slots.run("cursor", (signal) => api.gradient(this.app.body({ point }), signal));
        if (!res || Number($("play-step").value) !== k || this.playRun() !== run) return;
        grad = res.gradient;
        if (grad.every((g) => g !== null)) {
          this.gradCache.set(cacheKey, grad);
          this.plot.setCursor({ point, value, grad, sign: this.sign }, this.surfaceVisible);
        }
      } catch {
        // The arrow is a nicety; the readout already shows the step.
      }
    }
    if (!this.playing) this.app.onPointChanged(point);
  }

  play() {
    const run = this.playRun();
    if (!run) return;
    const slider = $("play-step");
    const last = run.path.length - 1;
    if (Number(slider.value) >= last) slider.value = "0";
    const stride = Math.max(1, Math.ceil(last / MAX_FRAMES));
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-pressed", "true");
    this.playing = setInterval(() => {
      const next = Math.min(last, Number(slider.value) + stride);
      slider.value = String(next);
      if (next >= last) this.stop();
      this.showStep();
    }, 1000 / FPS);
  }

  stop() {
    if (!this.playing) return;
    clearInterval(this.playing);
    this.playing = null;
    $("play").textContent = "Play";
    $("play").setAttribute("aria-pressed", "false");
  }
}
