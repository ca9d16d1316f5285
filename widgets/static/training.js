// TrainingView's browser side (an anywidget ES module, no imports: works offline).
//
// The Python side syncs, at most every `interval` seconds:
//   series:     {loss: {x, y}, accuracy: {x, y}, grad_norms: {x, y: {layer: [...]}},
//                epochs: [{epoch, step, test_accuracy?}]}    (y values may be null: gaps)
//   histograms: {layer: {weight: {edges, counts}, grad: {edges, counts} | null}}
//   layers, selected (the layer whose histograms are shown; set here too), title, summary.
// Everything is drawn as SVG, redrawn from scratch on each change (a few thousand points).

const SVG_NS = "http://www.w3.org/2000/svg";
const VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#bddf26"];
const COLORS = { loss: "#1f77b4", smooth: "#0b3d66", acc: "#2ca02c", test: "#d62728",
                 weight: "#1f77b4", grad: "#ff7f0e" };
const W = 420, H = 230;                       // chart size in SVG units (scaled by CSS)
const PAD = { left: 50, right: 10, top: 12, bottom: 30 };

const CSS = `
.tk-training { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 12px;
  color: var(--jp-ui-font-color1, var(--vscode-editor-foreground, #222)); max-width: 900px; }
.tk-training .tk-head { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline;
  margin: 2px 0 6px 0; }
.tk-training .tk-title { font-weight: bold; font-size: 13px; }
.tk-training .tk-stat b { font-variant-numeric: tabular-nums; }
.tk-training .tk-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
  gap: 8px; }
.tk-training .tk-cell { border: 1px solid rgba(128,128,128,0.3); border-radius: 4px; padding: 4px; }
.tk-training .tk-cell-head { display: flex; justify-content: space-between; align-items: center;
  font-weight: bold; min-height: 22px; gap: 6px; }
.tk-training .tk-cell-head label, .tk-training select { font-weight: normal; font-size: 11px; }
.tk-training svg { width: 100%; height: auto; display: block; overflow: visible; }
.tk-training svg text { fill: currentColor; font-size: 10px; }
.tk-training .tk-grid-line { stroke: rgba(128,128,128,0.25); }
.tk-training .tk-frame { stroke: rgba(128,128,128,0.6); fill: none; }
.tk-training .tk-epoch { stroke: rgba(128,128,128,0.8); stroke-dasharray: 4 3; }
.tk-training .tk-legend { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 11px;
  font-weight: normal; }
.tk-training .tk-legend-item { cursor: pointer; white-space: nowrap; }
.tk-training .tk-legend-item i { display: inline-block; width: 9px; height: 9px; margin-right: 3px;
  border-radius: 2px; vertical-align: -1px; }
.tk-training .tk-legend-item.tk-selected { font-weight: bold; }
.tk-training .tk-dim { opacity: 0.12; }
.tk-training .tk-empty { fill: rgba(128,128,128,0.9); }
`;

function svgEl(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function htmlEl(tag, attrs, parent, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

export function depthColor(i, n) {
  // Dark (input) to light (output): a fan of lines reads as depth.
  if (n <= 1) return VIRIDIS[2];
  const t = (i / (n - 1)) * (VIRIDIS.length - 1);
  const k = Math.min(Math.floor(t), VIRIDIS.length - 2);
  const f = t - k, a = VIRIDIS[k], b = VIRIDIS[k + 1];
  let out = "#";
  for (const j of [1, 3, 5]) {
    const c = Math.round(parseInt(a.slice(j, j + 2), 16) * (1 - f) + parseInt(b.slice(j, j + 2), 16) * f);
    out += c.toString(16).padStart(2, "0");
  }
  return out;
}

function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  let step = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) { if (raw <= m * step) { step *= m; break; } }
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
  return ticks;
}

