// A light SVG layer over the plot area of a drawn (2-D, cartesian) Plotly figure, for what
// the player moves at every frame. Moving a trace with Plotly.restyle draws every trace of
// the figure again (the contour's fill, its arrows, every run): at a frame the player
// only sets a few attributes here instead.
//
// Marks are placed through the axes' own mapping, read anew at each draw: data → pixels
// is axis.c2p(value) from the start of the axis (its _offset in the figure, over its
// _length), so they sit exactly where Plotly puts the same point, log axes included, and
// follow zoom, pan and resize. The layer covers the plot area only, so a mark outside it
// is cut off as Plotly cuts off a trace's markers. While the plot is being dragged (a
// pan moves Plotly's drawing before it tells anyone) the layer is hidden.
// The layer is for the frames only: what stays on screen when the player stops is put in
// the figure's own traces (so it is in the PNG and SVG downloads too).
//
//   const layer = overlayOn(el);
//   layer.draw([{ x: 1, y: 2, size: 15, fill: "none", stroke: "#111", width: 3 }],
//     [{ x: [0, 1, null, 2, 3], y: [0, 1, null, 2, 3], stroke: "#111", width: 2 }]);
//   layer.clear();

const SVG = "http://www.w3.org/2000/svg";

const finite = (v) => typeof v === "number" && Number.isFinite(v);

/** The layer of figure `el` (made on first use, kept while the figure is). */
const layers = new WeakMap();
export function overlayOn(el) {
  let layer = layers.get(el);
  if (!layer) {
    layer = new Overlay(el);
    layers.set(el, layer);
  }
  return layer;
}

class Overlay {
  constructor(el) {
    this.el = el;
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("class", "plot-overlay");
    this.svg.setAttribute("aria-hidden", "true"); // the readout says where the player is
    this.circles = [];
    this.paths = [];
    this.dragging = false;
    this.listening = false;
    this.shown = false;
  }

  /**
   * Show `marks` (circles: {x, y, size (diameter, px), fill, stroke, width}) and `lines`
   * ({x, y: data with null gaps, stroke, width}) at their data coordinates; a mark with a
   * coordinate that is not a finite number is not shown. Nothing happens before the
   * figure is drawn.
   */
  draw(marks, lines = []) {
    const layout = this.el._fullLayout;
    const xa = layout?.xaxis;
    const ya = layout?.yaxis;
    if (!xa?.c2p || !ya?.c2p || !this.attach()) return;
    this.place(xa, ya);
    this.shown = marks.length > 0 || lines.length > 0;
    this.svg.style.display = this.dragging || !this.shown ? "none" : "";
    marks.forEach((mark, i) => {
      const circle = this.circles[i] ?? this.add(this.circles, "circle");
      const px = xa.c2p(mark.x);
      const py = ya.c2p(mark.y);
      if (!finite(px) || !finite(py)) {
        circle.setAttribute("display", "none");
        return;
      }
      set(circle, "display", "inline");
      set(circle, "cx", px.toFixed(2));
      set(circle, "cy", py.toFixed(2));
      set(circle, "r", String(mark.size / 2));
      set(circle, "fill", mark.fill);
      set(circle, "stroke", mark.stroke);
      set(circle, "stroke-width", String(mark.width));
    });
    for (let i = marks.length; i < this.circles.length; i += 1) set(this.circles[i], "display", "none");
    lines.forEach((line, i) => {
      const path = this.paths[i] ?? this.add(this.paths, "path");
      set(path, "d", pathData(line.x, line.y, xa, ya));
      set(path, "stroke", line.stroke);
      set(path, "stroke-width", String(line.width));
      set(path, "display", "inline");
    });
    for (let i = lines.length; i < this.paths.length; i += 1) set(this.paths[i], "display", "none");
  }

  /** Show nothing. */
  clear() {
    this.shown = false;
    this.svg.style.display = "none";
  }

  /** A new element of `kind`, appended to `pool` and to the layer (paths under circles). */
  add(pool, kind) {
    const node = document.createElementNS(SVG, kind);
    if (kind === "path") {
      node.setAttribute("fill", "none");
      node.setAttribute("stroke-linecap", "round");
      node.setAttribute("stroke-linejoin", "round");
      this.svg.insertBefore(node, this.svg.firstChild);
    } else {
      this.svg.appendChild(node);
    }
    pool.push(node);
    return node;
  }

  /**
   * Put the layer in the figure, just above Plotly's main drawing (under its hover
   * labels): true once it is there. Plotly keeps its containers when it draws again;
   * should they be made anew, the layer follows.
   */
  attach() {
    const paper = this.el.querySelector(".svg-container > .main-svg");
    if (!paper) return false;
    if (this.svg.previousSibling !== paper) paper.after(this.svg);
    if (!this.listening && typeof this.el.on === "function") {
      this.listening = true;
      // a pan moves Plotly's drawing at once but its axes only when it ends
      this.el.on("plotly_relayouting", () => {
        this.dragging = true;
        this.svg.style.display = "none";
      });
      this.el.on("plotly_relayout", () => {
        this.dragging = false;
        if (this.shown) this.svg.style.display = "";
      });
    }
    return true;
  }

  /** The layer over the plot area as the axes lay it out now. */
  place(xa, ya) {
    const box = [xa._offset, ya._offset, xa._length, ya._length].map((v) => `${Math.round(v * 100) / 100}px`);
    const { style } = this.svg;
    if (style.left !== box[0]) style.left = box[0];
    if (style.top !== box[1]) style.top = box[1];
    if (style.width !== box[2]) style.width = box[2];
    if (style.height !== box[3]) style.height = box[3];
  }
}

/** Set an attribute only when it changes (a frame touches what moved). */
function set(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** SVG path data of a line given in data coordinates, a null (or non-finite) breaking it. */
function pathData(xs, ys, xa, ya) {
  let d = "";
  let pen = false;
  for (let k = 0; k < xs.length; k += 1) {
    const px = finite(xs[k]) ? xa.c2p(xs[k]) : NaN;
    const py = finite(ys[k]) ? ya.c2p(ys[k]) : NaN;
    if (!finite(px) || !finite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${px.toFixed(2)} ${py.toFixed(2)}`;
    pen = true;
  }
  return d;
}
