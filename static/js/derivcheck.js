// "Check your derivative": the learner types the derivative they worked out (one input per
// variable), POST /gradcheck compares it with central differences at the point of interest
// and at random points of the plotted box, and the verdict is shown per coordinate, in
// words and colour, with the three numbers (yours, numerical, exact).
import { ApiError, api } from "./api.js";
import { fmt } from "./theme.js";
import { capitalize } from "./util.js";

/** Random points checked besides the point of interest. */
const RANDOM_POINTS = 20;

export class DerivativeCheck {
  /**
   * @param {object} app shared page context
   * @param {HTMLFormElement} form the card: a [data-claims] box, a submit button, a [data-result] box
   * @param {() => {point: number[], box: number[][]}} where the point to check and the box of random points
   * @param {(claims: string[]|null) => void} [onClaims] called with the checked texts (null when cleared)
   */
  constructor(app, form, where, onClaims = () => {}) {
    this.app = app;
    this.form = form;
    this.where = where;
    this.onClaims = onClaims;
    this.names = [];
    this.claimsBox = form.querySelector("[data-claims]");
    this.result = form.querySelector("[data-result]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.check();
    });
  }

  /** One input per variable of the current function (kept when the variables are the same). */
  setVariables(names) {
    if (names.join(",") === this.names.join(",")) return;
    this.names = [...names];
    this.claimsBox.replaceChildren(...names.map((name, i) => {
      const field = document.createElement("div");
      field.className = "field";
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.id = `${this.form.id}-claim-${i}`;
      input.type = "text";
      input.className = "mono";
      input.spellcheck = false;
      input.autocomplete = "off";
      input.placeholder = names.length === 1 ? `e.g. 6*${name} - 4` : `∂f/∂${name}`;
      label.htmlFor = input.id;
      label.textContent = names.length === 1 ? "Your derivative" : `Your derivative ∂f/∂${name}`;
      field.append(label, input);
      return field;
    }));
    this.clear();
  }

  get inputs() {
    return [...this.claimsBox.querySelectorAll("input")];
  }

  clear() {
    this.result.replaceChildren();
    for (const input of this.inputs) input.removeAttribute("aria-invalid");
    this.onClaims(null);
  }

  async check() {
    const claimed = this.inputs.map((input) => input.value.trim());
    for (const input of this.inputs) input.removeAttribute("aria-invalid");
    const empty = claimed.findIndex((text) => text === "");
    if (empty >= 0) {
      this.say(`Type your derivative ${this.names.length > 1 ? `∂f/∂${this.names[empty]} ` : ""}first.`, "warn");
      this.inputs[empty].focus();
      return;
    }
    const { point, box } = this.where();
    const body = this.app.body({ claimed, point, random_points: RANDOM_POINTS, box });
    this.say("Checking…", "");
    const expr = this.app.goodExpr; // an answer for an earlier function is not shown
    let answer;
    try {
      answer = await this.app.slots.run(`check-${this.form.id}`, (signal) => api.gradcheck(body, signal));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (this.app.goodExpr !== expr) return;
      // A claim that does not parse: mark that input, with the message about its text.
      const [, where, index] = err.loc;
      if (where === "claimed" && Number.isInteger(index)) this.inputs[index].setAttribute("aria-invalid", "true");
      this.say(where === "claimed" && Number.isInteger(index)
        ? `Your ${this.names.length > 1 ? `∂f/∂${this.names[index]}` : "derivative"}: ${err.message}`
        : err.reason, "fail");
      return;
    }
    if (!answer || this.app.goodExpr !== expr) return;
    this.render(answer);
    this.onClaims(claimed);
  }

  say(text, kind) {
    const p = document.createElement("p");
    p.className = `check-message ${kind ? `verdict-${kind}` : ""}`;
    p.textContent = text;
    this.result.replaceChildren(p);
  }

  /** The verdict per coordinate at the point of interest, and the overall one. */
  render(answer) {
    const at = answer.checks[0];
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    const titles = [["", ""], ["yours", "your derivative"],
      [answer.method, `numerical derivative: ${answer.method} differences, h = ${answer.h}`],
      ["exact", "exact derivative (autodiff)"]];
    for (const [title, hint] of titles) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      th.title = hint;
      head.appendChild(th);
    }
    const body = table.createTBody();
    answer.variables.forEach((name, i) => {
      const row = body.insertRow();
      const first = row.insertCell();
      const chip = document.createElement("span");
      chip.className = `verdict verdict-${at.verdicts[i]}`;
      chip.textContent = at.verdicts[i];
      chip.title = `relative error ${fmt(at.rel_error[i], 2)}`;
      first.append(`∂f/∂${name} `, chip);
      for (const value of [at.checked[i], at.numerical[i], at.exact[i]]) row.insertCell().textContent = fmt(value);
    });
    const summary = document.createElement("p");
    summary.className = `check-message verdict-${answer.verdict}`;
    const others = answer.checks.length - 1;
    summary.textContent = `${capitalize(answer.message)}.`
      + (answer.verdict === "pass" ? "" : ` (Checked at the point above and ${others} random points.)`);
    const parts = [table, summary];
    if (at.kinks.some(Boolean)) {
      const kink = document.createElement("p");
      kink.className = "check-message verdict-warn";
      kink.textContent = "The stencil x ± h crosses a corner of abs, relu, min or max here: f has no derivative "
        + "at the corner, so the numerical value mixes both sides.";
      parts.push(kink);
    }
    this.result.replaceChildren(...parts);
  }
}
