// Thinning a descent path for drawing: the run keeps every point (the player, the table
// and the loss plot read them all); what is drawn on the contour and the surface is at
// most MAX_DRAWN points of it, chosen so that the picture does not change.
//
// The rule: a run of at most MAX_DRAWN points is drawn whole. A longer one is walked from
// its first point, and a point is kept when it lies at least `tol` from the last point
// kept -- distances measured in fractions of the drawn box on each axis, as the eye sees
// them. The first and the last point are always kept, and so is a gap (a point that is not
// finite, which breaks the line: one point of it) with the points on either side of it. `tol` starts at
// 1/2000 of the box, under a pixel, and doubles until at most MAX_DRAWN points remain.
// So every point left out lies within `tol` of a point drawn just before it: the steps a
// descent takes while it crawls along a valley go, its first long strides and zig-zags stay.
//
//   thinned(10_001 points of gd on Rosenbrock, spans [4, 4]).length  → ≤ 2000, the first
//   index 0 and the last 10_000 among them

/** The most points of one run drawn on the contour or the surface. */
export const MAX_DRAWN = 2000;
/** The first tolerance, as a fraction of the drawn box (each axis). */
const FIRST_TOL = 1 / 2000;

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * The indices of the points to draw, in order.
 * @param {Array<Array<number|null>>} coords one array per axis ([xs, ys] or [xs, ys, zs]),
 *   all of the same length
 * @param {number[]} spans the drawn extent of each axis (the box), > 0
 * @param {number} [max] the most points kept
 * @returns {number[]} increasing indices, the first and the last included
 */
export function thinned(coords, spans, max = MAX_DRAWN) {
  const n = coords[0].length;
  const all = Array.from({ length: n }, (_, k) => k);
  if (n <= max) return all;
  const ok = (k) => coords.every((axis) => finite(axis[k]));
  for (let tol = FIRST_TOL; tol < 1e6; tol *= 2) {
    const kept = keptWithin(coords, spans, tol, ok);
    if (kept.length <= max) return kept;
  }
  return all; // only gaps are left to drop: keep everything rather than hide one
}

/** One pass of the rule for a given tolerance. */
function keptWithin(coords, spans, tol, ok) {
  const n = coords[0].length;
  const scale = spans.map((s) => (s > 0 ? 1 / s : 1));
  const kept = [0];
  let last = 0; // index of the last point kept
  for (let k = 1; k < n; k += 1) {
    let keep;
    if (k === n - 1) keep = true;
    else if (!ok(k)) keep = ok(last); // a gap's first point breaks the line; the rest add nothing
    else keep = !ok(last) || !ok(k + 1) || far(coords, scale, last, k, tol);
    if (keep) {
      kept.push(k);
      last = k;
    }
  }
  return kept;
}

function far(coords, scale, a, b, tol) {
  let sum = 0;
  for (let i = 0; i < coords.length; i += 1) {
    const d = (coords[i][b] - coords[i][a]) * scale[i];
    sum += d * d;
  }
  return sum >= tol * tol;
}

/** `values` at `indices`. */
export function pick(values, indices) {
  return indices.map((k) => values[k]);
}
