// 2-D view controller: ties the descent form, the runs kept for comparison and the
// step-through player to the contour / surface / loss figures they feed.
import { api } from "./api.js";
import { dataViewFor } from "./datatable.js";
import { coarseField } from "./coarse.js";
import { DerivativeCheck } from "./derivcheck.js";
import { DescentForm } from "./descentform.js";
import { DescentExports } from "./export.js";
import { bindText, onLanguageChange, t } from "./i18n.js";
import { Player } from "./player.js";
import { Plot2D } from "./plot2d.js";
import { onPlotHover, onPlotZoom } from "./plotclick.js";
import { RangeControl } from "./ranges.js";
import { fieldTables, runsTable } from "./plotdata.js";
import { lossScale, lossY, moveLossMarkers, renderLoss } from "./plotloss.js";
import { PointPanel } from "./pointpanel.js";
import { MAX_RUNS, Runs } from "./runs.js";
import { StabilityPanel } from "./stability.js";
import { SweepPanel } from "./sweeppanel.js";
import { tidy } from "./theme.js";
import { $, debounce } from "./util.js";

const sameSpec = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * While the function is being typed (a keystroke in the function field less than this
 * long ago), the contour is drawn from every other grid line (coarse.js: about half the
 * time to draw) and the panels about the start point (the point readout and its slices,
 * the stability bound) wait; once typing has paused this long, the whole grid is drawn
 * and they follow -- the view is then the one the function would get were it loaded.
 */
const TYPING_PAUSE_MS = 300;

/**
 * Whether the coarse copy of a typed function is what the view draws. `data-draft` is a
 * hook for tests and benchmarks; meanwhile the panels about the start point (the
 * curvature's stability bound, the point's readout and slices) still describe the
 * function before it, and say so (aria-busy; app.css dims them) until typing pauses.
 */
function showDraft(draft) {
  $("view-2d").dataset.draft = String(draft);
  for (const el of [$("stability"), $("point-card")]) el.setAttribute("aria-busy", String(draft));
}

