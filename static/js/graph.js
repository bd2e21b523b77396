// Computation graph panel: the nodes of POST /graph laid out in layers by depth
// (variables on the left, f on the right), each with its value and adjoint ∂f/∂node.
import { fmt } from "./theme.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 138;
const NODE_H = 60;
const COL_GAP = 58;
const ROW_GAP = 14;
const PAD = 14;

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

function kindOf(node, outputId) {
  if (node.id === outputId) return "out";
  if (node.inputs.length === 0) return Number.isFinite(Number(node.label)) || node.op === "const" ? "const" : "var";
  return "op";
}

/** Layer of every node: variables at 0, an operation one past its deepest input, a constant just before its first consumer. */
function layers(nodes, byId, consumers) {
  const layer = new Map();
  const visit = (id) => {
    if (layer.has(id)) return layer.get(id);
    const node = byId.get(id);
    const value = node.inputs.length === 0 ? 0 : 1 + Math.max(...node.inputs.map(visit));
    layer.set(id, value);
    return value;
  };
  nodes.forEach((n) => visit(n.id));
  for (const n of nodes) {
    const users = consumers.get(n.id) ?? [];
    if (n.inputs.length === 0 && users.length > 0 && kindOf(n, null) === "const") {
      layer.set(n.id, Math.max(0, Math.min(...users.map((u) => layer.get(u))) - 1));
    }
  }
  return layer;
}

/** Order nodes inside each layer by the mean position of their neighbours (a few sweeps). */
function order(nodes, layer, byId, consumers) {
  const depth = Math.max(...nodes.map((n) => layer.get(n.id)));
  const cols = Array.from({ length: depth + 1 }, () => []);
  nodes.forEach((n) => cols[layer.get(n.id)].push(n.id));
  const pos = new Map();
  const index = () => cols.forEach((col) => col.forEach((id, k) => pos.set(id, k / Math.max(1, col.length - 1))));
  index();
  const mean = (ids, fallback) => (ids.length ? ids.reduce((s, id) => s + pos.get(id), 0) / ids.length : fallback);
  for (let sweep = 0; sweep < 4; sweep += 1) {
    for (let L = 1; L <= depth; L += 1) {
      cols[L].sort((a, b) => mean(byId.get(a).inputs, pos.get(a)) - mean(byId.get(b).inputs, pos.get(b)));
      index();
    }
    for (let L = depth - 1; L >= 0; L -= 1) {
      cols[L].sort((a, b) => mean(consumers.get(a) ?? [], pos.get(a)) - mean(consumers.get(b) ?? [], pos.get(b)));
      index();
    }
  }
  return cols;
}

/**
 * Draw the graph into `container`.
 * @param {HTMLElement} container
 * @param {object} graph POST /graph answer
 */
export function renderGraph(container, graph) {
  const nodes = graph.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const consumers = new Map();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n.id]);
  const layer = layers(nodes, byId, consumers);
  const cols = order(nodes, layer, byId, consumers);
  const tallest = Math.max(...cols.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const width = PAD * 2 + cols.length * NODE_W + (cols.length - 1) * COL_GAP;
  const at = new Map();
  cols.forEach((col, L) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((id, k) => at.set(id, { x: PAD + L * (NODE_W + COL_GAP), y: top + k * (NODE_H + ROW_GAP) }));
  });

  const svg = el("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, class: "graph-svg", role: "img",
    "aria-label": `Computation graph with ${nodes.length} nodes`,
  });
  const defs = el("defs");
  const marker = el("marker", { id: "arrowhead", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "edge-head" }));
  defs.appendChild(marker);
  svg.appendChild(defs);

  const edges = el("g", { class: "edges" });
  const edgeOf = new Map(); // node id -> edge elements touching it
  for (const n of nodes) {
    const to = at.get(n.id);
    n.inputs.forEach((inputId, k) => {
      const from = at.get(inputId);
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x - 2;
      const y2 = to.y + NODE_H / 2 + (n.inputs.length > 1 ? (k - (n.inputs.length - 1) / 2) * 16 : 0);
      const mid = (x1 + x2) / 2;
      const path = el("path", { d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, class: "edge", "marker-end": "url(#arrowhead)" });
      edges.appendChild(path);
      for (const id of [n.id, inputId]) edgeOf.set(id, [...(edgeOf.get(id) ?? []), path]);
    });
  }
  svg.appendChild(edges);

  const group = el("g", { class: "nodes" });
  for (const n of nodes) {
    const { x, y } = at.get(n.id);
    const kind = kindOf(n, graph.output);
    const g = el("g", { class: `node node-${kind}`, transform: `translate(${x} ${y})` });
    g.appendChild(el("title", {}, `${n.label} (${n.op})\nvalue = ${n.value}\n∂f/∂node = ${n.grad}`));
    g.appendChild(el("rect", { width: NODE_W, height: NODE_H, rx: 9, ry: 9 }));
    const label = n.label.length > 16 ? `${n.label.slice(0, 15)}…` : n.label;
    g.appendChild(el("text", { x: NODE_W / 2, y: 19, class: "node-label" }, label));
    g.appendChild(el("text", { x: 10, y: 36, class: "node-value" }, `v  ${fmt(n.value, 5)}`));
    g.appendChild(el("text", { x: 10, y: 51, class: "node-grad" }, `∂f ${fmt(n.grad, 5)}`));
    g.addEventListener("mouseenter", () => (edgeOf.get(n.id) ?? []).forEach((p) => p.classList.add("hot")));
    g.addEventListener("mouseleave", () => (edgeOf.get(n.id) ?? []).forEach((p) => p.classList.remove("hot")));
    group.appendChild(g);
  }
  svg.appendChild(group);
  container.replaceChildren(svg);
}

/** Show a short message in the graph panel instead of a graph. */
export function graphMessage(container, text) {
  const p = document.createElement("p");
  p.className = "graph-empty";
  p.textContent = text;
  container.replaceChildren(p);
}
