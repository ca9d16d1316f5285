// GraphView's drawing: an anywidget ES module with no imports.
//
// Python computes everything (which boxes, where they go, their colours, the step
// text) and puts it in the model's `graph` trait; this file only turns that data into
// SVG elements and sends the buttons' clicks back as messages.

const SVG_NS = "http://www.w3.org/2000/svg";
const STROKE = { op: "#6b7280", leaf: "#2563eb", module: "#7c3aed" };
const RADIUS = { op: 3, leaf: 10, module: 6 };
const PALETTE = ["#fef9c3", "#fde047", "#fb923c", "#dc2626", "#7f1d1d"];
let nextId = 0;

function svg(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function html(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function button(parent, label, title, onClick) {
  const b = html("button", "tk-button", parent, label);
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function fmt(value) {
  return Number(value).toPrecision(3).replace(/\.?0+(e|$)/, "$1");
}

function drawNode(parent, node, send) {
  const g = svg("g", { class: `tk-node tk-${node.kind}`, "data-id": node.id }, parent);
  if (node.state === "pending") g.setAttribute("opacity", "0.45");
  if (node.state) g.classList.add(`tk-${node.state}`);
  svg("title", {}, g).textContent = node.title || "";
  const x0 = node.x - node.w / 2;
  const y0 = node.y - node.h / 2;
  let stroke = STROKE[node.kind];
  let width = node.root ? 2 : 1.2;
  if (node.state === "current") [stroke, width] = ["#ea580c", 3];
  svg("rect", { x: x0, y: y0, width: node.w, height: node.h, rx: RADIUS[node.kind],
                fill: node.fill, stroke, "stroke-width": width }, g);
  if (node.kind === "module") {
    svg("rect", { x: x0 + 3, y: y0 + 3, width: node.w - 6, height: node.h - 6, rx: 4,
                  fill: "none", stroke, "stroke-width": 0.8 }, g);
    g.addEventListener("click", () => send({ type: "expand", module: node.module }));
  }
  [node.label, ...node.lines].forEach((line, i) => {
    const t = svg("text", { class: i === 0 ? "tk-label" : "tk-line", x: node.x,
                            y: y0 + 19 + 16 * i, "text-anchor": "middle", fill: node.ink }, g);
    if (i === 0) t.setAttribute("font-weight", "bold");
    t.textContent = line;
  });
}

function drawEdge(parent, edge, marker) {
  const d = "M" + edge.points.map(([x, y]) => `${x},${y}`).join(" L");
  svg("path", { class: "tk-edge" + (edge.active ? " tk-active" : ""), d, fill: "none",
                stroke: edge.active ? "#ea580c" : "#9ca3af",
                "stroke-width": edge.active ? 2.5 : 1.2, "marker-end": `url(#${marker})`,
                "data-source": edge.source, "data-target": edge.target }, parent);
  if (edge.active && edge.label) {
    const mid = edge.points[Math.floor(edge.points.length / 2)];
    const prev = edge.points[Math.floor(edge.points.length / 2) - 1] || mid;
    const t = svg("text", { class: "tk-edge-label", x: (mid[0] + prev[0]) / 2 + 6,
                            y: (mid[1] + prev[1]) / 2, fill: "#9a3412" }, parent);
    t.textContent = edge.label.length > 40 ? edge.label.slice(0, 39) + "…" : edge.label;
  }
}

function drawLegend(parent, legend, top, uid) {
  const g = svg("g", { class: "tk-legend" }, parent);
  const defs = svg("defs", {}, g);
  const grad = svg("linearGradient", { id: `tk-scale-${uid}` }, defs);
  PALETTE.forEach((color, i) =>
    svg("stop", { offset: i / (PALETTE.length - 1), "stop-color": color }, grad));
  svg("text", { x: 12, y: top + 20, fill: "#374151" }, g).textContent =
    `‖grad‖ ${fmt(legend.min)}`;
  svg("rect", { x: 122, y: top + 10, width: 160, height: 12, fill: `url(#tk-scale-${uid})`,
                stroke: "#9ca3af", "stroke-width": 0.5 }, g);
  svg("text", { x: 290, y: top + 20, fill: "#374151" }, g).textContent =
    `${fmt(legend.max)} (log scale)`;
}

function render({ model, el }) {
  const uid = nextId++;
  const marker = `tk-arrow-${uid}`;
  let zoom = 1;
  const root = html("div", "tk-graph-view", el);
  const bar = html("div", "tk-toolbar", root);
  const send = (msg) => model.send(msg);
  const resetB = button(bar, "reset", "back to before the first backward step",
                        () => send({ type: "reset" }));
  const stepB = button(bar, "step ▶", "run backward one node further",
                       () => send({ type: "step" }));
  const allB = button(bar, "all", "show every gradient", () => send({ type: "all" }));
  html("span", "tk-sep", bar);
  button(bar, "−", "zoom out", () => { zoom = Math.max(0.2, zoom / 1.25); draw(); });
  button(bar, "+", "zoom in", () => { zoom = Math.min(4, zoom * 1.25); draw(); });
  const modulesBar = html("span", "tk-modules", bar);
  const status = html("span", "tk-status", bar);
  const canvas = html("div", "tk-canvas", root);
  const stepText = html("div", "tk-steptext", root);

  function draw() {
    const state = model.get("graph") || {};
    const nodes = state.nodes || [];
    const edges = state.edges || [];
    const step = state.step || { index: 0, count: 0, text: [], stepping: false };
    const legendH = state.legend ? 34 : 0;
    const width = Math.max(state.width || 0, state.legend ? 420 : 240);
    const height = (state.height || 24) + legendH;
    canvas.replaceChildren();
    const picture = svg("svg", { class: "tk-graph", width: width * zoom, height: height * zoom,
                                 viewBox: `0 0 ${width} ${height}`, "font-size": 12 }, canvas);
    const defs = svg("defs", {}, picture);
    const m = svg("marker", { id: marker, viewBox: "0 0 10 10", refX: 9, refY: 5,
                              markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
                  defs);
    svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#6b7280" }, m);
    svg("rect", { width, height, fill: "#ffffff" }, picture);
    const edgeLayer = svg("g", { class: "tk-edges" }, picture);
    edges.forEach((edge) => drawEdge(edgeLayer, edge, marker));
    const nodeLayer = svg("g", { class: "tk-nodes" }, picture);
    nodes.forEach((node) => drawNode(nodeLayer, node, send));
    if (state.legend) drawLegend(picture, state.legend, state.height, uid);

    const hasSteps = step.count > 0;
    resetB.disabled = !hasSteps;
    stepB.disabled = !hasSteps;
    allB.disabled = !step.stepping;
    status.textContent = `${nodes.length} nodes` +
      (state.watching ? " · watching" : "") +
      (step.stepping ? ` · step ${step.index}/${step.count}` : "");
    modulesBar.replaceChildren();
    if ((state.modules || []).length) {
      button(modulesBar, "expand all", "open every module", () => send({ type: "expand" }));
      button(modulesBar, "collapse all", "one box per module",
             () => send({ type: "collapse" }));
      for (const path of state.expanded || []) {
        button(modulesBar, `${path} ✕`, `collapse ${path} into one box`,
               () => send({ type: "collapse", module: path }));
      }
    }
    stepText.replaceChildren();
    for (const line of step.text || []) html("div", "tk-stepline", stepText, line);
    stepText.style.display = (step.text || []).length ? "" : "none";
  }

  draw();
  model.on("change:graph", draw);
  return () => model.off("change:graph", draw);
}

export default { render };
