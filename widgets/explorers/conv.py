"""``ConvExplorer``: what kernel size, padding, stride and dilation do to a convolution.

Sliders over a real MNIST digit show the input with its padding (zeros), every position
the kernel window visits, the taps of one window, the output feature map computed with
``tensorkit.nn.functional.conv2d``, and the output-size formula with the numbers in it:

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1
"""

from __future__ import annotations

import ipywidgets
import numpy as np

import tensorkit
import tensorkit.nn.functional as F

from ._base import Explorer, Svg, diverging, gray, text_color

__all__ = ["ConvExplorer", "conv_output_size", "make_kernel", "synthetic_digit"]

KERNELS = ["vertical edge", "horizontal edge", "blur (mean)", "identity", "random"]


def conv_output_size(n: int, kernel_size: int, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> int:
    """The length of a convolution's output along one dimension of length ``n``."""
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def make_kernel(kind: str, k: int, seed: int = 0) -> np.ndarray:
    """A k x k float32 kernel: ``"vertical edge"`` (-1 left of the middle column, +1
    right of it), ``"horizontal edge"``, ``"blur (mean)"``, ``"identity"``, ``"random"``."""
    if kind == "vertical edge":
        kernel = np.sign(np.arange(k) - (k - 1) / 2)[None, :].repeat(k, 0)
    elif kind == "horizontal edge":
        kernel = np.sign(np.arange(k) - (k - 1) / 2)[:, None].repeat(k, 1)
    elif kind == "blur (mean)":
        kernel = np.full((k, k), 1.0 / (k * k))
    elif kind == "identity":
        kernel = np.zeros((k, k))
        kernel[(k - 1) // 2, (k - 1) // 2] = 1.0
    elif kind == "random":
        kernel = np.random.default_rng(seed).normal(size=(k, k))
    else:
        raise ValueError(f"unknown kernel {kind!r}; choose one of {KERNELS}")
    return kernel.astype(np.float32)


def synthetic_digit() -> np.ndarray:
    """A 28 x 28 hand-drawn-looking 7, for when MNIST is not on this machine."""
    img = np.zeros((28, 28), np.float32)
    img[6:9, 6:22] = 1.0
    for r in range(8, 24):  # the stroke down and to the left
        c = int(round(21 - (r - 8) * 0.55))
        img[r, c - 1:c + 2] = 1.0
    img[14:16, 11:19] = 0.8  # the crossbar
    return img


def first_test_digit() -> tuple[np.ndarray, str]:
    """The first MNIST test image scaled to [0, 1] (found under ``$TENSORKIT_DATA``), or
    the synthetic 7 when the data is not there."""
    from tensorkit.vision import datasets

    try:
        test = datasets.MNIST(None, train=False)
    except (RuntimeError, OSError):
        return synthetic_digit(), "synthetic 7 (MNIST not found)"
    image = test.data[0].numpy().astype(np.float32) / 255.0
    return image, f"MNIST test image 0 (a {int(test.targets[0])})"


def _as_image(image) -> np.ndarray:
    array = image.numpy(force=True) if isinstance(image, tensorkit.Tensor) else np.asarray(image)
    array = np.asarray(array, dtype=np.float32).squeeze()
    if array.ndim != 2:
        raise ValueError(f"image should be 2-D (H, W) or (1, H, W), got shape {array.shape}")
    return array


class ConvExplorer(Explorer):
    """Sliders for kernel size, padding, stride and dilation over an image (default: the
    first MNIST test digit); the picture shows the padded input, the window positions,
    one window's taps, the kernel, the output and the output-size formula.

    ``explorer.output`` is the output feature map (a NumPy array, ``None`` when the
    kernel does not fit), computed with ``F.conv2d``; ``window_cells(i, j)`` lists the
    padded-input cells output ``(i, j)`` reads.
    """

    def __init__(self, image=None, kernel_size: int = 3, padding: int = 0, stride: int = 1,
                 dilation: int = 1, kernel: str = "vertical edge", cell: int = 10) -> None:
        if image is None:
            self.image, self.source = first_test_digit()
        else:
            self.image, self.source = _as_image(image), "your image"
        self.cell = cell
        style = {"description_width": "90px"}
        self.kernel_size = ipywidgets.IntSlider(kernel_size, 1, 9, description="kernel size k",
                                                style=style)
        self.padding = ipywidgets.IntSlider(padding, 0, 4, description="padding p", style=style)
        self.stride = ipywidgets.IntSlider(stride, 1, 4, description="stride s", style=style)
        self.dilation = ipywidgets.IntSlider(dilation, 1, 3, description="dilation d",
                                             style=style)
        self.kernel = ipywidgets.Dropdown(options=KERNELS, value=kernel, description="kernel",
                                          style=style)
        self.position = ipywidgets.IntSlider(0, 0, 0, description="window", style=style)
        self.play = ipywidgets.Play(interval=300, description="slide the window")
        ipywidgets.jslink((self.play, "value"), (self.position, "value"))
        row = ipywidgets.HBox
        super().__init__([row([self.kernel_size, self.padding]), row([self.stride, self.dilation]),
                          row([self.kernel, self.position, self.play])])
        for control in (self.kernel_size, self.padding, self.stride, self.dilation,
                        self.kernel, self.position):
            control.observe(self._on_change, names="value")
        self.redraw()

    # ------------------------------------------------------------------ the numbers
    @property
    def params(self) -> dict:
        return {"kernel_size": self.kernel_size.value, "padding": self.padding.value,
                "stride": self.stride.value, "dilation": self.dilation.value}

    def set(self, **values) -> None:
        """Move sliders from code: ``explorer.set(kernel_size=5, stride=2)``."""
        with self.batch():
            for name, value in values.items():
                getattr(self, name).value = value

    def output_shape(self) -> tuple[int, int]:
        """The output's (height, width) by the formula."""
        p = self.params
        return tuple(conv_output_size(n, p["kernel_size"], p["padding"], p["stride"],
                                      p["dilation"]) for n in self.image.shape)

    def formula(self) -> str:
        """The output-size formula with this setting's numbers (for the height)."""
        p, n = self.params, self.image.shape[0]
        k, pad, s, d = p["kernel_size"], p["padding"], p["stride"], p["dilation"]
        inner = n + 2 * pad - d * (k - 1) - 1
        out = conv_output_size(n, k, pad, s, d)
        return (f"out = floor((n + 2p - d(k-1) - 1) / s) + 1 = floor(({n} + 2*{pad} - "
                f"{d}*({k}-1) - 1) / {s}) + 1 = floor({inner}/{s}) + 1 = {out}")

    def weight(self) -> np.ndarray:
        return make_kernel(self.kernel.value, self.kernel_size.value)

    def compute(self) -> np.ndarray | None:
        """The output feature map, by ``F.conv2d`` (None when the kernel does not fit)."""
        if min(self.output_shape()) < 1:
            return None
        x = tensorkit.from_numpy(self.image[None, None].copy())
        w = tensorkit.from_numpy(self.weight()[None, None])
        p = self.params
        out = F.conv2d(x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"])
        return out[0, 0].numpy()

    def window_cells(self, i: int, j: int) -> list[tuple[int, int]]:
        """The padded-input cells (row, column) that output (i, j) reads, tap by tap."""
        p = self.params
        k, s, d = p["kernel_size"], p["stride"], p["dilation"]
        return [(i * s + a * d, j * s + b * d) for a in range(k) for b in range(k)]

    # ------------------------------------------------------------------ the picture
    def redraw(self) -> None:
        self.output = self.compute()
        ho, wo = self.output_shape()
        with self.batch(redraw=False):  # a shorter range may move the window slider
            self.position.max = max(max(ho, 0) * max(wo, 0) - 1, 0)
            self.play.max = self.position.max
        super().redraw()

    def to_svg(self) -> str:
        p = self.params
        k, pad = p["kernel_size"], p["padding"]
        h, w = self.image.shape
        ph, pw = h + 2 * pad, w + 2 * pad
        ho, wo = self.output_shape()
        c = self.cell
        top = 44
        kernel_x = 20 + pw * c + 30
        kc = max(c * 2, 22)  # kernel cells are larger: they carry numbers
        out_x = kernel_x + max(k * kc, 110) + 30
        oc = self._out_cell()
        width = max(out_x + max(wo, 1) * oc + 20, 700)
        height = top + max(ph * c, k * kc + 40, max(ho, 1) * oc) + 84
        svg = Svg(width, height)
        svg.text(20, 16, f"input {h}x{w}, padding {pad}: {ph}x{pw}", size=12, weight="bold")
        svg.text(20, 32, self.source, size=10, fill="#555")
        svg.text(kernel_x, 16, f"kernel {k}x{k}", size=12, weight="bold")
        self._draw_input(svg, 20, top)
        self._draw_kernel(svg, kernel_x, top, kc)
        self._draw_output(svg, out_x, top, oc)
        y = height - 56
        first, _, numbers = self.formula().partition(" = ")
        svg.text(20, y, f"{first} = {numbers.split(' = ', 1)[0]}", size=12, family="monospace",
                 cls="formula")
        svg.text(20, y + 16, "    = " + numbers.split(" = ", 1)[1], size=12,
                 family="monospace", cls="formula")
        if self.output is None:
            svg.text(20, y + 36, "The dilated kernel (d(k-1)+1 = "
                     f"{p['dilation'] * (k - 1) + 1}) is wider than the padded input: "
                     "no output.", size=12, fill="#b2182b", cls="no-output")
        else:
            i, j = divmod(min(self.position.value, ho * wo - 1), wo)
            svg.text(20, y + 36, f"output[{i}, {j}] = sum of the {k * k} taps x kernel = "
                     f"{self.output[i, j]:.3f}   (stride {p['stride']}: the window moves "
                     f"{p['stride']} cells; dilation {p['dilation']}: taps "
                     f"{p['dilation']} cells apart)", size=11)
        return str(svg)

    def _out_cell(self) -> int:
        """Output cells grow when the output is small, so that it stays visible."""
        ho, wo = self.output_shape()
        return max(self.cell, min(24, 140 // max(ho, wo, 1)))

    def _draw_input(self, svg: Svg, x0: float, y0: float) -> None:
        pad, c = self.padding.value, self.cell
        h, w = self.image.shape
        for r in range(h + 2 * pad):
            for col in range(w + 2 * pad):
                inside = pad <= r < h + pad and pad <= col < w + pad
                if inside:
                    fill = gray(float(self.image[r - pad, col - pad]))
                    svg.rect(x0 + col * c, y0 + r * c, c, c, fill)
                else:
                    svg.rect(x0 + col * c, y0 + r * c, c, c, "#dfe8f3", stroke="#b8c8dc",
                             width=0.5, cls="padding")
        ho, wo = self.output_shape()
        if self.output is None:
            return
        s = self.stride.value
        for i in range(ho):  # where each window starts (its first tap)
            for j in range(wo):
                svg.circle(x0 + (j * s + 0.5) * c, y0 + (i * s + 0.5) * c, max(c / 6, 1.2),
                           "#f4a300", cls="window-start")
        i, j = divmod(min(self.position.value, ho * wo - 1), wo)
        taps = self.window_cells(i, j)
        rows = [r for r, _ in taps]
        cols = [col for _, col in taps]
        svg.rect(x0 + min(cols) * c, y0 + min(rows) * c, (max(cols) - min(cols) + 1) * c,
                 (max(rows) - min(rows) + 1) * c, stroke="#f4a300", width=1.5,
                 stroke_dasharray="3 2", cls="window")
        for r, col in taps:
            svg.rect(x0 + col * c + 1, y0 + r * c + 1, c - 2, c - 2, stroke="#e8590c", width=2,
                     cls="tap")

    def _draw_kernel(self, svg: Svg, x0: float, y0: float, kc: float) -> None:
        kernel = self.weight()
        vmax = float(np.abs(kernel).max()) or 1.0
        k = kernel.shape[0]
        for a in range(k):
            for b in range(k):
                v = float(kernel[a, b])
                fill = diverging(v, vmax)
                svg.rect(x0 + b * kc, y0 + a * kc, kc, kc, fill, stroke="#999", width=0.5)
                svg.text(x0 + (b + 0.5) * kc, y0 + (a + 0.62) * kc, _short(v), size=8,
                         anchor="middle", fill=text_color(fill))
        svg.text(x0, y0 + k * kc + 14, "blue < 0 < red", size=10, fill="#555")

    def _draw_output(self, svg: Svg, x0: float, y0: float, c: int) -> None:
        ho, wo = self.output_shape()
        svg.text(x0, 16, f"output {max(ho, 0)}x{max(wo, 0)}", size=12, weight="bold",
                 cls="output-title")
        if self.output is None:
            return
        vmax = float(np.abs(self.output).max()) or 1.0
        signed = self.output.min() < 0
        for i in range(ho):
            for j in range(wo):
                v = float(self.output[i, j])
                fill = diverging(v, vmax) if signed else gray(v / vmax)
                svg.rect(x0 + j * c, y0 + i * c, c, c, fill, cls="out")
        i, j = divmod(min(self.position.value, ho * wo - 1), wo)
        svg.rect(x0 + j * c, y0 + i * c, c, c, stroke="#e8590c", width=2, cls="current")


def _short(v: float) -> str:
    if v == 0:
        return "0"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}".rstrip("0") if abs(v) >= 0.01 else f"{v:.0e}"

