// The tables behind the menus, loaded once from the API (GET /optimizers, GET /methods).
// Nothing on the page lists optimizer or method names, labels or defaults itself: the
// menus, the settings fields and the URL parser all read these rows.
import { api } from "./api.js";
import { bindRender, tableText } from "./i18n.js";

export const tables = {
  /** [{name, label, description, rule, settings: [{name, default, label, ...}], lr_bound}] */
  optimizers: [],
  /** [{name, label, numerical, description}] */
  methods: [],
};

export async function loadTables(signal) {
  const [optimizers, methods] = await Promise.all([api.optimizers(signal), api.methods(signal)]);
  tables.optimizers = optimizers;
  tables.methods = methods;
}

export const optimizerRow = (name) => tables.optimizers.find((row) => row.name === name) ?? null;
export const methodRow = (name) => tables.methods.find((row) => row.name === name) ?? null;

/** Every setting name any optimizer has, each once, in table order. */
export function settingNames() {
  return [...new Set(tables.optimizers.flatMap((row) => row.settings.map((s) => s.name)))];
}

/**
 * The settings `optimizer` runs with: the user's `overrides` where given, the table's
 * defaults (PyTorch's) elsewhere. Settings of other optimizers are left out.
 */
export function settingsFor(optimizer, overrides = {}) {
  const row = optimizerRow(optimizer);
  if (!row) return {};
  return Object.fromEntries(row.settings.map((s) => [s.name, overrides[s.name] ?? s.default]));
}

/**
 * Fill a <select> with one option per row of the API table `table` ("optimizers",
 * "methods", "datasets", ...): each named by its label and described by its description,
 * in the page's language (i18n.js tableText), written again when the language changes.
 */
export function fillSelect(select, rows, table) {
  select.replaceChildren(...rows.map((row) => {
    const option = document.createElement("option");
    option.value = row.name;
    bindRender(option, () => {
      option.textContent = tableText(table, row, "label");
      if (row.description) option.title = tableText(table, row, "description");
    });
    return option;
  }));
}
