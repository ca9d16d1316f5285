"""The graph as a static SVG picture, and the colours both pictures share.

``render(state)`` draws the same data the widget's JavaScript draws (see
``_graph_model.build_state``), so a notebook viewed where widgets cannot run (GitHub,
nbconvert's HTML) still shows the graph, with gradients, as it was last drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# light to dark: small gradients are pale, large ones dark red
PALETTE = ["#fef9c3", "#fde047", "#fb923c", "#dc2626", "#7f1d1d"]
KIND_FILL = {"op": "#f3f4f6", "leaf": "#dbeafe", "module": "#ede9fe"}
KIND_STROKE = {"op": "#6b7280", "leaf": "#2563eb", "module": "#7c3aed"}
KIND_RADIUS = {"op": 3, "leaf": 10, "module": 6}
CURRENT_STROKE = "#ea580c"
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
LEGEND_H = 34
LEGEND_W = 420


@dataclass
class GradScale:
    """Maps a gradient norm to [0, 1] on a log scale between the smallest and largest."""

    lo: float
    hi: float

    def __call__(self, norm: float) -> float:
        if norm <= 0:
            return 0.0
        if self.hi <= self.lo:  # every gradient the same size: the middle colour
            return 0.5
        t = (math.log(norm) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        return min(1.0, max(0.0, t))


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def palette(t: float) -> str:
    """The colour at ``t`` in [0, 1] along PALETTE."""
    t = min(1.0, max(0.0, t)) * (len(PALETTE) - 1)
    i = min(int(t), len(PALETTE) - 2)
    a, b = _rgb(PALETTE[i]), _rgb(PALETTE[i + 1])
    f = t - i
    return _hex(tuple(x + (y - x) * f for x, y in zip(a, b)))


def ink_for(fill: str) -> str:
    """Black text on light fills, white on dark ones."""
    r, g, b = _rgb(fill)
    return "#111827" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def fill_for(kind: str, norm: float | None, scale: GradScale | None) -> tuple[str, str]:
    """Fill and text colour of a box: by gradient size when it has one, else by kind."""
    fill = palette(scale(norm)) if norm is not None and scale is not None else KIND_FILL[kind]
    return fill, ink_for(fill)


def render(state: dict) -> str:
    """The picture of a graph state as an SVG document (one ``<g class="tk-node">`` per box)."""
    legend = state.get("legend")
    width = max(state["width"], LEGEND_W if legend else 240)
    height = state["height"] + (LEGEND_H if legend else 0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="tk-graph" width="{width:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'font-family={quoteattr(FONT)} font-size="12">',
           '<defs><marker id="tk-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
           '<g class="tk-edges">']
    for edge in state["edges"]:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in edge["points"])
        color, w = ("#ea580c", 2.5) if edge.get("active") else ("#9ca3af", 1.2)
        out.append(f'<path class="tk-edge" data-source="{edge["source"]}" '
                   f'data-target="{edge["target"]}" d="{d}" fill="none" stroke="{color}" '
                   f'stroke-width="{w}" marker-end="url(#tk-arrow)"/>')
    out.append('</g><g class="tk-nodes">')
    for node in state["nodes"]:
        out.append(_node(node))
    out.append("</g>")
    if legend:
        out.append(_legend(legend, state["height"], width))
    out.append("</svg>")
    return "\n".join(out)


def _node(node: dict) -> str:
    x0, y0 = node["x"] - node["w"] / 2, node["y"] - node["h"] / 2
    kind = node["kind"]
    stroke, sw = KIND_STROKE[kind], 2.0 if node.get("root") else 1.2
    if node.get("state") == "current":
        stroke, sw = CURRENT_STROKE, 3.0
    opacity = ' opacity="0.45"' if node.get("state") == "pending" else ""
    parts = [f'<g class="tk-node tk-{kind}" data-id="{node["id"]}"{opacity}>',
             f"<title>{escape(node.get('title', ''))}</title>",
             f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{node["w"]:.1f}" height="{node["h"]:.1f}" '
             f'rx="{KIND_RADIUS[kind]}" fill="{node["fill"]}" stroke="{stroke}" '
             f'stroke-width="{sw}"/>']
    if kind == "module":  # a double border: a box that holds more boxes
        parts.append(f'<rect x="{x0 + 3:.1f}" y="{y0 + 3:.1f}" width="{node["w"] - 6:.1f}" '
                     f'height="{node["h"] - 6:.1f}" rx="4" fill="none" stroke="{stroke}" '
                     'stroke-width="0.8"/>')
    lines = [node["label"], *node["lines"]]
    baseline = y0 + 7 + 12
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if i == 0 else ""
        parts.append(f'<text class="tk-line" x="{node["x"]:.1f}" y="{baseline + 16 * i:.1f}" '
                     f'text-anchor="middle" fill="{node["ink"]}"{weight}>{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _legend(legend: dict, top: float, width: float) -> str:
    """A colour bar: the gradient norms from the smallest to the largest on the picture."""
    bar_w, x0, y0 = 160, 12, top + 8
    stops = "".join(f'<stop offset="{i / (len(PALETTE) - 1):.2f}" stop-color="{c}"/>'
                    for i, c in enumerate(PALETTE))
    return (f'<g class="tk-legend"><defs><linearGradient id="tk-scale">{stops}'
            f'</linearGradient></defs>'
            f'<text x="{x0}" y="{y0 + 12}" fill="#374151">‖grad‖ {legend["min"]:.3g}</text>'
            f'<rect x="{x0 + 110}" y="{y0 + 2}" width="{bar_w}" height="12" '
            f'fill="url(#tk-scale)" stroke="#9ca3af" stroke-width="0.5"/>'
            f'<text x="{x0 + 118 + bar_w}" y="{y0 + 12}" fill="#374151">'
            f'{legend["max"]:.3g} (log scale)</text></g>')
