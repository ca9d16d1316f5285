"""Layered (Sugiyama) layout of a graph, computed with grandalf.

The computation graph is a DAG drawn the way data flows: inputs at the top, the output
at the bottom.  A layered layout puts every node on a row (its *rank*) so that edges
point downwards, orders the nodes of each row to reduce crossings, and then assigns
coordinates.  grandalf implements the classic algorithm; this module feeds it boxes of
known sizes and reads back the centres of the boxes and the polyline of each edge.

Both the widget (which sends the positions to its JavaScript) and the static SVG use
the same layout, so the two pictures match.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

Point = tuple[float, float]
DUMMY_W = 8.0


@dataclass
class Layout:
    """Where each box and edge goes: centres of boxes, edge polylines, picture size."""

    positions: dict[Hashable, Point] = field(default_factory=dict)
    sizes: dict[Hashable, Point] = field(default_factory=dict)
    routes: dict[tuple[Hashable, Hashable], list[Point]] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0

    def box(self, key: Hashable) -> tuple[float, float, float, float]:
        """The box of ``key`` as (left, top, right, bottom)."""
        (x, y), (w, h) = self.positions[key], self.sizes[key]
        return x - w / 2, y - h / 2, x + w / 2, y + h / 2


class _Box:
    """What grandalf reads from a vertex's ``view``: its size, and where it writes xy."""

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h, self.xy = w, h, (0.0, 0.0)


class _Route:
    """What grandalf calls with the points of a routed edge."""

    def __init__(self) -> None:
        self.points: list[Point] = []

    def setpath(self, points) -> None:
        self.points = [tuple(p) for p in points]


def layered_layout(sizes: Mapping[Hashable, Point],
                   edges: Iterable[tuple[Hashable, Hashable]], *,
                   xspace: float = 24, yspace: float = 40, margin: float = 12) -> Layout:
    """Lay out boxes ``{key: (width, height)}`` joined by directed ``edges`` (src, dst).

    Sources end up at the top and edges point down.  Unconnected pieces of the graph
    are laid out one by one and placed side by side.  Coordinates start at ``margin``.
    """
    keys = list(sizes)
    vertices = {k: Vertex(k) for k in keys}
    for k, v in vertices.items():
        v.view = _Box(*sizes[k])
    graph_edges = []
    for src, dst in dict.fromkeys(edges):  # drop duplicates, keep order
        if src == dst or src not in vertices or dst not in vertices:
            continue
        e = Edge(vertices[src], vertices[dst])
        e.view = _Route()
        graph_edges.append(e)
    layout = Layout(sizes={k: tuple(sizes[k]) for k in keys})
    if not keys:
        layout.width = layout.height = 2 * margin
        return layout
    graph = Graph(list(vertices.values()), graph_edges)
    left = margin
    bottom = margin
    for component in _ordered_components(graph, keys):
        sug = SugiyamaLayout(component)
        sug.xspace, sug.yspace = xspace, yspace
        sug.dw = DUMMY_W  # the points that long edges bend through: narrow
        sug.init_all(optimize=True)
        sug.draw()
        _separate(sug.layers, xspace)
        sug.draw_edges()
        lo = min(v.view.xy[0] - v.view.w / 2 for v in component.sV)
        top = min(v.view.xy[1] - v.view.h / 2 for v in component.sV)
        dx, dy = left - lo, margin - top
        right = left
        for v in component.sV:
            x, y = v.view.xy[0] + dx, v.view.xy[1] + dy
            layout.positions[v.data] = (x, y)
            right = max(right, x + v.view.w / 2)
            bottom = max(bottom, y + v.view.h / 2)
        for e in component.sE:
            points = [(x + dx, y + dy) for x, y in e.view.points]
            layout.routes[(e.v[0].data, e.v[1].data)] = _clip_ends(layout, e.v[0].data,
                                                                   e.v[1].data, points)
        left = right + 2 * xspace
    layout.width = left - 2 * xspace + margin
    layout.height = bottom + margin
    return layout


def _separate(layers, xspace: float) -> None:
    """Push apart boxes of a row that ended up too close.

    grandalf's final x of a node is an average of four alignments, which keeps the order
    of each row but not always the spacing: wide boxes can overlap.  A sweep from left
    to right restores the gap, keeping the order.
    """
    for layer in layers:
        row = sorted(layer, key=lambda v: v.view.xy[0])
        for prev, cur in zip(row, row[1:]):
            gap = xspace if (prev.view.w > DUMMY_W and cur.view.w > DUMMY_W) else xspace / 2
            least = prev.view.xy[0] + (prev.view.w + cur.view.w) / 2 + gap
            if cur.view.xy[0] < least:
                cur.view.xy = (least, cur.view.xy[1])


def _ordered_components(graph: Graph, keys: list) -> list:
    """The connected pieces, biggest first (ties: in the order their nodes were given)."""
    order = {k: i for i, k in enumerate(keys)}
    return sorted(graph.C, key=lambda c: (-len(c.sV), min(order[v.data] for v in c.sV)))


def _clip_ends(layout: Layout, src, dst, points: list[Point]) -> list[Point]:
    """Start the edge at the bottom of its source box and end it at the top of its target."""
    if len(points) < 2:
        points = [layout.positions[src], layout.positions[dst]]
    (sx, sy), (tx, ty) = layout.positions[src], layout.positions[dst]
    first = (sx, sy + layout.sizes[src][1] / 2)
    last = (tx, ty - layout.sizes[dst][1] / 2)
    return [first, *points[1:-1], last]


def overlaps(layout: Layout, gap: float = 0.0) -> list[tuple[Hashable, Hashable]]:
    """Pairs of boxes that overlap (closer than ``gap``): an empty list for a good layout."""
    keys = list(layout.positions)
    boxes = {k: layout.box(k) for k in keys}
    found = []
    for i, a in enumerate(keys):
        al, at, ar, ab = boxes[a]
        for b in keys[i + 1:]:
            bl, bt, br, bb = boxes[b]
            if al < br + gap and bl < ar + gap and at < bb + gap and bt < ab + gap:
                found.append((a, b))
    return found
