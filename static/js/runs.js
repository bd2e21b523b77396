// The descent runs kept on screen for comparison: fetching them, their colours and labels,
// the runs table and the status line. The status line is built from the answer's
// structured fields (status, message, final value) -- it never parses the message.
import { api } from "./api.js";
import { optimizerRow } from "./tables.js";
import { fmt, fmtPoint, runStyle } from "./theme.js";
import { $, capitalize } from "./util.js";

/** Runs kept on screen; the oldest goes when one more is added. */
export const MAX_RUNS = 8;

/** A short name for a run's optimizer in labels and the table. */
const shortName = (optimizer) => optimizerRow(optimizer)?.short ?? optimizer;

export class Runs {
  constructor(app) {
    this.app = app;
    this.list = []; // results on screen, each {key, n, spec, color, label, path, values, ...}
    this.counter = 0;
  }

  get specs() {
    return this.list.map((run) => run.spec);
  }

  last() {
    return this.list.length ? this.list[this.list.length - 1] : null;
  }

  find(key) {
    return this.list.find((run) => run.key === key) ?? null;
  }

  /** The POST /descent body of a run's spec. */
  bodyOf(spec) {
    return this.app.body({
      start: spec.start, lr: spec.lr, steps: spec.steps, optimizer: spec.optimizer, method: spec.method,
      ...spec.settings,
    });
  }

  /** POST /descent for `spec`, numbered and coloured as the next run. */
  async fetch(spec, signal) {
    const body = this.bodyOf(spec);
    this.counter += 1;
    const n = this.counter; // numbered when asked for, so a link's runs keep their order
    const res = await api.descent(body, signal);
    const name = shortName(spec.optimizer);
    return {
      ...res,
      request: body, // what was asked and answered, as they were (the "JSON" download)
      answer: res,
      key: `run${n}`,
      n,
      spec,
      ...runStyle(n), // color, dash, symbol
      short: name,
      label: `#${n} ${name}, lr ${fmt(spec.lr, 3)}`,
    };
  }

  /**
   * Run `run` again with `spec` (a dragged rate or start): same number and colour. The
   * answer is not shown until replace() puts it in the run's place.
   */
  async refetch(run, spec, signal) {
    const body = this.bodyOf(spec);
    const res = await api.descent(body, signal);
    return {
      ...res, request: body, answer: res, key: run.key, n: run.n, spec, ...runStyle(run.n),
      short: run.short, label: `#${run.n} ${run.short}, lr ${fmt(spec.lr, 3)}`,
    };
  }

  /** Put `again` in the place of `run`; false (and nothing changes) if `run` is gone. */
  replace(run, again) {
    const k = this.list.indexOf(run);
    if (k < 0) return false;
    this.list[k] = again;
    return true;
  }

  /** Add a run; returns the run that had to go to keep MAX_RUNS, or null. */
  add(run) {
    this.list.push(run);
    return this.list.length > MAX_RUNS ? this.list.shift() : null;
  }

  clear() {
    this.list = [];
  }

  /** Replace the runs by fresh ones for `specs` (all fetched together). */
  async restore(specs, signal) {
    this.list = [];
    this.counter = 0;
    if (specs.length) this.list = await Promise.all(specs.map((s) => this.fetch(s, signal)));
  }

  /** The status line for `run`: its label, its outcome in the server's words, where it ended. */
  describe(run) {
    const final = run.status === "diverged" || run.final_value === null
      ? "" : ` Final f = ${fmt(run.final_value)} at ${fmtPoint(run.final)}.`;
    return `${run.label} — ${capitalize(run.message)}.${final}`;
  }

  /**
   * What the polite live region says once a run has finished, in one sentence:
   * "Run #2 Momentum, lr 0.0005: completed, final f = 0.005636." A diverged run says
   * the server's message instead ("diverged at step 17: …; try lr < 1").
   */
  announcement(run) {
    if (run.status === "diverged" || run.final_value === null) return `Run ${run.label}: ${run.message}.`;
    return `Run ${run.label}: ${run.status}, final f = ${fmt(run.final_value)}.`;
  }

  renderTable() {
    const table = $("runs-table");
    const rows = $("runs-rows");
    rows.replaceChildren();
    table.hidden = this.list.length === 0;
    for (const id of ["runs-csv", "runs-json"]) $(id).disabled = this.list.length === 0;
    for (const run of this.list) {
      const tr = document.createElement("tr");
      const swatch = document.createElement("td");
      const dot = document.createElement("span");
      dot.className = "swatch";
      dot.style.background = run.color;
      swatch.append(dot, ` #${run.n} ${run.short}`);
      swatch.title = `${optimizerRow(run.spec.optimizer)?.label ?? run.spec.optimizer}, method ${run.spec.method}`;
      tr.appendChild(swatch);
      const cells = [
        [fmt(run.spec.lr, 3), "mono"],
        [run.status, `st st-${run.status}`],
        [run.final_value === null ? "—" : fmt(run.final_value, 4), "mono"],
      ];
      for (const [text, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        td.title = run.message;
        td.className = cls;
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
  }
}
