// A coarser copy of a 2-D POST /field answer: every other grid line of x and of y (both
// edges kept), for drawing the contour while the function is being typed -- a quarter of
// the points over the same box, which Plotly contours in about half the time. The page's
// plain lists and the typed arrays Plotly is handed (typed.js's `typed`) are both thinned,
// so the copy reads like the answer to the same request with a smaller n.
//
//   everyOther(5)  → [0, 2, 4]
//   everyOther(6)  → [0, 2, 4, 5]          (the last line is always kept)
//   coarseField({variables: ["x", "y"], x: [0, 1, 2], y: [5, 6, 7],
//                z: [[0, 1, 2], [3, 4, 5], [6, 7, 8]], u: ..., v: ...})
//     → {variables: ["x", "y"], x: [0, 2], y: [5, 7], z: [[0, 2], [6, 8]], u: ..., v: ...}
import { pick } from "./thinning.js";

/** The grid arrays of a 2-D field: 1-D along x or y, or 2-D laid out [y][x]. */
const AXES = { x: "x", y: "y" };
const GRIDS = ["z", "u", "v"];

/** Indices 0, 2, 4, … of `n` grid lines, and the last one. */
export function everyOther(n) {
  const kept = [];
  for (let i = 0; i < n; i += 2) kept.push(i);
  if (n > 0 && kept[kept.length - 1] !== n - 1) kept.push(n - 1);
  return kept;
}

/** The thinned copy of one set of arrays (the plain lists, or the typed ones). */
function thin(arrays, is, js) {
  const out = {};
  for (const [name, axis] of Object.entries(AXES)) {
    if (arrays[name] !== undefined) out[name] = pick(arrays[name], axis === "x" ? is : js);
  }
  for (const name of GRIDS) {
    if (arrays[name] !== undefined) out[name] = js.map((j) => pick(arrays[name][j], is));
  }
  return out;
}

/**
 * Every other grid line of a 2-D field answer (x and y both), with its other fields as
 * they are. A field of one variable, or one already this coarse, is returned as it is.
 * @param {object} field a decoded POST /field answer (api.js), maybe with `typed`
 */
export function coarseField(field) {
  if (!field || !field.y || field.x.length < 3 || field.y.length < 3) return field;
  const is = everyOther(field.x.length);
  const js = everyOther(field.y.length);
  const out = { ...field, ...thin(field, is, js) };
  if (field.typed) {
    // not enumerable, as decodeAnswer makes it
    Object.defineProperty(out, "typed", { value: thin(field.typed, is, js), enumerable: false });
  }
  return out;
}
