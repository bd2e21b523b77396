// Clicking (or hovering) anywhere inside a Plotly plot area, not only on a trace, reports
// data coordinates. Plotly turns a mouse press without a drag into a click on its drag
// layer, so this works in zoom and pan modes alike; the modebar, legend and colour bar
// are ignored.

/** The data coordinates under a mouse event, with the visible spans, or null outside. */
function dataPoint(el, event) {
  const layout = el._fullLayout;
  if (!layout || !layout.xaxis || !layout.yaxis) return null;
  if (event.target.closest(".modebar, .legend, .colorbar")) return null;
  const xa = layout.xaxis;
  const ya = layout.yaxis;
  const box = el.getBoundingClientRect();
  const px = event.clientX - box.left - xa._offset;
  const py = event.clientY - box.top - ya._offset;
  if (px < 0 || px > xa._length || py < 0 || py > ya._length) return null;
  const spans = { x: Math.abs(xa.range[1] - xa.range[0]), y: Math.abs(ya.range[1] - ya.range[0]) };
  return { x: xa.p2l(px), y: ya.p2l(py), spans };
}

/**
 * @param {HTMLElement} el the Plotly graph div
 * @param {(x: number, y: number, spans: {x: number, y: number}) => void} callback
 */
export function onPlotClick(el, callback) {
  el.addEventListener("click", (event) => {
    const p = dataPoint(el, event);
    if (p) callback(p.x, p.y, p.spans);
  });
}

/**
 * Report the data point under the mouse as it moves over the plot area, and null when it
 * leaves.
 * @param {HTMLElement} el the Plotly graph div
 * @param {(point: {x: number, y: number, spans: object}|null) => void} callback
 */
export function onPlotHover(el, callback) {
  el.addEventListener("mousemove", (event) => callback(dataPoint(el, event)));
  el.addEventListener("mouseleave", () => callback(null));
}

/**
 * Report the axis ranges after the user zooms or pans (``{x: [lo, hi], y: [lo, hi]}``,
 * an axis left out when it did not change), or null after a double-click reset.
 * @param {HTMLElement} el the Plotly graph div
 * @param {(ranges: {x?: number[], y?: number[]}|null) => void} callback
 */
export function onPlotZoom(el, callback) {
  whenPlotted(el, () => el.on("plotly_relayout", (event) => {
    if (event["xaxis.autorange"] || event["yaxis.autorange"]) {
      callback(null);
      return;
    }
    const read = (axis) => {
      const pair = event[`${axis}.range`] ?? [event[`${axis}.range[0]`], event[`${axis}.range[1]`]];
      return pair.every((v) => typeof v === "number" && Number.isFinite(v)) && pair[0] < pair[1] ? pair : null;
    };
    const ranges = {};
    const x = read("xaxis");
    const y = read("yaxis");
    if (x) ranges.x = x;
    if (y) ranges.y = y;
    if (x || y) callback(ranges);
  }));
}

/** Run `fn` once Plotly has made `el` a plot (its event methods exist only then). */
function whenPlotted(el, fn) {
  if (typeof el.on === "function") {
    fn();
    return;
  }
  const watch = new MutationObserver(() => {
    if (typeof el.on !== "function") return;
    watch.disconnect();
    fn();
  });
  watch.observe(el, { attributes: true, childList: true });
}
