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
  // once, in plain loops: the coordinates in fractions of the box (NaN where not
  // finite), and which points are finite on every axis
  const ok = new Uint8Array(n).fill(1);
  const scaled = coords.map((axis, i) => {
    const s = spans[i] > 0 ? 1 / spans[i] : 1;
    const out = new Float64Array(n);
    for (let k = 0; k < n; k += 1) {
      const v = axis[k];
      if (finite(v)) out[k] = v * s;
      else {
        out[k] = NaN;
        ok[k] = 0;
      }
    }
    return out;
  });
  for (let tol = FIRST_TOL; tol < 1e6; tol *= 2) {
    const kept = keptWithin(scaled, ok, tol, max);
    if (kept) return kept;
  }
  return all; // only gaps are left to drop: keep everything rather than hide one
}

/** One pass of the rule for a given tolerance: the indices kept, or null past `max`. */
function keptWithin(scaled, ok, tol, max) {
  const n = ok.length;
  const dims = scaled.length;
  const tol2 = tol * tol;
  const kept = [0];
  let last = 0; // index of the last point kept
  for (let k = 1; k < n; k += 1) {
    let keep;
    if (k === n - 1) keep = true;
    else if (!ok[k]) keep = ok[last] === 1; // a gap's first point breaks the line; the rest add nothing
    else if (!ok[last] || !ok[k + 1]) keep = true;
    else {
      let sum = 0;
      for (let i = 0; i < dims; i += 1) {
        const d = scaled[i][k] - scaled[i][last];
        sum += d * d;
      }
      keep = sum >= tol2;
    }
    if (keep) {
      if (kept.length === max) return null;
      kept.push(k);
      last = k;
    }
  }
  return kept;
}

/** `values` at `indices`, as the same kind of array (a plain list or a typed array). */
export function pick(values, indices) {
  if (Array.isArray(values)) return indices.map((k) => values[k]);
  const out = new values.constructor(indices.length);
  indices.forEach((k, i) => { out[i] = values[k]; });
  return out;
}
