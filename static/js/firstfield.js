// The page's first questions, asked by a module script of their own (templates/index.html,
// `async`) whose few imports arrive first: the API's tables, the preset functions, and as
// soon as they are here the field of the function the page opens with -- while the rest
// of the page's modules, and Plotly.js, are still arriving. main.js takes these answers
// instead of asking again:
//
//   await tablesLoaded;                    // the tables, as loadTables() leaves them
//   const presets = await presetsLoaded;   // [] if the server cannot say
//   const early = await firstField;        // {key, answer}, or null without tables
//   if (early.key === JSON.stringify(body)) field = await early.answer;
import { ApiError, api } from "./api.js";
import { loadNetworkTables } from "./networktables.js";
import { findPreset, plotRanges, withPreset } from "./presets.js";
import { fromQuery } from "./state.js";
import { loadTables } from "./tables.js";

/** Grid of the contour / surface (the n of a 2-D field). */
export const GRID_2D = 81;

/** The API's tables, which the menus and the reading of a link need (an ApiError if not). */
export const tablesLoaded = Promise.all([loadTables(), loadNetworkTables()]);

/** The preset functions (GET /functions); none if the server cannot say. */
export const presetsLoaded = api.functions().then((presets) => presets ?? [], (err) => {
  if (!(err instanceof ApiError)) throw err;
  return [];
});

/**
 * The state a page opens with: its link's; without a function in the link, the default
 * function's preset as if it were chosen.
 */
export function openingState(search, presets) {
  const state = fromQuery(search);
  const preset = findPreset(presets, state.expr);
  if (!new URLSearchParams(search).has("f") && preset) withPreset(state, preset);
  return state;
}

/** The body of the request for a function's 2-D field over a box. */
export function fieldBody(expr, { xr, yr }) {
  return { expr, x_range: xr, y_range: yr, n: GRID_2D };
}

/**
 * The first field: {key, answer} -- the request's body as JSON, and the promise of its
 * decoded answer (rejecting as api.field does: the refusal is main.js's to show when it
 * takes it) -- or null when the tables could not be loaded (main.js says so).
 */
export const firstField = Promise.all([tablesLoaded, presetsLoaded]).then(([, presets]) => {
  const state = openingState(window.location.search, presets);
  const body = fieldBody(state.expr, plotRanges(state, presets));
  const answer = api.field(body);
  answer.catch(() => {}); // handled where it is taken
  return { key: JSON.stringify(body), answer };
}, () => null);
