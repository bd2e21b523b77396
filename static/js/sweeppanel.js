// "Sweep learning rate": one POST /sweep runs the form's descent at many rates around the
// stability bound (and, for momentum methods, at several momentums); the result is drawn
// as final loss against rate (or a phase diagram), and clicking a point runs that rate.
import { api } from "./api.js";
import { bindRender, bindText, t, unbind } from "./i18n.js";
import { optimizerRow } from "./tables.js";
import { renderPhase, renderSweep } from "./plotsweep.js";
import { fmt } from "./theme.js";
import { $ } from "./util.js";

/** Rates per sweep, and per row of a phase diagram. */
const RATES = 60;
const PHASE_RATES = 40;
/** Momentums of the phase diagram. */
const MOMENTUMS = [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98];
/** How far the swept rates reach below and above the stability bound. */
const BELOW = 1e-3;
const ABOVE = 10;

export class SweepPanel {
  /**
   * @param {object} app shared page context
   * @param {(lr: number, momentum: number|null) => void} onPick runs the picked rate
   */
  constructor(app, onPick) {
    this.app = app;
    this.onPick = onPick;
    this.sweep = null;
    this.bound = false;
  }

  hide() {
    this.sweep = null;
    $("sweep-card").hidden = true;
  }

  /** The sweep's "CSV" and "JSON" downloads work once a sweep has come. */
  exportable(ready) {
    for (const id of ["sweep-csv", "sweep-json"]) $(id).disabled = !ready;
  }

  /**
   * Sweep the form's run: its optimizer, settings, start and steps, at rates from
   * 1/1000 of the stability bound to 10 times it (1e-4 to 1 when there is no bound).
   */
  async run(spec, stability) {
    const expr = this.app.goodExpr; // an answer for an earlier function is not drawn
    let bound = stability?.lr_bound ?? null;
    const usesMomentum = optimizerRow(spec.optimizer)?.settings.some((s) => s.name === "momentum");
    const note = $("sweep-note");
    $("sweep-card").hidden = false;
    this.exportable(false);
    const started = performance.now();
    // The range is set from the bound the page knows, which may be a moment old (another
    // optimizer or start); the sweep's answer carries its own, and decides.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const body = this.app.body({
        start: spec.start, steps: spec.steps, optimizer: spec.optimizer, method: spec.method,
        lr_min: bound ? bound * BELOW : 1e-4, lr_max: bound ? bound * ABOVE : 1,
        n: usesMomentum ? PHASE_RATES : RATES, ...spec.settings,
      });
      if (usesMomentum) body.momentums = MOMENTUMS;
      const count = body.n * (usesMomentum ? MOMENTUMS.length : 1);
      bindText(note, () => t("sweep.running", { n: count }));
      const sweep = await this.app.slots.run("sweep", (signal) => api.sweep(body, signal));
      if (!sweep || this.app.goodExpr !== expr) return;
      const own = sweep.stability?.lr_bound ?? null;
      if (attempt === 0 && own !== bound) {
        bound = own;
        continue;
      }
      this.sweep = {
        ...sweep, spec, seconds: (performance.now() - started) / 1000, request: body,
        answer: sweep,
      };
      this.exportable(true);
      this.render(spec.lr, spec.settings.momentum ?? null);
      return;
    }
  }

  /** Draw the last sweep with the current rate (and momentum) marked. */
  render(lr, momentum) {
    if (!this.sweep) return;
    bindRender($("plot-sweep"), () => this.draw(lr, momentum));
  }

  draw(lr, momentum) {
    const sweep = this.sweep;
    if (!sweep) return;
    const el = $("plot-sweep");
    const phase = sweep.momentum !== undefined;
    $("sweep-title").textContent = phase ? t("sweep.phase_title") : t("sweep.title");
    if (phase) renderPhase(el, sweep, lr, momentum);
    else renderSweep(el, sweep, lr);
    const runs = sweep.lr.length * (phase ? sweep.momentum.length : 1);
    const statuses = sweep.status.flat();
    const count = (s) => statuses.filter((x) => x === s).length;
    const best = sweep.best_lr === null ? t("sweep.all_diverged")
      : phase ? t("sweep.best_phase", { lr: fmt(sweep.best_lr, 3), momentum: sweep.best_momentum })
        : t("sweep.best", { lr: fmt(sweep.best_lr, 3) });
    unbind($("sweep-note"));
    $("sweep-note").textContent = t("sweep.summary", {
      runs, steps: sweep.spec.steps, seconds: fmt(sweep.seconds, 2), converged: count("converged"),
      completed: count("completed"), diverged: count("diverged"), best,
    }) + (phase ? t("sweep.orange") : "");
    if (!this.bound) {
      this.bound = true;
      el.on("plotly_click", (event) => {
        const p = event.points?.[0];
        if (!p || !this.sweep) return;
        const isPhase = this.sweep.momentum !== undefined;
        const rate = isPhase ? 10 ** p.x : p.x;
        const row = Math.round(p.y);
        if (!Number.isFinite(rate)) return;
        this.onPick(Number(rate.toPrecision(4)), isPhase ? this.sweep.momentum[row] ?? null : null);
      });
    }
  }
}
