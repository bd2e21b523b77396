// Computation graph panel: the nodes of POST /graph laid out in layers by depth
// (variables on the left, f on the right), each with its value, its adjoint ∂f/∂node
// (reverse mode) and its tangent along a direction (forward mode); each edge with its
// local derivative ∂node/∂input. Below it, the chain rule spelled out for a variable (the
// sum over paths of the products of the edges) and the forward-mode trace in order.
// "Graph as a list" shows the same nodes as a table a screen reader can walk.
import { DataView } from "./datatable.js";
import { t, tn } from "./i18n.js";
import { fmt } from "./theme.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 138;
const NODE_H = 74;
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
export function renderGraph(container, graph, onVariable = () => {}) {
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
    "aria-label": tn("graph.svg_label", nodes.length),
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
      // the local derivative on the edge, at the curve's midpoint
      const local = el("text", { x: mid, y: (y1 + y2) / 2 - 3, class: "edge-partial" }, fmt(n.partials?.[k] ?? null, 3));
      local.appendChild(el("title", {}, `∂(${n.label})/∂(${byId.get(inputId).label}) = ${n.partials?.[k]}`));
      edges.appendChild(local);
      for (const id of [n.id, inputId]) edgeOf.set(id, [...(edgeOf.get(id) ?? []), path]);
    });
  }
  svg.appendChild(edges);

  const group = el("g", { class: "nodes" });
  for (const n of nodes) {
    const { x, y } = at.get(n.id);
    const kind = kindOf(n, graph.output);
    const g = el("g", { class: `node node-${kind}`, transform: `translate(${x} ${y})` });
    g.appendChild(el("title", {}, t("graph.node_title", { label: n.label, op: n.op, value: n.value, grad: n.grad, tangent: n.tangent })));
    g.appendChild(el("rect", { width: NODE_W, height: NODE_H, rx: 9, ry: 9 }));
    const label = n.label.length > 16 ? `${n.label.slice(0, 15)}…` : n.label;
    g.appendChild(el("text", { x: NODE_W / 2, y: 19, class: "node-label" }, label));
    g.appendChild(el("text", { x: 10, y: 36, class: "node-value" }, `v  ${fmt(n.value, 5)}`));
    g.appendChild(el("text", { x: 10, y: 51, class: "node-grad" }, `∂f ${fmt(n.grad, 5)}`));
    g.appendChild(el("text", { x: 10, y: 66, class: "node-tangent" }, `v̇  ${fmt(n.tangent ?? null, 5)}`));
    g.addEventListener("mouseenter", () => (edgeOf.get(n.id) ?? []).forEach((p) => p.classList.add("hot")));
    g.addEventListener("mouseleave", () => (edgeOf.get(n.id) ?? []).forEach((p) => p.classList.remove("hot")));
    group.appendChild(g);
  }
  svg.appendChild(group);
  const scroll = document.createElement("div");
  scroll.className = "graph-scroll-inner";
  scroll.appendChild(svg);
  container.replaceChildren(scroll, chainRule(graph, byId, onVariable), forwardTrace(graph, byId));
  listView()?.show(() => [nodeTable(graph, byId)], [graph]);
}

/** The "Graph as a list" toggle and its panel (in the page's graph card), bound once. */
let list = null;
function listView() {
  if (!list) {
    const button = document.getElementById("graph-list-toggle");
    const panel = document.getElementById("graph-list");
    if (!button || !panel) return null;
    list = new DataView(button, panel);
  }
  return list;
}

/** A node's name in the list: its number and label, "#3 *". */
const nodeName = (n) => `#${n.id} ${n.label}`;

/** What a node is: a variable, a constant or an operation (the table's op name). */
function operationOf(n, outputId) {
  const what = n.op === "var" ? t("graph.legend_var") : n.op === "const" ? t("graph.legend_const")
    : `${n.op} (${n.label})`;
  return n.id === outputId ? t("graph.list_output", { what }) : what;
}

/**
 * The graph as a table, one row per node in evaluation order: what it computes from which
 * inputs, the local derivatives on its edges, its value, its adjoint ∂f/∂node and its
 * tangent — every number the drawing shows, in the order one would read it.
 */
export function nodeTable(graph, byId) {
  const rows = graph.nodes.map((n) => [
    nodeName(n),
    operationOf(n, graph.output),
    n.inputs.length ? n.inputs.map((i) => nodeName(byId.get(i))).join(", ") : t("graph.list_none"),
    n.inputs.length
      ? n.inputs.map((i, k) => `∂/∂#${i} = ${fmt(n.partials?.[k] ?? null)}`).join("; ") : "—",
    n.value,
    n.grad,
    n.tangent ?? null,
  ]);
  return {
    caption: tn("graph.list_caption", graph.nodes.length),
    columns: [t("graph.col_node"), t("graph.legend_op"), t("graph.list_inputs"),
      t("graph.list_partials"), t("graph.col_value"), t("graph.list_adjoint"), t("graph.col_tangent")],
    rows,
    note: t("graph.list_note"),
  };
}

