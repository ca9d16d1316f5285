"""What every teaching view shares: an ipywidgets box of controls above an SVG picture
drawn in Python, so that the same picture is the live view and the static one."""

from __future__ import annotations

import math
from contextlib import contextmanager
from xml.sax.saxutils import escape

import ipywidgets

__all__ = ["Explorer", "Svg", "diverging", "gray"]


class Svg:
    """A tiny SVG writer: shapes appended in order, ``str()`` gives the document."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str = "none",
             stroke: str | None = None, width: float = 1.0, cls: str | None = None,
             title: str | None = None, **attrs) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        s = f' stroke="{stroke}" stroke-width="{width}"' if stroke else ""
        c = f' class="{cls}"' if cls else ""
        body = f"<title>{escape(title)}</title>" if title else ""
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                          f'fill="{fill}"{s}{c}{extra}>{body}</rect>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#888",
             width: float = 1.0, **attrs) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                          f'stroke="{stroke}" stroke-width="{width}"{extra}/>')

    def circle(self, x: float, y: float, r: float, fill: str, cls: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}"{c}/>')

    def text(self, x: float, y: float, text: str, size: float = 11, anchor: str = "start",
             weight: str = "normal", fill: str = "#222", cls: str | None = None,
             family: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        f = f' font-family="{family}"' if family else ""
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
                          f'text-anchor="{anchor}" font-weight="{weight}" fill="{fill}"{c}{f}>'
                          f'{escape(str(text))}</text>')

    def __str__(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
                f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
                f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>'
                + "".join(self.parts) + "</svg>")


def gray(v: float) -> str:
    """0 -> black, 1 -> white (as MNIST digits are usually shown: white on black)."""
    c = round(255 * min(max(v, 0.0), 1.0))
    return f"#{c:02x}{c:02x}{c:02x}"


def diverging(v: float, vmax: float) -> str:
    """Negative blue, zero white, positive red (NaN gray)."""
    if not math.isfinite(v):
        return "#bbbbbb"
    t = min(abs(v) / vmax, 1.0) if vmax > 0 else 0.0
    far = (33, 102, 172) if v < 0 else (178, 24, 43)
    rgb = [round(255 + (c - 255) * t) for c in far]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"


class Explorer(ipywidgets.VBox):
    """Controls above a picture; subclasses build ``self.controls`` and ``to_svg()``."""

    def __init__(self, controls: list) -> None:
        self._picture = ipywidgets.HTML(layout=ipywidgets.Layout(overflow="auto"))
        self._held = False
        super().__init__([*controls, self._picture])

    def _on_change(self, _change=None) -> None:
        if not self._held:
            self.redraw()

    @contextmanager
    def batch(self, redraw: bool = True):
        """Change several controls, then redraw once (or not at all)."""
        held, self._held = self._held, True
        try:
            yield
        finally:
            self._held = held
        if redraw and not held:
            self.redraw()

    def redraw(self) -> None:
        """Recompute and redraw the picture."""
        self._picture.value = self.to_svg()

    def to_svg(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        """The live view, and the static SVG for where widgets cannot run."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/svg+xml"] = self.to_svg()
        return bundle

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
