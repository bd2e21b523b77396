// "Check gradients": backpropagation against the numerical gradient of the untrained
// network (POST /network/gradcheck), one table row per tensor, and the two costs side by
// side -- the textbook's point that numerical gradients are right but far too slow.
import { ApiError, api } from "./api.js";
import { bindRender, bindText, serverText, t, unbind } from "./i18n.js";
import { netField } from "./networktables.js";
import { boundInput, clampField } from "./tables.js";
import { fmt } from "./theme.js";
import { $ } from "./util.js";

const seconds = (s) => (s >= 1 ? `${fmt(s, 3)} s` : s >= 1e-3 ? `${fmt(s * 1e3, 3)} ms` : `${fmt(s * 1e6, 3)} µs`);

function cell(text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function row(...cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

export class NetworkCheck {
  /**
   * @param {object} app shared page context
   * @param {() => object} network the network fields of a request (dataset ... seed)
   */
  constructor(app, network) {
    this.app = app;
    this.network = network;
    boundInput($("net-check-batch"), netField("batch"));
    $("net-check").addEventListener("click", () => this.run());
  }

  body() {
    const batch = clampField(netField("batch"), Number($("net-check-batch").value) || 3);
    const h = Number($("net-check-h").value);
    $("net-check-batch").value = String(batch);
    const body = { ...this.network(), batch };
    if (Number.isFinite(h) && h > 0) body.h = h; // else the API's own default step
    return body;
  }

  async run() {
    const status = $("net-check-status");
    const button = $("net-check");
    button.disabled = true;
    status.className = "status busy";
    bindText(status, () => t("netcheck.computing"));
    try {
      const check = await this.app.slots.run("network-check", (signal) => api.networkGradcheck(this.body(), signal));
      if (check) this.show(check);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status.className = "status error";
      bindText(status, () => err.message);
    } finally {
      button.disabled = false;
    }
  }

  show(check) {
    bindRender($("net-check-result"), () => this.draw(check));
  }

  draw(check) {
    $("net-check-rows").replaceChildren(...check.tensors.map((tensor) => row(
      cell(tensor.name, "mono"),
      cell(tensor.shape.join(" × "), "mono"),
      cell(fmt(tensor.max_abs_diff, 3), "mono"),
      cell(fmt(tensor.rel_error, 3), "mono"),
      cell(t(`verdict.${tensor.verdict}`), `verdict ${tensor.verdict}`),
    )));
    const ratio = check.numerical_seconds / Math.max(check.backprop_seconds, 1e-9);
    $("net-cost-rows").replaceChildren(
      row(cell(t("netcheck.backprop")), cell(t("netcheck.backprop_passes"), "mono"),
        cell(seconds(check.backprop_seconds), "mono")),
      row(cell(t("netcheck.numerical")),
        cell(t("netcheck.numerical_evaluations", { n: check.evaluations.toLocaleString("en") }), "mono"),
        cell(t("netcheck.slower", { time: seconds(check.numerical_seconds), ratio: Math.round(ratio).toLocaleString("en") }), "mono")),
    );
    $("net-check-result").hidden = false;
    const status = $("net-check-status");
    status.className = `status ${check.verdict === "pass" ? "converged" : "diverged"}`;
    unbind(status);
    status.textContent = t("netcheck.summary", {
      verdict: t(`netcheck.verdict_${check.verdict}`),
      message: serverText(check.message, () => checkWords(check)),
      parameters: check.parameters.toLocaleString("en"), batch: check.batch, h: check.h,
    });
    $("net-check-card").dataset.verdict = check.verdict;
  }
}

/** What the server's message says about the check, in the page's words, from its numbers. */
function checkWords(check) {
  const largest = check.tensors.reduce((a, b) => (b.rel_error > a.rel_error ? b : a));
  if (check.verdict === "pass") {
    return t("netcheck.all_pass", { error: fmt(largest.rel_error, 2), name: largest.name });
  }
  return t(check.verdict === "fail" ? "netcheck.off" : "netcheck.rough", {
    name: largest.name, error: fmt(largest.rel_error, 2), diff: fmt(largest.max_abs_diff, 2),
  });
}
