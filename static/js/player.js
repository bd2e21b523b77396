// The step-through player: pick a run, move through its steps with a slider or Play, and
// see the point, f, ‖∇f‖ and the gradient arrow at each step. Play and "Animate all" run
// on requestAnimationFrame at FPS frames a second of the clock: a frame the browser could
// not show in time is skipped, not delayed. While it plays, the markers on the contour and
// the loss plot move on a layer over each plot (overlay.js), so a frame sets a few
// attributes and draws no figure again; when it stops they are put back in the figures'
// own traces (inplace.js), where a step chosen with the slider is too.
import { ApiError, api } from "./api.js";
import { bindText, onLanguageChange, t, unbind } from "./i18n.js";
import { playLossMarkers } from "./plotloss.js";
import { fmt, fmtPoint } from "./theme.js";
import { $, debounce } from "./util.js";

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
    this.updateCache = new Map();
    this.showUpdateSoon = debounce(() => this.showUpdate(), 120);
    $("play-run").addEventListener("change", () => {
      this.stop();
      this.configureSlider();
      this.showStep();
    });
    $("play-step").addEventListener("input", () => {
      this.view.app.state.playStep = this.step; // kept in the URL
      this.view.app.history.replace(this.view.app.state);
      this.showStep();
    });
    $("play").dataset.fps = String(FPS); // the nominal rate, for anyone measuring it
    $("play").addEventListener("click", () => (this.playing ? this.stop() : this.play()));
    $("play-all").addEventListener("click", () => (this.playing ? this.stop() : this.playAll()));
    /** While every run is animated: the iteration all of them are at; else null. */
    this.together = null;
    // the readout, the update written out and the buttons in the new language
    onLanguageChange(() => {
      if (!this.playing) this.showStep();
    });
    // A picture of a plot taken while playing (theme.js downloadPlot): the markers of the
    // frame on screen go into the figures' traces for it, and back on the layers after.
    document.addEventListener("plot-image", (event) => {
      if (!this.playing) return;
      this.live(false);
      this.view.moveLossMarkers();
      event.detail.after.push(() => {
        if (this.playing) this.live(true);
      });
    });
  }

  /**
   * Where the player is: [{run, k, color}] -- the selected run at the slider's step, or
   * while all are animated every run at the last step it reached by that iteration.
   */
  positions() {
    if (this.together !== null) {
      return this.view.runs.list.map((run) => ({ run, k: reached(run.iterations, this.together),
        color: run.color }));
    }
    const run = this.run();
    return run ? [{ run, k: this.step, color: undefined }] : [];
  }

  /** Play every run together, iteration by iteration, each with its own marker. */
  playAll() {
    const { view } = this;
    const runs = view.runs.list;
    if (!runs.length) return;
    this.stop();
    const last = Math.max(...runs.map((r) => r.iterations[r.iterations.length - 1]));
    const stride = Math.max(1, Math.ceil(last / MAX_FRAMES));
    this.live(true);
    this.together = 0;
    view.plot.setCursor(null, view.surfaceVisible);
    bindText($("play-all"), () => t("player.stop"));
    $("play-all").setAttribute("aria-pressed", "true");
    unbind($("play-readout")); // written at each frame, below
    this.loop((frame) => {
      this.together = Math.min(last, frame * stride);
      view.plot.setCursors(this.positions().map(({ run, k, color }) => ({ point: run.path[k], color })));
      view.moveLossMarkers();
      $("play-readout").textContent = t("player.all_at", { n: runs.length, k: this.together, last });
      return this.together < last;
    });
  }

  /**
   * Call `frame(n)` for n = 0, 1, 2... at FPS frames a second of the clock, from
   * requestAnimationFrame, until it returns false or stop() is called. When the browser
   * falls behind, the frames it missed are skipped: the playback keeps its pace.
   */
  loop(frame) {
    const began = performance.now();
    let shown = -1;
    const playing = { raf: 0 };
    const tick = (now) => {
      if (this.playing !== playing) return;
      const n = Math.max(0, Math.floor(((now - began) * FPS) / 1000));
      if (n !== shown) {
        shown = n;
        if (!frame(n)) {
          this.stop();
          return;
        }
      }
      playing.raf = requestAnimationFrame(tick);
    };
    this.playing = playing;
    tick(began);
  }

  /** The markers move on the plots' layers (true, while playing) or in their traces. */
  live(on) {
    this.view.plot.setLive(on);
    playLossMarkers($("plot-loss"), on);
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
    this.updateCache.clear();
  }

  /** Fill the run selector and select `key`. */
  refresh(key) {
    const { runs } = this.view;
    const select = $("play-run");
    select.replaceChildren();
    for (const run of runs.list) {
      const opt = document.createElement("option");
      opt.value = run.key;
      bindText(opt, () => run.label);
      select.appendChild(opt);
    }
    if (!runs.list.length) {
      const opt = document.createElement("option");
      opt.value = "";
      bindText(opt, () => t("player.no_runs"));
      select.appendChild(opt);
    }
    select.value = key ?? "";
    const none = !runs.list.length;
    select.disabled = none;
    $("play").disabled = none;
    $("play-all").disabled = none;
    $("play-step").disabled = none;
    this.configureSlider();
    this.showStep();
  }

  /** Put the slider at path index `k` (as far as the run goes) and show that step. */
  goTo(k) {
    const slider = $("play-step");
    slider.value = String(Math.min(Number(slider.max), Math.max(0, k)));
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
      bindText(readout, () => t("player.empty"));
      view.plot.setCursor(null, view.surfaceVisible);
      return;
    }
    const k = this.step;
    const point = run.path[k];
    const value = run.values[k];
    const [nx, ny] = view.app.variables;
    const step = { k: run.iterations[k], last: run.iterations[run.iterations.length - 1] };
    // the slider counts recorded points; a long run's are thinned, so say the step itself
    $("play-step").setAttribute("aria-valuetext", t("player.step_valuetext", step));
    const lines = [
      [t("player.step_word"), t("player.of", step)],
      [`(${nx}, ${ny})`, fmtPoint(point, 5)],
      ["f", fmt(value)],
      ["‖∇f‖", fmt(run.grad_norms[k])],
    ];
    unbind(readout);
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
    view.moveLossMarkers();
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
    if (!this.playing) {
      view.app.onPointChanged(point);
      this.showUpdateSoon();
    } else {
      unbind($("play-update"));
      $("play-update").replaceChildren();
    }
  }

  /**
   * The update that moved the point to the selected step, written out by the server from
   * the optimizer table's own rule: "x ← x − lr·∂f/∂x = −3 − 0.1·(−6) = −2.4".
   */
  async showUpdate() {
    const box = $("play-update");
    const run = this.run();
    const k = this.step;
    const step = run ? run.iterations[k] : 0;
    if (!run || step < 1) {
      unbind(box);
      box.replaceChildren();
      return;
    }
    const key = `${run.key}:${step}`;
    let told = this.updateCache.get(key);
    if (!told) {
      const { spec } = run;
      try {
        told = await this.view.app.slots.run("update", (signal) => api.descentStep(this.view.app.body({
          start: spec.start, lr: spec.lr, optimizer: spec.optimizer, method: spec.method, step, ...spec.settings,
        }), signal));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        // written only if the player still shows this step of this run
        if (this.run() === run && this.step === k) bindText(box, () => err.reason);
        return;
      }
      if (!told) return;
      this.updateCache.set(key, told);
    }
    if (this.run() !== run || this.step !== k) return;
    const title = document.createElement("h3");
    title.textContent = t("player.update_title", { step });
    const coordinates = told.lines.map((lines) => {
      const group = document.createElement("div");
      group.className = "coordinate";
      group.append(...lines.map((line) => {
        const p = document.createElement("p");
        p.className = "eq";
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = `${line.name} ← `;
        const result = document.createElement("span");
        result.className = "result";
        result.textContent = fmt(line.value);
        p.append(name, `${line.formula} = ${line.numbers} = `, result);
        return p;
      }));
      return group;
    });
    unbind(box);
    box.replaceChildren(title, ...coordinates);
  }

  play() {
    const run = this.run();
    if (!run) return;
    const slider = $("play-step");
    const last = run.path.length - 1;
    if (this.step >= last) slider.value = "0";
    const stride = Math.max(1, Math.ceil(last / MAX_FRAMES));
    const first = this.step;
    this.live(true);
    bindText($("play"), () => t("player.pause"));
    $("play").setAttribute("aria-pressed", "true");
    this.loop((frame) => {
      if (frame === 0) return true; // the step on screen already
      const next = Math.min(last, first + frame * stride);
      slider.value = String(next);
      if (next >= last) this.stop();
      this.showStep();
      // the next frame's arrow, asked for now so that it is drawn with its point
      if (next < last) this.prefetchGradient(run, Math.min(last, next + stride));
      return next < last;
    });
  }

  /** Ask for ∇f at path index `k` of `run` ahead of showing it (kept in the cache). */
  async prefetchGradient(run, k) {
    const key = `${run.key}:${k}`;
    const point = run.path[k];
    if (this.gradCache.has(key) || !point.every(Number.isFinite)) return;
    try {
      const res = await this.view.app.slots.run("cursor-next", (signal) => api.gradient(this.view.app.body({ point }), signal));
      // kept only for a run still on the page (not one since run again or removed)
      if (res && res.gradient.every((g) => g !== null) && this.run() === run) this.gradCache.set(key, res.gradient);
    } catch {
      // the frame asks again if it must
    }
  }

  stop() {
    if (!this.playing) return;
    cancelAnimationFrame(this.playing.raf);
    this.playing = null;
    bindText($("play"), () => t("player.play"));
    $("play").setAttribute("aria-pressed", "false");
    bindText($("play-all"), () => t("player.all"));
    $("play-all").setAttribute("aria-pressed", "false");
    const together = this.together !== null;
    this.together = null;
    if (together) this.view.plot.setCursors([]);
    // the markers where the player stopped go back in the figures' traces
    this.live(false);
    if (together) this.showStep();
    else this.view.moveLossMarkers();
  }
}

/** The index of the last of the increasing `iterations` that is ≤ `iteration` (0 if none). */
function reached(iterations, iteration) {
  let lo = 0;
  let hi = iterations.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (iterations[mid] <= iteration) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
