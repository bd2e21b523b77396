// The preset functions (GET /functions) as the page uses them: the preset a text names,
// its start point, what choosing it sets, and the box a state's function is plotted over.
//
//   const preset = findPreset(presets, "(1-x)**2 + 100*(y-x**2)**2");  // spaces ignored
//   plotRanges({ ...state, expr: preset.expr }, presets);  // {xr, yr}: the preset's box
import { widened } from "./ranges.js";

/** The box of a function without a preset, for each variable. */
export const DEFAULT_RANGE = [-3, 3];

/** The preset whose text is `expr` (spaces aside), or null. */
export function findPreset(presets, expr) {
  const squash = (s) => s.replace(/\s+/g, "");
  return presets.find((p) => squash(p.expr) === squash(expr)) ?? null;
}

/** A preset's start point if it has one for `nvars` variables, else null. */
export function presetStart(preset, nvars) {
  if (!preset || preset.start === null || preset.start === undefined) return null;
  const start = Array.isArray(preset.start) ? preset.start : [preset.start];
  return start.length === nvars ? start : null;
}

/**
 * Make `state` take a preset's settings: its box (the state's own is dropped), and for
 * two variables its learning rate and steps.
 */
export function withPreset(state, preset) {
  state.xr = null;
  state.yr = null;
  state.autoRange = true;
  if (typeof preset.lr === "number") state.lr = preset.lr;
  if (Number.isInteger(preset.steps)) state.steps = preset.steps;
  return state;
}

/**
 * Plotted ranges for a state: the state's own, or a matching preset's or the default
 * box -- widened to hold the point of interest (a link's start or x₀) when the box was
 * not chosen.
 */
export function plotRanges(state, presets) {
  const preset = findPreset(presets, state.expr);
  let xr = [...(state.xr ?? preset?.x_range ?? DEFAULT_RANGE)];
  let yr = [...(state.yr ?? preset?.y_range ?? DEFAULT_RANGE)];
  if (state.autoRange) {
    const point = state.start ?? (state.x0 !== null ? [state.x0] : []);
    if (point.length >= 1) xr = widened(xr, point[0]);
    if (point.length >= 2) yr = widened(yr, point[1]);
  }
  return { xr, yr };
}
