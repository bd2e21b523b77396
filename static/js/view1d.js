// 1-D view controller: x0 controls, tangent and secants, the derivative by the chosen
// method against the exact one, and the error-versus-h sweep.
import { ApiError, api } from "./api.js";
import { DerivativeCheck } from "./derivcheck.js";
import { PointExports } from "./export.js";
import { bindRender, bindText, onLanguageChange, serverText, t, tableText } from "./i18n.js";
import { Plot1D } from "./plot1d.js";
import { renderSteps } from "./plotsteps.js";
import { methodFor } from "./state.js";
import { onPlotZoom } from "./plotclick.js";
import { RangeControl } from "./ranges.js";
import { keySteps } from "./sliderkeys.js";
import { methodRow, tables } from "./tables.js";
import { fmt, fmtFull, tidy } from "./theme.js";
import { $, debounce } from "./util.js";

/** Secant steps: the three the issue names, then smaller ones where rounding takes over. */
export const SECANTS = [1, 0.5, 0.1, 0.01, 0.001, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12];
/** The steps of the error-versus-h plot. */
export const STEP_SWEEP = { h_min: 1e-16, h_max: 0.5, n: 61 };

export class View1D {
  /** @param {object} app shared page context (state, slots, history, hooks) */
  constructor(app) {
    this.app = app;
    this.field = null;
    this.tangent = null;
    this.plot = new Plot1D($("plot-1d"), (x, span) => {
      this.setX0(tidy(x, span), true);
    });
    this.slider = $("x0-slider");
    this.input = $("x0");
    this.hInput = $("h1d");
    const refreshSoon = debounce(() => this.refreshPoint(), 60);
    this.slider.addEventListener("input", () => {
      this.setX0(Number(this.slider.value), false, false);
      refreshSoon();
    });
    this.slider.addEventListener("change", () => this.app.history.commit(this.app.state));
    keySteps(this.slider); // arrows 1/100 of the x range, page keys 1/10
    this.input.addEventListener("change", () => {
      const v = Number(this.input.value);
      if (this.input.value !== "" && Number.isFinite(v)) this.setX0(v, true);
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.input.dispatchEvent(new Event("change"));
    });
    this.hInput.addEventListener("change", () => {
      const h = Number(this.hInput.value);
      this.app.state.h = this.hInput.value !== "" && Number.isFinite(h) && h > 0 ? h : null;
      this.app.history.replace(this.app.state);
      this.refreshDerivative();
    });
    this.range = new RangeControl("xr-1d", (xr) => this.app.setRange(xr, null));
    // zoom and pan sample the curve again over what is shown
    const zoomed = debounce((ranges) => (ranges ? (ranges.x && this.app.setRange(ranges.x, null))
      : this.app.setRange(null, null)), 250);
    onPlotZoom($("plot-1d"), zoomed);
    this.check = new DerivativeCheck(app, $("check-1d"), () => ({
      point: [this.app.state.x0], box: [this.app.state.xr],
    }), (claims) => this.drawClaim(claims ? claims[0] : null));
    this.exports = new PointExports(this, { secants: SECANTS, sweep: STEP_SWEEP });
    // the plots' names and axes in the new language
    onLanguageChange(() => {
      if (this.field) this.plot.render(this.field, this.tangent, this.app.state.x0, this.revision);
    });
  }

  /** Draw the learner's derivative over f′ (POST /field of their expression), or remove it. */
  async drawClaim(text) {
    if (text === null) {
      this.plot.claim = null;
    } else {
      try {
        const field = await this.app.slots.run("claim-curve", (signal) => api.field({
          expr: text, variables: this.app.variables, x_range: this.app.state.xr, n: this.field.x.length,
        }, signal));
        if (!field) return;
        this.plot.claim = { x: field.x, y: field.z, text };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        this.plot.claim = null;
      }
    }
    if (this.field) this.plot.render(this.field, this.tangent, this.app.state.x0, this.revision);
  }

  /** Move x0; `commit` adds a history entry, `refresh` fetches the new tangent now. */
  setX0(x, commit, refresh = true) {
    this.app.state.x0 = x;
    this.syncControls();
    if (commit) this.app.history.commit(this.app.state);
    else this.app.history.replace(this.app.state);
    if (refresh) this.refreshPoint();
  }

  syncControls() {
    const x0 = this.app.state.x0;
    this.input.value = String(x0);
    this.slider.value = String(x0);
  }

  /** A new function (or range): draw f and f' and everything at x0. */
  async update(field, xRange, revision) {
    this.check.setVariables(field.variables.length ? field.variables : ["x"]);
    this.range.show(xRange);
    const { h } = this.app.state;
    if (h !== null && Number(this.hInput.value) !== h) this.hInput.value = String(h);
    if (h === null) this.hInput.value = "";
    this.field = field;
    this.revision = revision;
    const name = field.variables[0] ?? "x";
    $("x0-var").textContent = name === "x" ? "" : `(${name})`;
    const span = xRange[1] - xRange[0];
    this.slider.min = String(xRange[0]);
    this.slider.max = String(xRange[1]);
    this.slider.step = String(10 ** Math.floor(Math.log10(span / 1000)));
    this.syncControls();
    this.plot.render(field, this.tangent && this.tangent.expr === field.expr ? this.tangent : null, this.app.state.x0, revision);
    await this.refreshPoint();
  }