function fmt(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

// A synced buffer (a DataView over int32 or float32 values) as a plain array.
function arr(v, Type) {
  if (!v) return [];
  if (Array.isArray(v)) return v;
  const view = v instanceof DataView ? v : new DataView(v.buffer || v, v.byteOffset || 0, v.byteLength);
  const copy = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return Array.from(new Type(copy));
}

function curve(c) {
  return c ? { x: arr(c.x, Int32Array), y: arr(c.y, Float32Array) } : { x: [], y: [] };
}

function finite(values, log) {
  return values.filter((v) => v !== null && Number.isFinite(v) && (!log || v > 0));
}

// One line chart: axes, grid, epoch lines, polylines.  `lines`: [{x, y, color, cls, width}].
function lineChart(svg, { lines, log = false, ylim = null, epochs = [], xlabel = "step", xmax = null }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const left = PAD.left, right = W - PAD.right, top = PAD.top, bottom = H - PAD.bottom;
  const xs = lines.flatMap((l) => l.x).concat(epochs, xmax === null ? [] : [xmax]);
  const ys = finite(lines.flatMap((l) => l.y), log);
  let x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 1;
  if (x1 <= x0) x1 = x0 + 1;
  let y0, y1;
  if (ylim) [y0, y1] = ylim;
  else if (!ys.length) [y0, y1] = log ? [-3, 0] : [0, 1];
  else if (log) {
    y0 = Math.floor(Math.log10(Math.min(...ys)));
    y1 = Math.max(Math.ceil(Math.log10(Math.max(...ys))), y0 + 1);
  } else {
    y0 = Math.min(...ys); y1 = Math.max(...ys);
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  }
  const px = (x) => left + ((x - x0) / (x1 - x0)) * (right - left);
  const py = (y) => bottom - (((log ? Math.log10(y) : y) - y0) / (y1 - y0)) * (bottom - top);

  const every = Math.max(1, Math.ceil((y1 - y0) / 6));  // log axis: every few decades
  const yticks = log ? Array.from({ length: Math.floor((y1 - y0) / every) + 1 },
                                  (_, k) => Math.pow(10, y0 + k * every))
                     : niceTicks(y0, y1);
  for (const y of yticks) {
    svgEl("line", { class: "tk-grid-line", x1: left, x2: right, y1: py(y), y2: py(y) }, svg);
    svgEl("text", { x: left - 4, y: py(y) + 3, "text-anchor": "end" }, svg).textContent = fmt(y);
  }
  for (const x of niceTicks(x0, x1)) {
    svgEl("text", { x: px(x), y: bottom + 12, "text-anchor": "middle" }, svg).textContent = fmt(x);
  }
  svgEl("text", { x: (left + right) / 2, y: bottom + 25, "text-anchor": "middle" }, svg)
    .textContent = xlabel;
  svgEl("rect", { class: "tk-frame", x: left, y: top, width: right - left, height: bottom - top }, svg);
  for (const s of epochs) svgEl("line", { class: "tk-epoch", x1: px(s), x2: px(s), y1: top, y2: bottom }, svg);

  const drawn = [];
  for (const line of lines) {
    // A null (or, on a log axis, a value <= 0) breaks the line; every run is one polyline
    // but all runs of one series share its class and the point count of the whole series.
    const runs = [];
    let run = [];
    line.y.forEach((y, i) => {
      if (y === null || !Number.isFinite(y) || (log && y <= 0)) {
        if (run.length) runs.push(run);
        run = [];
      } else run.push(`${px(line.x[i]).toFixed(1)},${py(y).toFixed(1)}`);
    });
    if (run.length) runs.push(run);
    const group = svgEl("g", { class: `tk-series ${line.cls}`, "data-count": line.y.length,
                               "data-label": line.label || "" }, svg);
    for (const r of runs) {
      svgEl("polyline", { class: `tk-line ${line.cls}`, points: r.join(" "), fill: "none",
                          stroke: line.color, "stroke-width": line.width || 1.5,
                          "data-count": line.y.length }, group);
    }
    if (line.markers) {
      line.y.forEach((y, i) => {
        if (y !== null) svgEl("circle", { cx: px(line.x[i]), cy: py(y), r: 3, fill: line.color }, group);
      });
    }
    drawn.push(group);
  }
  if (!lines.some((l) => l.y.length)) {
    svgEl("text", { class: "tk-empty", x: (left + right) / 2, y: (top + bottom) / 2,
                    "text-anchor": "middle" }, svg).textContent = "no data yet";
  }
  return { drawn, right, top };
}

// A legend as HTML chips under (or beside) a chart: it wraps for many layers and each
// chip can be hovered (highlight that line) and clicked (pick that layer).
function legend(box, items, onEnter, onLeave, onClick) {
  box.replaceChildren();
  for (const item of items) {
    const chip = htmlEl("span", { class: "tk-legend-item", title: item.label }, box);
    htmlEl("i", { style: `background:${item.color}` }, chip);
    chip.append(item.label);
    if (item.selected) chip.classList.add("tk-selected");
    if (onEnter) chip.addEventListener("mouseenter", () => onEnter(item));
    if (onLeave) chip.addEventListener("mouseleave", () => onLeave(item));
    if (onClick) chip.addEventListener("click", () => onClick(item));
  }
}

function ema(values, alpha) {
  let acc = null;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return acc;
    acc = acc === null ? v : alpha * v + (1 - alpha) * acc;
    return acc;
  });
}

