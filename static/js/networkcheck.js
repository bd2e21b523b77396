// "Check gradients": backpropagation against the numerical gradient of the untrained
// network (POST /network/gradcheck), one table row per tensor, and the two costs side by
// side -- the textbook's point that numerical gradients are right but far too slow.
import { ApiError, api } from "./api.js";
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
    $("net-check").addEventListener("click", () => this.run());
  }

  body() {
    const batch = Math.max(1, Math.min(100, Math.round(Number($("net-check-batch").value) || 3)));
    const h = Number($("net-check-h").value);
    $("net-check-batch").value = String(batch);
    return { ...this.network(), batch, h: h > 0 ? h : 1e-4 };
  }

  async run() {
    const status = $("net-check-status");
    const button = $("net-check");
    button.disabled = true;
    status.className = "status busy";
    status.textContent = "Computing the numerical gradient, one parameter at a time…";
    try {
      const check = await this.app.slots.run("network-check", (signal) => api.networkGradcheck(this.body(), signal));
      if (check) this.show(check);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status.className = "status error";
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  show(check) {
    $("net-check-rows").replaceChildren(...check.tensors.map((t) => row(
      cell(t.name, "mono"),
      cell(t.shape.join(" × "), "mono"),
      cell(fmt(t.max_abs_diff, 3), "mono"),
      cell(fmt(t.rel_error, 3), "mono"),
      cell(t.verdict, `verdict ${t.verdict}`),
    )));
    const ratio = check.numerical_seconds / Math.max(check.backprop_seconds, 1e-9);
    $("net-cost-rows").replaceChildren(
      row(cell("backpropagation"), cell("1 forward + 1 backward pass", "mono"),
        cell(seconds(check.backprop_seconds), "mono")),
      row(cell("numerical gradient"),
        cell(`${check.evaluations.toLocaleString("en")} loss evaluations`, "mono"),
        cell(`${seconds(check.numerical_seconds)} (${Math.round(ratio).toLocaleString("en")}× slower)`, "mono")),
    );
    $("net-check-result").hidden = false;
    const status = $("net-check-status");
    status.className = `status ${check.verdict === "pass" ? "converged" : "diverged"}`;
    status.textContent = `${check.verdict === "pass" ? "Pass" : check.verdict === "warn" ? "Warn" : "Fail"}: ` +
      `${check.message}. ${check.parameters.toLocaleString("en")} parameters, a batch of ${check.batch}, h = ${check.h}.`;
    $("net-check-card").dataset.verdict = check.verdict;
  }
}