export class View2D {
  constructor(app) {
    this.app = app;
    this.runs = new Runs(app);
    this.plot = new Plot2D($("plot-contour"), $("plot-surface"), (point, spans) => {
      this.setStart([tidy(point[0], spans.x), tidy(point[1], spans.y)], true);
    });
    this.form = new DescentForm(app, (start) => this.setStart(start, true), () => this.runDescent(),
      (what, live) => this.formChanged(what, live));
    this.rerunSoon = debounce(() => this.rerunSelected(), 150);
    // dragging the start marker moves the start (and re-runs the selected run) as it goes
    this.plot.onStartDrag = (point, done) => this.setStart(point, done, true);
    this.player = new Player(this);
    this.stability = new StabilityPanel(app, (lr) => this.form.setRate(lr));
    this.refreshStability = debounce(() => this.stability.refresh(this.form.spec()), 150);
    this.sweep = new SweepPanel(app, (lr, momentum) => {
      this.form.setRate(lr);
      if (momentum !== null) this.form.setSetting("momentum", momentum);
      this.runDescent();
    });
    this.check = new DerivativeCheck(app, $("check-2d"), () => ({
      point: app.state.start, box: [app.state.xr, app.state.yr],
    }));
    this.exports = new DescentExports(this);
    /** When the function field last changed (performance.now()). */
    this.typedAt = -Infinity;
    /** The whole field while a coarse copy of it is drawn: {field}, or null. */
    this.unsettled = null;
    this.settleSoon = debounce(() => this.settle(), TYPING_PAUSE_MS);
    $("expr").addEventListener("input", () => {
      this.typedAt = performance.now();
      if (this.unsettled) this.settleSoon(); // typed on: the whole field waits for the pause
    });
    this.point = new PointPanel(app, (plane) => {
      this.plot.plane = plane;
      if (this.surfaceVisible) this.render();
    });
    // the point under the mouse, or the start point when the mouse leaves the contour
    const hoverSoon = debounce((p) => (p ? this.point.show([p.x, p.y], true)
      : this.point.show(this.app.state.start)), 150);
    onPlotHover($("plot-contour"), hoverSoon);
    $("clear-runs").addEventListener("click", () => this.clearRuns());
    $("sweep-lr").addEventListener("click", () => this.runSweep());
    $("ascent").addEventListener("change", () => {
      this.app.state.ascent = $("ascent").checked;
      this.app.history.replace(this.app.state);
      this.render();
      this.player.showStep();
    });
    this.ranges = [new RangeControl("xr-2d", (xr) => this.app.setRange(xr, null)),
      new RangeControl("yr-2d", (yr) => this.app.setRange(null, yr))];
    // zoom and pan sample the field again over what is shown
    const zoomed = debounce((ranges) => (ranges ? this.app.setRange(ranges.x ?? null, ranges.y ?? null)
      : this.app.setRange(null, null)), 250);
    onPlotZoom($("plot-contour"), zoomed);
    // The quiver is laid out in screen pixels: redo it when the window changes size.
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (!$("view-2d").hidden && !this.surfaceVisible) this.render();
      }, 250);
    });
    // the figures' names, axes and hover texts in the new language
    onLanguageChange(() => {
      if (this.plot.field) this.render();
      this.announce(""); // what was said is not said again in the other language
    });
  }

  get sign() {
    return $("ascent").checked ? 1 : -1;
  }

  get surfaceVisible() {
    return this.app.state.view === "surface";
  }

  syncControls() {
    this.form.sync();
    $("ascent").checked = this.app.state.ascent;
  }

  /**
   * The optimizer, a setting or the rate changed: the bound and the sweep's marks follow;
   * while it is dragged (`live`), the run selected in the player is run again with it.
   */
  formChanged(what, live = false) {
    if (live) this.rerunSoon();
    if (what === "lr") {
      this.stability.render(this.app.state.lr);
      this.sweep.render(this.app.state.lr, this.form.spec().settings.momentum ?? null);
    } else {
      this.refreshStability();
    }
  }

  async runSweep() {
    if (!this.app.goodExpr || this.app.variables.length !== 2) return;
    const button = $("sweep-lr");
    button.disabled = true;
    try {
      await this.sweep.run(this.form.spec(), this.stability.stability);
    } catch (err) {
      this.app.reportError(err, $("sweep-note"));
    } finally {
      button.disabled = false;
    }
  }

  stop() {
    this.player.stop();
  }

  showStep() {
    return this.player.showStep();
  }

  setStart(point, commit, live = false) {
    this.app.state.start = point;
    this.form.showStart(point);
    if (commit) this.app.history.commit(this.app.state);
    else this.app.history.replace(this.app.state);
    this.refreshStart();
    this.render();
    if (live) this.rerunSoon();
  }

  /**
   * Run the player's selected run again with the rate, settings and start now in the form
   * (when it uses the form's optimizer): what a drag of the rate, a setting or the start
   * does, as it goes.
   */
  async rerunSelected() {
    const run = this.player.run();
    const { state } = this.app;
    if (!run || this.player.playing || run.spec.optimizer !== state.optimizer) return;
    const spec = { ...this.form.spec(), steps: run.spec.steps, method: run.spec.method };
    const expr = this.app.goodExpr;
    try {
      const again = await this.app.slots.run("rerun", (signal) => this.runs.refetch(run, spec, signal));
      // An answer for a function no longer on screen, or for a run since removed, is dropped.
      if (!again || this.app.goodExpr !== expr || !this.runs.replace(run, again)) return;
      // The player's gradients and updates were those of the old path's points.
      this.player.forget();
      this.app.state.runs = this.runs.specs;
      this.app.history.replace(this.app.state);
      this.setStatus(again.status, () => t("runs.again", { run: this.runs.describe(again) }));
      this.runs.renderTable();
      this.player.refresh(again.key);
      this.render();
    } catch (err) {
      this.app.reportError(err, null);
      this.setStatus("error", () => err.reason ?? err.message);
    }
  }

  /**
   * A new function or range. `specs` are the runs to compute and show (from a link, or []
   * for a new function); null keeps the runs on screen.
   */
  async update(field, xRange, yRange, revision, specs) {
    const [nx, ny] = field.variables;
    $("start-x-name").textContent = nx;
    $("start-y-name").textContent = ny;
    const changed = field.expr !== this.plot.field?.expr;
    const typing = performance.now() - this.typedAt < TYPING_PAUSE_MS;
    this.settleSoon.cancel();
    this.unsettled = typing ? { field } : null;
    this.plot.setField(typing ? coarseField(field) : field, xRange, yRange, revision);
    showDraft(typing);
    this.syncControls();
    this.ranges[0].show(xRange);
    this.ranges[1].show(yRange);
    this.check.setVariables(field.variables);
    if (changed) this.sweep.hide();
    const runsBefore = [...this.runs.list];
    if (specs && !sameSpec(specs, this.runs.specs)) await this.restoreRuns(specs);
    // The loss plot shows the runs only: drawn again when they changed (or never were).
    const runsAfter = this.runs.list;
    const sameRuns = runsAfter.length === runsBefore.length && runsAfter.every((r, i) => r === runsBefore[i]);
    this.render({ loss: !sameRuns || !$("plot-loss").data });
    if (typing) this.settleSoon();
    else this.refreshStart();
  }

  /**
   * Typing has paused: draw the whole field of the function on screen (whose coarse copy
   * is drawn), and bring the panels about the start point up to date.
   */
  settle() {
    const pending = this.unsettled;
    if (!pending) return;
    if (performance.now() - this.typedAt < TYPING_PAUSE_MS) {
      this.settleSoon();
      return;
    }
    this.unsettled = null;
    // typed on to a function of one variable: the 2-D view is drawn again when it returns
    if (pending.field.expr !== this.app.goodExpr) return;
    const { plot } = this;
    plot.setField(pending.field, plot.xRange, plot.yRange, plot.revision);
    this.render({ loss: false });
    showDraft(false);
    this.refreshStart();
  }

  /** Draw whichever of contour / surface is visible, and (unless told not to) the loss plot. */
  render({ loss = true } = {}) {
    const { state } = this.app;
    const args = { start: state.start, runs: this.runs.list, sign: this.sign };
    const sign = this.sign < 0 ? "−" : "+";
    bindText($("plot2d-title"), () => (this.surfaceVisible ? t("v2.surface_title") : t("v2.contour_title", { sign })));
    if (this.surfaceVisible) this.plot.renderSurface(args);
    else this.plot.renderContour(args);
    // one Data view under the contour and the surface: the runs they draw and the field
    const { field } = this.plot;
    const runs = [...this.runs.list];
    dataViewFor($("plot-contour"), { after: $("plot-surface") }).show(() => (
      [runsTable(runs, field.variables), ...fieldTables(field, args.sign)]), [field, args.sign, ...runs]);
    if (loss) this.renderLoss();
  }

  renderLoss() {
    $("loss-note").textContent = renderLoss($("plot-loss"), this.runs.list, this.lossMarkers());
  }

  /** Move the player's markers on the loss plot, in place (what each frame of Play does). */
  moveLossMarkers() {
    moveLossMarkers($("plot-loss"), this.lossMarkers());
  }

  /** Where the player is on the loss plot: [{iteration, y, color}]. */
  lossMarkers() {
    const runs = this.runs.list;
    const known = this.lossScale;
    if (!known || known.runs.length !== runs.length || runs.some((r, i) => r !== known.runs[i])) {
      this.lossScale = { runs: [...runs], scale: lossScale(runs) };
    }
    const markers = [];
    for (const { run, k, color } of this.player.positions()) {
      const y = lossY(runs, run.values[k], this.lossScale.scale);
      if (y !== null) markers.push({ iteration: run.iterations[k], y, color });
    }
    return markers;
  }

  /** f and ∇f at the start point (also gives the surface marker its height). */
  async refreshStart() {
    const { state, slots } = this.app;
    if (!state.start) return;
    this.refreshStability();
    this.point.show(state.start);
    try {
      const res = await slots.run("start", (signal) => api.gradient(this.app.body({ point: state.start }), signal));
      if (!res) return;
      this.plot.startValue = res.value;
      if (this.surfaceVisible) this.render();
    } catch (err) {
      this.app.reportError(err, $("descent-status"));
    }
    if (!this.player.run()) this.app.onPointChanged(state.start);
  }

  /** The status line: `text` is a string or, to follow the language, a function giving it. */
  setStatus(kind, text) {
    const status = $("descent-status");
    status.className = `status ${kind}`;
    bindText(status, typeof text === "function" ? text : () => text);
  }

  /**
   * Say `text` in the polite live region: once per finished run, not as runs are run again
   * while something is dragged (the status line shows those).
   */
  announce(text) {
    $("run-announcer").textContent = text;
  }

  async runDescent() {
    const { app } = this;
    if (!app.goodExpr || app.variables.length !== 2) return;
    const spec = this.form.spec();
    const expr = app.goodExpr;
    this.setStatus("busy", () => t("runs.running"));
    $("run").disabled = true;
    try {
      const run = await app.slots.run("descent", (signal) => this.runs.fetch(spec, signal));
      if (!run) return; // superseded: a newer run is asked for
      if (app.goodExpr !== expr) { // a run of a function no longer on screen is dropped
        this.runs.drop(run);
        return;
      }
      const dropped = this.runs.add(run);
      app.state.runs = this.runs.specs;
      app.history.commit(app.state);
      this.setStatus(run.status, () => this.runs.describe(run)
        + (dropped ? t("runs.removed", { run: dropped.label, max: MAX_RUNS }) : ""));
      this.announce(this.runs.announcement(run));
      this.runs.renderTable();
      this.player.refresh(run.key);
      this.render();
      this.fitRun(run);
    } catch (err) {
      this.app.reportError(err, null);
      this.setStatus("error", () => err.reason ?? err.message);
      this.announce(t("runs.announce_failed", { message: err.reason ?? err.message }));
    } finally {
      $("run").disabled = false;
    }
  }

  /**
   * Widen a box the user did not choose so that it holds where `run` went (not a diverged
   * run, whose last points may be anywhere).
   */
  fitRun(run) {
    const { state } = this.app;
    if (!state.autoRange || run.status === "diverged" || !state.xr || !state.yr) return;
    const box = [state.xr, state.yr].map((range, axis) => {
      const values = run.path.map((p) => p[axis]).filter(Number.isFinite);
      const lo = Math.min(range[0], ...values);
      const hi = Math.max(range[1], ...values);
      const margin = lo < range[0] || hi > range[1] ? 0.1 * (hi - lo) : 0;
      return [lo < range[0] ? lo - margin : lo, hi > range[1] ? hi + margin : hi];
    });
    if (box.some((r, axis) => r[0] !== [state.xr, state.yr][axis][0] || r[1] !== [state.xr, state.yr][axis][1])) {
      this.app.setRange(box[0], box[1], { auto: true });
    }
  }

  /** Recompute runs named by a link (or drop them all for a new function). */
  async restoreRuns(specs) {
    this.player.stop();
    this.cancelReruns();
    this.player.forget();
    this.app.slots.cancel("descent");
    this.setStatus("", "");
    try {
      await this.app.slots.run("restore", (signal) => this.runs.restore(specs ?? [], signal));
    } catch (err) {
      this.runs.clear();
      this.app.reportError(err, null);
      this.setStatus("error", () => err.reason ?? err.message);
    }
    this.app.state.runs = this.runs.specs;
    const last = this.runs.last();
    if (last) this.setStatus(last.status, () => this.runs.describe(last));
    this.runs.renderTable();
    this.player.refresh(last ? last.key : null);
    if (last && this.app.state.playStep !== null) this.player.goTo(this.app.state.playStep);
  }

  /** Drop a re-run asked for or under way: its run is about to go. */
  cancelReruns() {
    this.rerunSoon.cancel();
    this.app.slots.cancel("rerun");
  }

  clearRuns() {
    this.player.stop();
    this.cancelReruns();
    this.player.forget();
    this.runs.clear();
    this.app.state.runs = [];
    this.app.history.commit(this.app.state);
    this.setStatus("", () => t("runs.cleared"));
    this.runs.renderTable();
    this.player.refresh(null);
    this.render();
  }
}
