// The step-through player: pick a run, move through its steps with a slider or Play, and
// see the point, f, ‖∇f‖ and the gradient arrow at each step.
import { api } from "./api.js";
import { fmt, fmtPoint } from "./theme.js";
import { $ } from "./util.js";

/** Frames per second of the player, and the most frames one playthrough takes. */
const FPS = 12;
const MAX_FRAMES = 240;

export class Player {
  /**
   * @param {object} view the 2-D view: its app, runs, plot, sign and surfaceVisible,
   *   and renderLoss() to move the loss plot's marker
   */
  constructor(view) {
    this.view = view;
    this.playing = null;
    this.gradCache = new Map();
    $("play-run").addEventListener("change", () => {
      this.stop();
      this.configureSlider();
      this.showStep();
    });
    $("play-step").addEventListener("input", () => this.showStep());
    $("play").addEventListener("click", () => (this.playing ? this.stop() : this.play()));
  }

  /** The run selected in the player, or null. */
  run() {
    return this.view.runs.find($("play-run").value);
  }

  /** The selected step's index into the run's path. */
  get step() {
    return Number($("play-step").value);
  }

  forget() {
    this.gradCache.clear();
  }

  /** Fill the run selector and select `key`. */
  refresh(key) {
    const { runs } = this.view;
    const select = $("play-run");
    select.replaceChildren();
    for (const run of runs.list) {
      const opt = document.createElement("option");
      opt.value = run.key;
      opt.textContent = run.label;
      select.appendChild(opt);
    }
    if (!runs.list.length) {
      const opt = document.createElement("option");
      opt.value = "";
      opt.textContent = "no runs yet";
      select.appendChild(opt);
    }
    select.value = key ?? "";
    const none = !runs.list.length;
    select.disabled = none;
    $("play").disabled = none;
    $("play-step").disabled = none;
    this.configureSlider();
    this.showStep();
  }

  configureSlider() {
    const run = this.run();
    const slider = $("play-step");
    slider.max = String(run ? run.path.length - 1 : 0);
    slider.value = "0";
  }

  /** Show the current step: cursor on the plots, readout, gradient arrow. */
  async showStep() {
    const { view } = this;
    const run = this.run();
    const readout = $("play-readout");
    if (!run) {
      readout.textContent = "Run descent, then step through it here.";
      view.plot.setCursor(null, view.surfaceVisible);
      return;
    }
    const k = this.step;
    const point = run.path[k];
    const value = run.values[k];
    const [nx, ny] = view.app.variables;
    const lines = [
      ["step", `${run.iterations[k]} of ${run.iterations[run.iterations.length - 1]}`],
      [`(${nx}, ${ny})`, fmtPoint(point, 5)],
      ["f", fmt(value)],
      ["‖∇f‖", fmt(run.grad_norms[k])],
    ];
    readout.replaceChildren(...lines.map(([name, text]) => {
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
    const cacheKey = `${run.key}:${k}`;
    let grad = this.gradCache.get(cacheKey) ?? null;
    view.plot.setCursor({ point, value, grad, sign: view.sign }, view.surfaceVisible);
    view.renderLoss();
    if (!grad && point.every(Number.isFinite)) {
      try {
        const res = await view.app.slots.run("cursor", (signal) => api.gradient(view.app.body({ point }), signal));
        if (!res || this.step !== k || this.run() !== run) return;
        grad = res.gradient;
        if (grad.every((g) => g !== null)) {
          this.gradCache.set(cacheKey, grad);
          view.plot.setCursor({ point, value, grad, sign: view.sign }, view.surfaceVisible);
        }
      } catch {
        // The arrow is a nicety; the readout already shows the step.
      }
    }
    if (!this.playing) view.app.onPointChanged(point);
  }

  play() {
    const run = this.run();
    if (!run) return;
    const slider = $("play-step");
    const last = run.path.length - 1;
    if (this.step >= last) slider.value = "0";
    const stride = Math.max(1, Math.ceil(last / MAX_FRAMES));
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-pressed", "true");
    this.playing = setInterval(() => {
      const next = Math.min(last, this.step + stride);
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