/** Most paths written out in the chain-rule panel (the sum is over all of them). */
const MAX_PATHS = 12;

/** Every path from node `from` to the output, as lists of [node, input slot] steps. */
function paths(graph, byId, from) {
  const consumers = new Map();
  for (const n of graph.nodes) n.inputs.forEach((j, slot) => consumers.set(j, [...(consumers.get(j) ?? []), [n.id, slot]]));
  const found = [];
  const walk = (id, trail) => {
    if (found.length > 1000) return; // enough to show that there are many
    if (id === graph.output) {
      found.push(trail);
      return;
    }
    for (const [next, slot] of consumers.get(id) ?? []) walk(next, [...trail, [next, slot]]);
  };
  walk(from, []);
  return found;
}

/**
 * The chain rule for a chosen variable: ∂f/∂x = Σ over paths of Π of the edges' local
 * derivatives. The variable chosen is also the forward trace's direction (`onVariable`
 * asks for the graph again along it).
 */
function chainRule(graph, byId, onVariable) {
  const box = document.createElement("div");
  box.className = "chain-rule";
  const head = document.createElement("div");
  head.className = "chain-head";
  const label = document.createElement("label");
  label.htmlFor = "chain-variable";
  label.textContent = t("graph.chain_for");
  const select = document.createElement("select");
  select.id = "chain-variable";
  const vars = graph.nodes.filter((n) => n.op === "var");
  for (const n of vars) {
    const option = document.createElement("option");
    option.value = String(n.id);
    option.textContent = `∂f/∂${n.label}`;
    select.appendChild(option);
  }
  head.append(label, select);
  const list = document.createElement("ol");
  list.className = "chain-paths";
  const total = document.createElement("p");
  total.className = "chain-total";
  const show = () => {
    const from = Number(select.value);
    const all = paths(graph, byId, from);
    const products = all.map((trail) => trail.reduce((acc, [id, slot]) => acc * byId.get(id).partials[slot], 1));
    list.replaceChildren(...all.slice(0, MAX_PATHS).map((trail, k) => {
      const li = document.createElement("li");
      const names = [byId.get(from).label, ...trail.map(([id]) => byId.get(id).label)].join(" → ");
      const factors = trail.map(([id, slot]) => fmt(byId.get(id).partials[slot], 4)).join(" · ");
      li.textContent = `${names}:  ${factors || "1"} = ${fmt(products[k], 5)}`;
      return li;
    }));
    const sum = products.reduce((a, b) => a + b, 0);
    const more = all.length > MAX_PATHS ? t("graph.more_paths", { n: all.length - MAX_PATHS }) : "";
    const name = byId.get(from).label;
    total.textContent = tn("graph.total", all.length, {
      name, sum: fmt(sum, 6), adjoint: fmt(byId.get(from).grad, 6),
    }) + more;
  };
  // the variable the forward trace runs along is the one selected
  const along = vars.findIndex((n, i) => graph.direction[i] === 1 && graph.direction.every((d, j) => j === i || d === 0));
  if (along >= 0) select.value = String(vars[along].id);
  select.addEventListener("change", () => {
    show();
    onVariable(vars.findIndex((n) => n.id === Number(select.value)));
  });
  if (vars.length) show();
  else total.textContent = t("graph.no_variables");
  const help = document.createElement("p");
  help.className = "help";
  help.textContent = t("graph.chain_help");
  box.append(head, help, list, total);
  return box;
}

/** The forward-mode trace: each node's value and tangent in evaluation order. */
function forwardTrace(graph, byId) {
  const box = document.createElement("div");
  box.className = "forward-trace";
  const title = document.createElement("h3");
  const vars = graph.nodes.filter((n) => n.op === "var").map((n) => n.label);
  const direction = graph.direction.map((d, i) => `${fmt(d, 3)}·e_${vars[i] ?? i}`).filter((t) => !t.startsWith("0·")).join(" + ");
  title.textContent = t("graph.forward_title", { direction: direction || "0" });
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const text of [t("graph.col_node"), t("graph.col_value"), t("graph.col_tangent")]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const n of graph.nodes) {
    const row = body.insertRow();
    const inputs = n.inputs.map((i) => byId.get(i).label).join(", ");
    for (const text of [n.inputs.length ? `${n.label}(${inputs})` : n.label, fmt(n.value, 6), fmt(n.tangent ?? null, 6)]) {
      row.insertCell().textContent = text;
    }
  }
  const out = byId.get(graph.output);
  const note = document.createElement("p");
  note.className = "help";
  note.textContent = t("graph.forward_note", { tangent: fmt(out.tangent ?? null, 6) });
  box.append(title, table, note);
  return box;
}

/** Show a short message in the graph panel instead of a graph. */
export function graphMessage(container, text) {
  const p = document.createElement("p");
  p.className = "graph-empty";
  p.textContent = text;
  container.replaceChildren(p);
  listView()?.show(() => [{ caption: text, columns: [], rows: [] }], null);
}
