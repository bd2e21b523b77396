// The tables behind the menus, loaded once from the API (GET /optimizers, GET /methods,
// GET /limits). Nothing on the page lists optimizer or method names, labels or defaults,
// or this server's size limits, itself: the menus, the settings fields, the fields' bounds
// and the URL parser all read these rows.
import { api } from "./api.js";
import { bindRender, tableText } from "./i18n.js";

export const tables = {
  /** [{name, label, description, rule, settings: [{name, default, label, ...}], lr_bound}] */
  optimizers: [],
  /** [{name, label, numerical, description}] */
  methods: [],
  /** {setting: value}: this server's size limits, e.g. {max_steps: 100000, max_hidden: 256} */
  limits: {},
};

export async function loadTables(signal) {
  const [optimizers, methods, limits] = await Promise.all(
    [api.optimizers(signal), api.methods(signal), api.limits(signal)]);
  tables.optimizers = optimizers;
  tables.methods = methods;
  tables.limits = limits;
}

/**
 * A field's bound: a number as it is, or the name of one of this server's limits
 * (`bound("max_steps")` is 100000 on a default server).
 */
export const bound = (value) => (typeof value === "string" ? tables.limits[value] ?? Infinity : value);

/**
 * `value` brought inside a number field's bounds -- `{integer, minimum, maximum, limit,
 * exclusive_minimum, exclusive_maximum}`, as GET /network/tables gives them; `limit`
 * names this server's limit that is the maximum -- and rounded for an integer field
 * (never past Number.MAX_SAFE_INTEGER). Null when no value is nearest: at or past an
 * exclusive bound (a learning rate of 0).
 *
 *   clampField({ integer: true, minimum: 1, limit: "max_steps" }, 2.6e9)   // 100000
 *   clampField({ minimum: 0, exclusive_minimum: true }, 0)                  // null
 */
export function clampField(field, value) {
  const { low, high } = bounds(field);
  const v = field?.integer ? Math.round(value) : value;
  if ((field?.exclusive_minimum && v <= low) || (field?.exclusive_maximum && v >= high)) return null;
  return Math.min(high, Math.max(low, v));
}

/** A field's lowest and highest values as numbers (-Infinity/Infinity: none). */
function bounds(field) {
  const max = field?.limit ? bound(field.limit) : field?.maximum ?? Infinity;
  return {
    low: field?.minimum ?? -Infinity,
    high: field?.integer ? Math.min(max, Number.MAX_SAFE_INTEGER) : max,
  };
}

/**
 * Fill `box` with one number field per optimizer setting of the table, each shown only for
 * the optimizers that have it (`data-optimizers`), labelled and described in the page's
 * language. `idOf(name)` gives each input's id; `extra()`, if given, returns a node added
 * to every label (e.g. a screen-reader-only "of the optimizer").
 *
 *   settingFields($("opt-settings"), (name) => name)   // inputs #momentum, #beta1, ...
 */
export function settingFields(box, idOf, extra = null) {
  box.replaceChildren();
  for (const name of settingNames()) {
    const users = tables.optimizers.filter((row) => row.settings.some((s) => s.name === name));
    const setting = users[0].settings.find((s) => s.name === name);
    const field = document.createElement("div");
    field.className = "field";
    field.dataset.optimizers = users.map((row) => row.name).join(" ");
    const label = document.createElement("label");
    label.htmlFor = idOf(name);
    const input = document.createElement("input");
    bindRender(label, () => {
      label.replaceChildren(tableText("settings", setting, "label"), ...(extra ? [extra()] : []));
      label.title = input.title = tableText("settings", setting, "description");
    });
    input.id = idOf(name);
    input.type = "number";
    input.step = "any";
    input.className = "num";
    input.min = String(setting.minimum);
    if (setting.maximum !== null) input.max = String(setting.maximum);
    field.append(label, input);
    box.appendChild(field);
  }
}

/** Give a number input the bounds of its field (so the browser's own checks agree). */
export function boundInput(input, field) {
  const { low, high } = bounds(field);
  if (Number.isFinite(low)) input.min = String(low);
  if (Number.isFinite(high)) input.max = String(high);
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
