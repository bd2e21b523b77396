// Moving a few traces of a figure that is already drawn: where the player's markers go
// when a step is chosen or the player stops (while it plays, overlay.js moves them on a
// layer over the plot instead). One Plotly.restyle of just those traces' data: only they
// are computed again, but Plotly draws the whole figure again (the contour's fill, its
// arrows, every run), which is why a frame of Play does not come here.
// Plotly.animate with `redraw: false` would be lighter, but it leaves the contour's fill
// (and, while several markers move, the other traces) undrawn: a picture a learner cannot
// read, so it is not used.
//
//   moveTraces(el, [{ x: [1], y: [2] }], [7])   // trace 7 now shows the point (1, 2)

/** Whether drawn trace `shown` already has the data of partial trace `wanted`. */
function sameData(shown, wanted) {
  if (!shown) return false;
  return Object.entries(wanted).every(([key, value]) => {
    if (value && typeof value === "object" && !Array.isArray(value)) return sameData(shown[key], value);
    const now = shown[key];
    if (!Array.isArray(value)) return now === value;
    return now?.length === value.length && value.every((v, i) => now[i] === v);
  });
}

/**
 * Give the traces `indices` of the drawn figure `el` the new `data` (one partial trace
 * each, e.g. {x, y, marker: {color}}; nested objects are set key by key). Only the traces
 * whose data differ are restyled, and nothing when none does: any restyle draws the
 * whole figure again (a 3-D scene included).
 */
export function moveTraces(el, allData, allIndices) {
  if (!el.data || !el._fullLayout) return;
  const changed = allIndices.map((index, i) => [index, allData[i]])
    .filter(([index, trace]) => !sameData(el.data[index], trace));
  if (!changed.length) return;
  const data = changed.map(([, trace]) => trace);
  const indices = changed.map(([index]) => index);
  const update = {};
  const set = (key, i, value) => {
    (update[key] ??= new Array(data.length).fill(undefined))[i] = value;
  };
  data.forEach((trace, i) => {
    for (const [key, value] of Object.entries(trace)) {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [inner, v] of Object.entries(value)) set(`${key}.${inner}`, i, v);
      } else {
        set(key, i, value);
      }
    }
  });
  Plotly.restyle(el, update, indices);
}
