// Moving a few traces of a figure that is already drawn, without drawing it again: what
// the player does at every frame. Plotly.restyle recomputes and redraws every trace of the
// axes (the contour's levels, every run); Plotly.animate with `redraw: false` and no
// transition recomputes and redraws only the traces it is given, in place.
//
//   moveTraces(el, [{ x: [1], y: [2] }], [7])   // trace 7 now shows the point (1, 2)
//
// Plotly runs a move at once unless a move before it is still being shown; then it waits
// for the next animation frame, and finds its trace by index then. A figure drawn anew in
// between may have another trace at that index: react(el, ...) drops such waiting moves
// before it draws (the new figure shows where the markers are anyway).

const NOW = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };

/**
 * Give the traces `indices` of the drawn 2-D (cartesian) figure `el` the new `data`
 * (one partial trace each, e.g. {x, y, marker: {color}}). 3-D scenes are not animated by
 * Plotly: there, Plotly.restyle changes the traces.
 */
export function moveTraces(el, data, indices) {
  if (!el.data || !el._fullLayout) return;
  if (el._fullLayout._has && el._fullLayout._has("gl3d")) {
    const update = {};
    data.forEach((trace, i) => {
      for (const [key, value] of Object.entries(trace)) {
        (update[key] ??= new Array(data.length).fill(undefined))[i] = value;
      }
    });
    Plotly.restyle(el, update, indices);
    return;
  }
  Plotly.animate(el, { data, traces: indices }, NOW).catch(() => {}); // dropped: see react
}

/** Plotly.react, after dropping the moves of `el` still waiting for a frame. */
export function react(el, traces, layout, config) {
  const waiting = el._transitionData?._frameQueue;
  if (el.data && waiting && waiting.length) {
    Plotly.animate(el, [], { mode: "immediate" }).catch(() => {});
  }
  return Plotly.react(el, traces, layout, config);
}
