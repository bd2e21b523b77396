// The text alternative of a figure: a "Data" button (aria-expanded, aria-controls) that
// shows the plotted numbers as tables. What a table holds is built by plotdata.js from
// the very arrays the figure draws; this module only turns such a description into a
// table, and builds it when it is open (a closed one costs nothing as the plot redraws).
import { bindText, onLanguageChange, t } from "./i18n.js";
import { fmt } from "./theme.js";

/** Whether a cell holds a number (or nothing). */
const isNumberCell = (cell) => cell === null || typeof cell === "number" || (typeof cell === "object" && "value" in cell);

/**
 * A table description: `{caption, columns, rows, note?}`. `columns` are header texts;
 * each row is a list of cells, a cell a number (shown by `fmt`, kept whole in the
 * cell's `data-value`), `{value, text}` (a number shown as `text`), a string, or null
 * (shown as "—"). The first cell of each row is the row's header (`<th scope="row">`).
 *
 * Example: `{caption: "f", columns: ["x", "f(x)"], rows: [[0, 1], [0.5, 1.25]]}`.
 */
export function tableElement(spec) {
  const table = document.createElement("table");
  table.className = "data-table";
  const caption = table.createCaption();
  caption.textContent = spec.caption;
  const head = table.createTHead().insertRow();
  spec.columns.forEach((text, k) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    // a column of numbers has its header over the numbers' right edge
    if (k > 0 && spec.rows.length && spec.rows.every((row) => isNumberCell(row[k]))) th.className = "num";
    head.appendChild(th);
  });
  const body = table.createTBody();
  const fragment = document.createDocumentFragment();
  for (const row of spec.rows) {
    const tr = document.createElement("tr");
    row.forEach((cell, k) => {
      const td = document.createElement(k === 0 ? "th" : "td");
      if (k === 0) td.scope = "row";
      if (typeof cell === "number") {
        td.textContent = fmt(cell);
        td.dataset.value = String(cell);
        td.className = "num";
      } else if (cell !== null && typeof cell === "object") {
        td.textContent = cell.text;
        td.dataset.value = String(cell.value);
        td.className = "num";
      } else {
        td.textContent = cell === null || cell === undefined ? "—" : String(cell);
      }
      tr.appendChild(td);
    });
    fragment.appendChild(tr);
  }
  body.appendChild(fragment);
  return table;
}

/** Whether two dependency lists hold the same things (by identity). */
const same = (a, b) => a !== null && b !== null && a.length === b.length && a.every((v, k) => v === b[k]);

/**
 * A toggle and the panel it opens. `build` (given with `show`) returns the panel's table
 * descriptions; it runs when the panel opens, and again on `show` while it is open unless
 * the dependencies are the same objects as last time.
 */
export class DataView {
  /**
   * @param {HTMLButtonElement} button the toggle (its text stays; aria-expanded follows)
   * @param {HTMLElement} panel the region the tables go into (hidden while closed)
   */
  constructor(button, panel) {
    this.button = button;
    this.panel = panel;
    this.build = null;
    this.deps = null;
    this.built = null; // the deps the panel was built for
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    panel.hidden = true;
    button.addEventListener("click", () => this.toggle());
    // the tables' words in the new language: built again when open, on opening if not
    onLanguageChange(() => {
      this.built = null;
      if (this.open) this.fill();
    });
  }

  get open() {
    return this.button.getAttribute("aria-expanded") === "true";
  }

  toggle(open = !this.open) {
    this.button.setAttribute("aria-expanded", String(open));
    this.panel.hidden = !open;
    if (open) this.fill();
  }

  /**
   * New data: `build()` gives the tables, `deps` the objects they are made of (null: build
   * again every time).
   */
  show(build, deps = null) {
    this.build = build;
    this.deps = deps;
    if (this.open) this.fill();
  }

  fill() {
    if (!this.build || same(this.built, this.deps)) return;
    this.built = this.deps;
    const specs = this.build();
    this.panel.replaceChildren(...specs.flatMap((spec) => {
      const parts = [tableElement(spec)];
      if (spec.note) {
        const note = document.createElement("p");
        note.className = "help";
        note.textContent = spec.note;
        parts.push(note);
      }
      return parts;
    }));
  }
}

const views = new WeakMap();

/**
 * The Data view of a figure, made on first use: a "Data" button and its panel put after
 * `after` (the figure itself unless given). The button's accessible name is "Data"
 * followed by the figure's own label, so each of the page's Data buttons says whose it is.
 *
 * @param {HTMLElement} figure the plot element (with an id and an aria-label)
 * @param {{after?: HTMLElement}} options
 */
export function dataViewFor(figure, { after = figure } = {}) {
  let view = views.get(figure);
  if (view) return view;
  const box = document.createElement("div");
  // right after its figure, it hides with it (CSS); put elsewhere, it stays
  box.className = after === figure ? "data-view follows-figure" : "data-view";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary small data-toggle";
  button.id = `${figure.id}-data-toggle`;
  bindText(button, () => t("data.button"));
  button.setAttribute("aria-labelledby", `${button.id} ${figure.id}`);
  const panel = document.createElement("div");
  panel.id = `${figure.id}-data`;
  panel.className = "data-panel";
  panel.tabIndex = 0; // it scrolls: the keyboard must be able to reach it
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-labelledby", `${button.id} ${figure.id}`);
  box.append(button, panel);
  after.after(box);
  view = new DataView(button, panel);
  views.set(figure, view);
  return view;
}