  /** Everything that depends on x0. */
  async refreshPoint() {
    await Promise.all([this.refreshTangent(), this.refreshDerivative(), this.refreshSweep()]);
    this.app.onPointChanged([this.app.state.x0]);
  }

  async refreshTangent() {
    const { state, slots } = this.app;
    const expr = this.app.goodExpr;
    try {
      const tangent = await slots.run("tangent", (signal) => api.tangent(this.app.body({ point: state.x0, secants: SECANTS }), signal));
      if (!tangent) return;
      tangent.expr = expr;
      this.tangent = tangent;
      bindText($("fx0"), () => fmt(tangent.value, 8));
      // At a corner or where f is undefined there is no tangent: say why instead of drawing one.
      bindText($("tangent-eq"), () => (tangent.differentiable ? tangent.equation
        : serverText(tangent.message, () => noTangent(tangent))));
      bindRender($("secant-rows"), () => this.renderSecants(tangent));
      if (this.field) this.plot.render(this.field, tangent, state.x0, this.revision);
    } catch (err) {
      this.app.reportError(err, $("tangent-eq"));
    }
  }

  renderSecants(tangent) {
    const rows = $("secant-rows");
    rows.replaceChildren();
    for (const s of tangent.secants ?? []) {
      const tr = document.createElement("tr");
      const gap = s.slope !== null && tangent.slope !== null ? s.slope - tangent.slope : null;
      for (const text of [fmt(s.h), fmt(s.slope, 10), gap === null ? "—" : fmt(gap, 3)]) {
        const td = document.createElement("td");
        td.className = "mono";
        td.textContent = text;
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
    const tr = document.createElement("tr");
    tr.className = "limit";
    for (const text of ["→ 0", fmt(tangent.slope, 10), "f′(x₀)"]) {
      const td = document.createElement("td");
      td.className = "mono";
      td.textContent = text;
      tr.appendChild(td);
    }
    rows.appendChild(tr);
  }

  async refreshDerivative() {
    const { state, slots } = this.app;
    const method = methodFor(state, "1d");
    const body = this.app.body({ point: state.x0, method });
    const h = Number(this.hInput.value);
    if (this.hInput.value !== "" && Number.isFinite(h) && h > 0) body.h = h;
    bindText($("d-method-name"), () => tableText("methods", methodRow(method), "label") || method);
    try {
      const res = await slots.run("gradient1d", (signal) => api.gradient(body, signal));
      if (!res) return;
      const exact = res.exact ? res.exact[0] : res.gradient[0];
      bindText($("d-exact"), () => fmtFull(exact));
      bindText($("d-num"), () => fmtFull(res.gradient[0]));
      bindText($("d-err"), () => (res.error ? fmt(res.error[0], 3) : t("v1.exact_method")));
      bindText($("d-h"), () => (res.h ? fmt(res.h[0], 3) : t("v1.no_step")));
    } catch (err) {
      bindText($("d-num"), () => "—");
      this.app.reportError(err, $("d-err"));
    }
  }

  async refreshSweep() {
    const { state, slots } = this.app;
    const note = $("steps-note");
    // Every numerical method of the API's table, each as one curve of the error-versus-h V.
    const methods = tables.methods.filter((m) => m.numerical).map((m) => m.name);
    const body = this.app.body({ point: state.x0, methods, ...STEP_SWEEP });
    let refusal = "";
    let refused = [];
    try {
      let sweep = await slots.run("steps", async (signal) => {
        try {
          return await api.steps(body, signal);
        } catch (err) {
          if (!(err instanceof ApiError) || err.code !== "not_analytic") throw err;
          // A method that needs a complex-analytic function was refused (f has a kink):
          // drop those curves and say why.
          refusal = err.reason;
          const usable = methods.filter((m) => !methodRow(m).needs_analytic);
          refused = methods.filter((m) => !usable.includes(m)).map(methodRow);
          return api.steps({ ...body, methods: usable }, signal);
        }
      });
      if (!sweep) return;
      bindRender($("plot-steps"), () => renderSteps($("plot-steps"), sweep));
      if (sweep.exact.some((g) => g === null)) {
        const x0 = state.x0;
        bindText(note, () => t("steps.undefined", { x0: fmt(x0) }));
        note.classList.add("warn");
        return;
      }
      const zeros = Object.values(sweep.errors).some((errors) => errors.includes(0));
      bindText(note, () => (refusal
        ? t("steps.refused", {
          methods: refused.map((row) => tableText("methods", row, "label")).join(", "),
          reason: serverText(refusal, () => t("steps.not_analytic")),
        })
        : t("steps.note"))
        + (zeros ? t("steps.zeros") : ""));
      note.classList.toggle("warn", Boolean(refusal));
    } catch (err) {
      bindText(note, () => err.message);
      note.classList.add("warn");
    }
  }
}

/** Why there is no tangent at x₀, from the answer's numbers (the page's own words). */
function noTangent(tangent) {
  const { left_slope: left, right_slope: right } = tangent;
  if (tangent.value === null) return t("tangent.undefined");
  if (left !== null && left !== undefined && right !== null && right !== undefined) {
    return t("tangent.corner", { left: fmt(left), right: fmt(right) });
  }
  return t("tangent.none");
}
