// "Check your derivative": the learner types the derivative they worked out (one input per
// variable), POST /gradcheck compares it with central differences at the point of interest
// and at random points of the plotted box, and the verdict is shown per coordinate, in
// words and colour, with the three numbers (yours, numerical, exact).
import { ApiError, api } from "./api.js";
import {
  DEFAULT_LANGUAGE, bindRender, bindText, language, serverText, t, tableText, unbind,
} from "./i18n.js";
import { methodRow } from "./tables.js";
import { fmt, fmtPoint } from "./theme.js";
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
      label.htmlFor = input.id;
      bindRender(label, () => {
        input.placeholder = names.length === 1 ? t("check.placeholder", { name }) : `∂f/∂${name}`;
        label.textContent = names.length === 1 ? t("check.yours") : t("check.yours_partial", { name });
      });
      field.append(label, input);
      return field;
    }));
    this.clear();
  }

  get inputs() {
    return [...this.claimsBox.querySelectorAll("input")];
  }

  clear() {
    unbind(this.result);
    this.result.replaceChildren();
    for (const input of this.inputs) input.removeAttribute("aria-invalid");
    this.onClaims(null);
  }

  async check() {
    const claimed = this.inputs.map((input) => input.value.trim());
    for (const input of this.inputs) input.removeAttribute("aria-invalid");
    const empty = claimed.findIndex((text) => text === "");
    if (empty >= 0) {
      const name = this.names[empty];
      this.say(() => (this.names.length > 1 ? t("check.type_partial", { name }) : t("check.type")), "warn");
      this.inputs[empty].focus();
      return;
    }
    const { point, box } = this.where();
    const body = this.app.body({ claimed, point, random_points: RANDOM_POINTS, box });
    this.say(() => t("check.checking"), "");
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
      const names = this.names;
      this.say(() => (where === "claimed" && Number.isInteger(index)
        ? (names.length > 1 ? t("check.bad_partial", { name: names[index], message: err.message })
          : t("check.bad", { message: err.message }))
        : err.reason), "fail");
      return;
    }
    if (!answer || this.app.goodExpr !== expr) return;
    this.render(answer);
    this.onClaims(claimed);
  }

  /** One message in the result box; `text` gives it in the page's language. */
  say(text, kind) {
    const p = document.createElement("p");
    p.className = `check-message ${kind ? `verdict-${kind}` : ""}`;
    bindText(p, text);
    unbind(this.result);
    this.result.replaceChildren(p);
  }

  /** The verdict per coordinate at the point of interest, and the overall one. */
  render(answer) {
    bindRender(this.result, () => this.draw(answer));
  }

  draw(answer) {
    const at = answer.checks[0];
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    // the method's own name in English (as the API says it), its label in another language
    const method = language() === DEFAULT_LANGUAGE ? answer.method
      : tableText("methods", methodRow(answer.method), "label");
    const titles = [["", ""], [t("check.col_yours"), t("check.col_yours_title")],
      [method, t("check.col_numerical_title", { method, h: answer.h })],
      [t("check.col_exact"), t("check.col_exact_title")]];
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
      chip.textContent = t(`verdict.${at.verdicts[i]}`);
      chip.title = t("check.rel_error", { error: fmt(at.rel_error[i], 2) });
      first.append(`∂f/∂${name} `, chip);
      for (const value of [at.checked[i], at.numerical[i], at.exact[i]]) row.insertCell().textContent = fmt(value);
    });
    const summary = document.createElement("p");
    summary.className = `check-message verdict-${answer.verdict}`;
    const others = answer.checks.length - 1;
    summary.textContent = t("check.summary", { message: serverText(capitalize(answer.message), () => checkWords(answer)) })
      + (answer.verdict === "pass" ? "" : t("check.others", { n: others }));
    const parts = [table, summary];
    if (at.kinks.some(Boolean)) {
      const kink = document.createElement("p");
      kink.className = "check-message verdict-warn";
      kink.textContent = t("check.kink");
      parts.push(kink);
    }
    this.result.replaceChildren(...parts);
  }
}

/** What the server's message says about a check, in the page's words, from its numbers. */
function checkWords(answer) {
  const names = answer.variables;
  const n = answer.checks.length;
  if (answer.verdict === "pass") {
    const largest = Math.max(0, ...answer.checks.flatMap((c) => c.rel_error.filter((e) => e !== null)));
    return t("check.all_pass", { n, error: fmt(largest, 2) });
  }
  for (const c of answer.checks) {
    const i = c.verdicts.indexOf(answer.verdict);
    if (i < 0) continue;
    const point = names.length === 1 ? `${names[0]} = ${fmt(c.point[0])}` : fmtPoint(c.point, 6);
    return t(answer.verdict === "fail" ? "check.off" : "check.rough", {
      name: names[i], point, claimed: fmt(c.checked[i]), numerical: fmt(c.numerical[i]),
      error: fmt(c.rel_error[i], 2),
    }) + (c.kinks[i] ? t("check.off_kink", { name: names[i] }) : "");
  }
  return "";
}
