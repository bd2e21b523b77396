// Plotly's typed-array objects, as `"encoding": "typed"` answers carry every numeric
// array (shared/API.md): {"dtype": "f8", "bdata": "<base64 of little-endian float64>"},
// with "shape": "rows, cols" for two dimensions. Plotly is handed the decoded typed arrays
// (a Float64Array, or rows of Float64Array views: no copy into plain arrays); the page's
// own arithmetic reads plain lists, with null for a missing value, as JSON would give.
//
//   decode({dtype: "f8", bdata: "AAAAAAAA8D8AAAAAAAD4fw=="})   → Float64Array [1, NaN]
//   toList({dtype: "f8", bdata: "AAAAAAAA8D8AAAAAAAD4fw=="})   → [1, null]
//   toList({dtype: "i4", bdata: "AQAAAAIAAAADAAAABAAAAA==", shape: "2, 2"}) → [[1, 2], [3, 4]]
//   toArrays({dtype: "i4", bdata: "AQAAAAIAAAADAAAABAAAAA==", shape: "2, 2"})
//     → [Int32Array [1, 2], Int32Array [3, 4]]   (and so on for three dimensions or more)

/** The element types the API sends (app/responses.py typed_array). */
const TYPES = { f8: Float64Array, i4: Int32Array };

/** True for a typed-array object ({dtype, bdata[, shape]}). */
export function isTyped(value) {
  return value !== null && typeof value === "object" && typeof value.dtype === "string"
    && typeof value.bdata === "string";
}

function bytesOf(base64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The numbers of a typed-array object, flat in row-major order (the bytes are
 * little-endian, as typed arrays are on every platform browsers run on).
 */
export function decode(spec) {
  const Type = TYPES[spec.dtype];
  if (!Type) throw new TypeError(`unknown dtype ${spec.dtype}`);
  return new Type(bytesOf(spec.bdata).buffer);
}

/** The shape of a typed-array object: [n], [rows, cols], [a, b, c]... */
export function shapeOf(spec, length) {
  return spec.shape === undefined ? [length] : String(spec.shape).split(",").map(Number);
}

/**
 * Nested arrays of `shape` (row-major) over a flat array of its elements, each innermost
 * row made by `row(start, end)`.
 */
function nest(shape, row) {
  const build = (dim, offset) => {
    if (dim === shape.length - 1) return row(offset, offset + shape[dim]);
    const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[dim] }, (_, i) => build(dim + 1, offset + i * inner));
  };
  return build(0, 0);
}

/**
 * A typed-array object as the plain (nested) array `"encoding": "json"` would have sent:
 * NaN becomes null, as a missing value is in JSON.
 */
export function toList(spec) {
  const flat = decode(spec);
  const plain = (v) => (Number.isNaN(v) ? null : v);
  return nest(shapeOf(spec, flat.length),
    (start, end) => Array.from(flat.subarray(start, end), plain));
}

/** A typed-array object as typed arrays: flat for one dimension, else nested rows (views). */
export function toArrays(spec) {
  const flat = decode(spec);
  return nest(shapeOf(spec, flat.length), (start, end) => flat.subarray(start, end));
}

/**
 * An answer with every typed-array field as a plain array (for the page's arithmetic),
 * and as typed arrays under `typed` (for Plotly, which draws them without a copy).
 */
export function decodeAnswer(answer) {
  const typed = {};
  const out = { ...answer };
  for (const [name, value] of Object.entries(answer)) {
    if (!isTyped(value)) continue;
    typed[name] = toArrays(value);
    out[name] = toList(value);
  }
  // not enumerable: JSON.stringify (the page's "download the answer") and spreads leave
  // it out, so the answer reads as `"encoding": "json"` would have sent it
  Object.defineProperty(out, "typed", { value: typed, enumerable: false });
  return out;
}
