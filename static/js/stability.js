// The curvature at the start point beside the learning-rate control: the Hessian's
// eigenvalues, the stability bound of the chosen optimizer (2/λmax for gradient descent),
// the best fixed step, and a button that uses the suggested rate. The numbers come from
// POST /descent with steps 0, which answers with the `stability` of that start.
import { ApiError, api } from "./api.js";
import { bindRender, t } from "./i18n.js";
import { fmt } from "./theme.js";
import { $ } from "./util.js";

export class StabilityPanel {
  /**
   * @param {object} app shared page context
   * @param {(lr: number) => void} useRate sets the learning rate (the form's)
   */
  constructor(app, useRate) {
    this.app = app;
    this.stability = null;
    $("use-suggested").addEventListener("click", () => {
      const rate = this.suggested();
      if (rate !== null) useRate(rate);
    });
  }

  /**
   * Below the bound: the best fixed step when the Hessian is positive definite, else half
   * the bound. None without a bound (adaptive optimizers, no positive curvature).
   */
  suggested() {
    const s = this.stability;
    if (!s || s.lr_bound === null) return null;
    const rate = s.lr_optimal !== null && s.lr_optimal < s.lr_bound ? s.lr_optimal : 0.5 * s.lr_bound;
    return Number(rate.toPrecision(3));
  }

  /** Fetch the curvature at the start for the form's optimizer and settings. */
  async refresh(spec) {
    const body = this.app.body({
      start: spec.start, steps: 0, optimizer: spec.optimizer, lr: spec.lr, ...spec.settings,
    });
    try {
      const run = await this.app.slots.run("stability", (signal) => api.descent(body, signal));
      if (!run) return;
      this.stability = run.stability;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.stability = null;
    }
    this.render(this.app.state.lr); // the rate now, not when the request left
  }

  /** The numbers in words, and how the current rate compares with the bound. */
  render(lr) {
    bindRender($("stability"), () => this.draw(lr));
  }

  draw(lr) {
    const s = this.stability;
    const text = $("stability-text");
    const button = $("use-suggested");
    text.classList.remove("warn");
    if (!s || s.eigenvalues === null) {
      text.textContent = t("stab.undefined");
      button.disabled = true;
      return;
    }
    const ev = s.eigenvalues;
    const curvature = ev.length === 1 ? `f″ = ${fmt(ev[0], 4)}`
      : `λmin = ${fmt(ev[0], 4)}, λmax = ${fmt(ev[ev.length - 1], 4)}`;
    let bound;
    if (s.lr_bound !== null) {
      bound = t("stab.bound", { bound: fmt(s.lr_bound, 4), formula: s.bound_formula });
      if (s.lr_optimal !== null) bound += t("stab.optimal", { lr: fmt(s.lr_optimal, 4) });
    } else if (ev[ev.length - 1] <= 0) {
      bound = t("stab.no_curvature");
    } else {
      bound = t("stab.adaptive");
    }
    let said = t("stab.said", { curvature, bound });
    if (s.lr_bound !== null && lr > s.lr_bound) {
      said += t("stab.above", { lr: fmt(lr, 4) });
      text.classList.add("warn");
    }
    text.textContent = said;
    const rate = this.suggested();
    button.disabled = rate === null;
    button.textContent = rate === null ? t("stab.use") : t("stab.use_rate", { lr: fmt(rate, 3) });
  }
}