function histogramChart(svg, hist, color, label) {
  svg.replaceChildren();
  const h = 110;
  svg.setAttribute("viewBox", `0 0 ${W} ${h}`);
  const left = PAD.left, right = W - PAD.right, top = 14, bottom = h - 16;
  svgEl("text", { x: 4, y: 10 }, svg).textContent = label;
  if (!hist) {
    svgEl("text", { class: "tk-empty", x: (left + right) / 2, y: (top + bottom) / 2,
                    "text-anchor": "middle" }, svg).textContent = "no values yet";
    return;
  }
  const { edges, counts } = hist;
  const lo = edges[0], span = (edges[edges.length - 1] - lo) || 1;
  const peak = Math.max(...counts, 1);
  const px = (v) => left + ((v - lo) / span) * (right - left);
  counts.forEach((c, i) => {
    const bh = (c / peak) * (bottom - top);
    svgEl("rect", { class: "tk-bar", x: px(edges[i]), y: bottom - bh,
                    width: Math.max(px(edges[i + 1]) - px(edges[i]) - 0.5, 0.5), height: bh,
                    fill: color }, svg);
  });
  svgEl("line", { class: "tk-frame", x1: left, x2: right, y1: bottom, y2: bottom }, svg);
  const ticks = [[lo, "start"], [edges[edges.length - 1], "end"]];
  if (lo < 0 && edges[edges.length - 1] > 0) ticks.push([0, "middle"]);
  for (const [v, anchor] of ticks) {
    svgEl("text", { x: px(v), y: bottom + 12, "text-anchor": anchor }, svg).textContent = fmt(v);
  }
  svgEl("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, svg).textContent = String(peak);
  if (hist.nonfinite) {
    svgEl("text", { class: "tk-nonfinite", x: right, y: 10, "text-anchor": "end", style: "fill:#d62728" },
          svg).textContent = `${hist.nonfinite} NaN/inf values`;
  }
}

function render({ model, el }) {
  const style = htmlEl("style", {}, el, CSS);
  const root = htmlEl("div", { class: "tk-training" }, el);
  const head = htmlEl("div", { class: "tk-head" }, root);
  const title = htmlEl("span", { class: "tk-title" }, head);
  const stats = htmlEl("span", { class: "tk-stats" }, head);
  const grid = htmlEl("div", { class: "tk-grid" }, root);

  function cell(name) {
    const c = htmlEl("div", { class: `tk-cell tk-${name}-cell` }, grid);
    const h = htmlEl("div", { class: "tk-cell-head" }, c);
    return { cell: c, head: h };
  }
  const lossCell = cell("loss");
  htmlEl("span", {}, lossCell.head, "loss");
  const logLabel = htmlEl("label", {}, lossCell.head);
  const logBox = htmlEl("input", { type: "checkbox" }, logLabel);
  logLabel.append(" log scale");
  const lossSvg = svgEl("svg", { class: "tk-chart tk-loss-chart" }, lossCell.cell);

  const accCell = cell("accuracy");
  htmlEl("span", {}, accCell.head, "accuracy");
  const accLegend = htmlEl("span", { class: "tk-legend" }, accCell.head);
  const accSvg = svgEl("svg", { class: "tk-chart tk-accuracy-chart" }, accCell.cell);

  const gradCell = cell("grad");
  htmlEl("span", {}, gradCell.head, "gradient norm per layer (log scale)");
  const gradSvg = svgEl("svg", { class: "tk-chart tk-grad-chart" }, gradCell.cell);
  const gradLegend = htmlEl("div", { class: "tk-legend tk-grad-legend" }, gradCell.cell);

  const histCell = cell("hist");
  htmlEl("span", {}, histCell.head, "histograms");
  const select = htmlEl("select", { class: "tk-layer-select" }, histCell.head);
  const weightSvg = svgEl("svg", { class: "tk-chart tk-weight-hist" }, histCell.cell);
  const gradHistSvg = svgEl("svg", { class: "tk-chart tk-grad-hist" }, histCell.cell);

  let highlighted = null;
  let pending = false;

  function drawStats() {
    const s = model.get("summary") || {};
    title.textContent = model.get("title") || "";
    const parts = [["step", s.steps], ["loss", s.loss], ["batch accuracy", s.accuracy],
                   ["test accuracy", s.test_accuracy]];
    stats.replaceChildren();
    for (const [name, v] of parts) {
      if (v === null || v === undefined) continue;
      const span = htmlEl("span", { class: `tk-stat tk-stat-${name.replace(" ", "-")}` }, stats, `${name} `);
      htmlEl("b", {}, span, typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v));
      stats.append(" ");
    }
  }

  function drawCharts() {
    const series = model.get("series") || {};
    const loss = curve(series.loss);
    const acc = curve(series.accuracy);
    const gradX = series.grad_norms ? arr(series.grad_norms.x, Int32Array) : [];
    const gradY = series.grad_norms ? series.grad_norms.y : {};
    const epochs = series.epochs || [];
    const epochSteps = epochs.map((e) => e.step);
    const alpha = Math.min(1, 10 / Math.max(loss.y.length, 10));
    const last = loss.x.length ? loss.x[loss.x.length - 1] : null;  // every axis ends here
    lineChart(lossSvg, {
      log: logBox.checked, epochs: epochSteps,
      lines: [{ x: loss.x, y: loss.y, color: COLORS.loss, cls: "tk-loss", width: 1, label: "loss" },
              { x: loss.x, y: ema(loss.y, alpha), color: COLORS.smooth, cls: "tk-loss-smooth", width: 2,
                label: "smoothed" }],
    });
    const tests = epochs.filter((e) => e.test_accuracy !== undefined);
    const accLines = [{ x: acc.x, y: acc.y, color: COLORS.acc, cls: "tk-accuracy", width: 1,
                        label: "train batch" }];
    if (tests.length) {
      accLines.push({ x: tests.map((e) => e.step), y: tests.map((e) => e.test_accuracy),
                      color: COLORS.test, cls: "tk-test-accuracy", width: 2, markers: true, label: "test" });
    }
    lineChart(accSvg, { lines: accLines, ylim: [0, 1], epochs: epochSteps, xmax: last });
    legend(accLegend, acc.y.length || tests.length
      ? accLines.map((l) => ({ label: l.label, color: l.color })) : []);
    const layers = model.get("layers") || [];
    const gradLines = layers.map((name, i) => ({
      x: gradX, y: arr(gradY[name], Float32Array), color: depthColor(i, layers.length), cls: "tk-grad-norm",
      width: name === model.get("selected") ? 2.5 : 1.5, label: name,
    }));
    const g = lineChart(gradSvg, { lines: gradLines, log: true, epochs: epochSteps, xmax: last });
    const setDim = (label) => g.drawn.forEach((node) => {
      node.classList.toggle("tk-dim", label !== null && node.getAttribute("data-label") !== label);
    });
    legend(gradLegend, gradLines.map((l) => ({ label: l.label, color: l.color,
                                             selected: l.label === model.get("selected") })),
           (item) => { highlighted = item.label; setDim(item.label); },
           () => { highlighted = null; setDim(null); },
           (item) => { model.set("selected", item.label); model.save_changes(); });
    if (highlighted !== null) setDim(highlighted);
  }

  function drawHistograms() {
    const layers = model.get("layers") || [];
    const selected = model.get("selected");
    if (select.options.length !== layers.length ||
        Array.from(select.options).some((o, i) => o.value !== layers[i])) {
      select.replaceChildren();
      for (const name of layers) htmlEl("option", { value: name }, select, name);
    }
    select.value = selected;
    const hist = (model.get("histograms") || {})[selected] || {};
    histogramChart(weightSvg, hist.weight || null, COLORS.weight, `weights of ${selected}`);
    histogramChart(gradHistSvg, hist.grad || null, COLORS.grad, `gradients of ${selected}`);
  }

  function draw() {
    pending = false;
    drawStats();
    drawCharts();
    drawHistograms();
  }
  function schedule() {
    // Coalesce the several trait changes of one sync into one redraw.
    if (pending) return;
    pending = true;
    (window.requestAnimationFrame || setTimeout)(draw);
  }

  select.addEventListener("change", () => { model.set("selected", select.value); model.save_changes(); });
  logBox.addEventListener("change", draw);
  const events = ["change:series", "change:histograms", "change:layers", "change:selected",
                  "change:title", "change:summary"];
  for (const e of events) model.on(e, schedule);
  draw();
  return () => {
    for (const e of events) model.off(e, schedule);
    style.remove();
  };
}

export default { render };
