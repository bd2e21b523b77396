// Clicking anywhere inside a Plotly plot area (not only on a trace) reports data
// coordinates. Plotly turns a mouse press without a drag into a click on its drag layer,
// so this works in zoom and pan modes alike; clicks on the modebar and legend are ignored.

/**
 * @param {HTMLElement} el the Plotly graph div
 * @param {(x: number, y: number, spans: {x: number, y: number}) => void} callback
 */
export function onPlotClick(el, callback) {
  el.addEventListener("click", (event) => {
    const layout = el._fullLayout;
    if (!layout || !layout.xaxis || !layout.yaxis) return;
    if (event.target.closest(".modebar, .legend, .colorbar")) return;
    const xa = layout.xaxis;
    const ya = layout.yaxis;
    const box = el.getBoundingClientRect();
    const px = event.clientX - box.left - xa._offset;
    const py = event.clientY - box.top - ya._offset;
    if (px < 0 || px > xa._length || py < 0 || py > ya._length) return;
    const spans = { x: Math.abs(xa.range[1] - xa.range[0]), y: Math.abs(ya.range[1] - ya.range[0]) };
    callback(xa.p2l(px), ya.p2l(py), spans);
  });
}
