// The descent runs kept on screen for comparison: fetching them, their colours and labels,
// the runs table and the status line. The status line is built from the answer's
// structured fields (status, message, final value) -- it never parses the message.
import { api } from "./api.js";
import { bindRender, serverText, t, tableText } from "./i18n.js";
import { methodRow, optimizerRow } from "./tables.js";
import { fmt, fmtPoint, runStyle } from "./theme.js";
import { $, capitalize } from "./util.js";

/** Runs kept on screen; the oldest goes when one more is added. */
export const MAX_RUNS = 8;

/** A short name for a run's optimizer in labels and the table. */
const shortName = (optimizer) => tableText("optimizers", optimizerRow(optimizer), "short") || optimizer;

/**
 * A POST /descent answer as a run on screen: numbered, coloured, and named in the page's
 * language whenever its `short` name or `label` ("#2 Adam, lr 0.05") is read.
 */
function named(res, fields) {
  return Object.defineProperties({ ...res, ...fields }, {
    short: { get() { return shortName(this.spec.optimizer); }, enumerable: true },
    label: { get() { return t("runs.label", { n: this.n, name: this.short, lr: fmt(this.spec.lr, 3) }); }, enumerable: true },
  });
}

/**
 * How a run ended, in the page's words, from the answer's fields (reason, stop_step,
 * stalled_at, the stability bound): what the server's English `message` says.
 */
export function outcomeWords(run) {
  const where = run.stop_step ? t("outcome.at_step", { step: run.stop_step }) : t("outcome.at_start");
  const norm = run.grad_norms.length ? fmt(run.grad_norms[run.grad_norms.length - 1], 3) : fmt(null);
  let words = t(`outcome.${run.reason}`, { where, steps: run.steps, norm });
  if (run.stalled_at !== null && run.stalled_at !== undefined) {
    words += t("outcome.stalled", { step: run.stalled_at });
  }
  const bound = run.stability?.lr_bound;
  if (run.status === "diverged" && bound !== null && bound !== undefined && run.spec.lr > bound) {
    words += t("outcome.above_bound", {
      lr: fmt(run.spec.lr, 3), formula: run.stability.bound_formula, bound: fmt(bound, 3),
    });
  }
  return words;
}

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

  /**
   * POST /descent for `spec`, numbered and coloured as run `n` -- by default the next one,
   * numbered once it is answered, so that a refused or cancelled run leaves no gap.
   */
  async fetch(spec, signal, n = null) {
    const body = this.bodyOf(spec);
    const res = await api.descent(body, signal);
    if (n === null) {
      this.counter += 1;
      n = this.counter;
    }
    // request and answer: what was asked and answered, as they were (the "JSON" download)
    return named(res, {
      request: body, answer: res, key: `run${n}`, n, spec, ...runStyle(n), // color, dash, symbol
    });
  }

  /**
   * Run `run` again with `spec` (a dragged rate or start): same number and colour. The
   * answer is not shown until replace() puts it in the run's place.
   */
  async refetch(run, spec, signal) {
    const body = this.bodyOf(spec);
    const res = await api.descent(body, signal);
    return named(res, {
      request: body, answer: res, key: run.key, n: run.n, spec, ...runStyle(run.n),
    });
  }

  /** A run fetched but not shown (its function has gone): the next one takes its number. */
  drop(run) {
    if (run.n === this.counter) this.counter -= 1;
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
    this.counter = specs.length; // numbered in the link's order, whichever answers first
    if (specs.length) this.list = await Promise.all(specs.map((s, i) => this.fetch(s, signal, i + 1)));
  }

  /** The status line for `run`: its label, its outcome in the server's words, where it ended. */
  describe(run) {
    const final = run.status === "diverged" || run.final_value === null
      ? "" : t("runs.final_at", { value: fmt(run.final_value), point: fmtPoint(run.final) });
    const outcome = serverText(capitalize(run.message), () => outcomeWords(run));
    return t("runs.describe", { run: run.label, outcome, final });
  }

  /**
   * What the polite live region says once a run has finished, in one sentence:
   * "Run #2 Momentum, lr 0.0005: completed, final f = 0.005636." A diverged run says
   * the server's message instead ("diverged at step 17: …; try lr < 1").
   */
  announcement(run) {
    if (run.status === "diverged" || run.final_value === null) {
      return t("runs.announce_stopped", {
        run: run.label, message: serverText(run.message, () => outcomeWords(run)),
      });
    }
    return t("runs.announce", {
      run: run.label, status: t(`status.${run.status}`), value: fmt(run.final_value),
    });
  }

  renderTable() {
    bindRender($("runs-rows"), () => this.drawTable());
  }

  drawTable() {
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
      swatch.append(dot, t("runs.swatch", { n: run.n, name: run.short }));
      swatch.title = t("runs.swatch_title", {
        optimizer: tableText("optimizers", optimizerRow(run.spec.optimizer), "label") || run.spec.optimizer,
        method: tableText("methods", methodRow(run.spec.method), "label") || run.spec.method,
      });
      tr.appendChild(swatch);
      const cells = [
        [fmt(run.spec.lr, 3), "mono"],
        [t(`status.${run.status}`), `st st-${run.status}`],
        [run.final_value === null ? "—" : fmt(run.final_value, 4), "mono"],
      ];
      for (const [text, cls] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        td.title = serverText(run.message, () => outcomeWords(run));
        td.className = cls;
        tr.appendChild(td);
      }
      rows.appendChild(tr);
    }
  }
}
