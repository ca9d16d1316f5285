"""``StrideExplorer``: a view is a new shape and new strides over the same storage.

For a base tensor and a view of it (``x.t()``, ``x[:, 1:3]``, ``x[::2]``, ``expand``,
``unsqueeze``, ``permute``...), the picture shows the base, the view and the storage (the
memory both read); every cell of the view is labelled with the storage cell it reads,

    storage index = storage_offset + i0 * stride[0] + i1 * stride[1] + ...

and the cells of the storage the view touches are highlighted (an ``expand``ed view
touches some several times: the count is shown).  Pick an operation from the list or
type any expression of ``x``; the shape, stride, storage offset and ``is_contiguous()``
of the result are printed, and a result that is a copy (``x.t().reshape(-1)``,
``.contiguous()``) is called one.
"""

from __future__ import annotations

import itertools

import ipywidgets
import numpy as np

import tensorkit

from ._base import Explorer, Svg

__all__ = ["StrideExplorer", "storage_indices"]

OPERATIONS = ["x", "x.t()", "x[:, 1:3]", "x[::2]", "x[1]", "x[:, ::2]", "x[1:, 1:]",
              "x[0].expand(3, 4)", "x[:, :1].expand(3, 4)", "x.unsqueeze(1)",
              "x.permute(1, 0)", "x.view(2, 6)", "x.view(-1)", "x.t().reshape(-1)",
              "x.t().contiguous()"]

_TOUCHED, _SELECTED, _COPY = "#cfe3f7", "#f4a300", "#f7d9d9"


def storage_indices(t: tensorkit.Tensor) -> np.ndarray:
    """For each element of ``t`` (an array of ``t``'s shape), the index of the storage
    cell it reads: ``storage_offset() + sum(index[k] * stride()[k])``."""
    shape, strides = tuple(t.shape), t.stride()
    if not shape:
        return np.array(t.storage_offset())
    grids = np.indices(shape, dtype=np.int64)
    return t.storage_offset() + sum(g * s for g, s in zip(grids, strides))


def _storage_base(t: tensorkit.Tensor) -> int:
    """Where ``t``'s storage starts in memory (elements of the same storage share it)."""
    return t.data_ptr() - t.storage_offset() * t.element_size()


def _shares_storage(a: tensorkit.Tensor, b: tensorkit.Tensor) -> bool:
    return a.element_size() == b.element_size() and _storage_base(a) == _storage_base(b)


class StrideExplorer(Explorer):
    """Which storage cells each element of a view reads.

    ``StrideExplorer(torch.arange(12).view(3, 4))`` offers a list of operations on it
    (and a text box for any expression of ``x``); ``StrideExplorer(base, view)`` shows
    one given view.  ``explorer.view`` is the current view; ``storage_indices(view)``
    gives what each of its elements reads.
    """

    def __init__(self, base: tensorkit.Tensor, view: tensorkit.Tensor | None = None,
                 op: str | None = None, cell: int = 34) -> None:
        if not isinstance(base, tensorkit.Tensor):
            raise TypeError(f"StrideExplorer needs a tensorkit tensor, got {type(base).__name__}")
        self.base, self.cell = base, cell
        self._given = view
        options = OPERATIONS if view is None else ["(the view you gave)"]
        start = op or ("x.t()" if view is None else options[0])
        if start not in options:
            options = [start, *options]
        self.op = ipywidgets.Dropdown(options=options, value=start, description="view =")
        self.expression = ipywidgets.Text(value=start if view is None else "",
                                          description="or type:", continuous_update=False,
                                          disabled=view is not None,
                                          placeholder="an expression of x")
        self.element = ipywidgets.IntSlider(0, 0, 0, description="element")
        super().__init__([ipywidgets.HBox([self.op, self.expression]), self.element])
        self.op.observe(self._on_op, names="value")
        self.expression.observe(self._on_change, names="value")
        self.element.observe(self._on_change, names="value")
        self.redraw()

    # ------------------------------------------------------------------ the numbers
    def _on_op(self, change) -> None:
        if self._given is None:
            self.expression.value = change["new"]  # (which redraws)

    def evaluate(self, expression: str) -> tensorkit.Tensor:
        """``expression`` with ``x`` the base tensor (and ``torch`` tensorkit)."""
        return eval(expression, {"torch": tensorkit, "x": self.base})  # noqa: S307

    def _compute(self) -> None:
        self.error = None
        self.view = None
        if self._given is not None:
            self.view = self._given
            return
        try:
            view = self.evaluate(self.expression.value)
        except Exception as error:  # shown in the picture: the message teaches too
            self.error = f"{type(error).__name__}: {error}"
            return
        if not isinstance(view, tensorkit.Tensor):
            self.error = f"the expression gave a {type(view).__name__}, not a tensor"
            return
        self.view = view

    def storage_cells(self) -> dict[int, int]:
        """Storage index -> how many elements of the view read it."""
        counts: dict[int, int] = {}
        for j in storage_indices(self.view).ravel().tolist():
            counts[j] = counts.get(j, 0) + 1
        return counts

    def is_copy(self) -> bool:
        """True when the view has storage of its own (the operation copied)."""
        return not _shares_storage(self.view, self.base)

    def _storage_values(self, tensor: tensorkit.Tensor) -> dict[int, object]:
        """Storage index -> value, for every cell ``tensor`` reaches."""
        values = tensor.detach().numpy(force=True)
        return dict(zip(storage_indices(tensor).ravel().tolist(), values.ravel().tolist()))

    # ------------------------------------------------------------------ the picture
    def redraw(self) -> None:
        self._compute()
        count = self.view.numel() if self.view is not None else 0
        with self.batch(redraw=False):
            self.element.max = max(count - 1, 0)
        super().redraw()

    def to_svg(self) -> str:
        if self.view is None:
            svg = Svg(640, 60)
            svg.text(10, 24, f"view = {self.expression.value}", size=13, weight="bold")
            svg.text(10, 46, self.error or "", size=12, fill="#b2182b", cls="error")
            return str(svg)
        view, base = self.view, self.base
        copy = self.is_copy()
        owner = view if copy else base
        values = self._storage_values(owner)
        counts = self.storage_cells()
        v_idx = storage_indices(view)
        selected = np.unravel_index(min(self.element.value, view.numel() - 1),
                                    tuple(view.shape)) if view.numel() else None
        sel_storage = int(v_idx[selected]) if selected is not None else None
        reach = list(values) + list(counts)
        n_storage = max(reach) + 1 if reach else 0
        c = self.cell
        per_row = max(12, min(n_storage, 24))
        storage_rows = -(-n_storage // per_row)
        base_h = _grid_height(tuple(base.shape), c)
        view_h = _grid_height(tuple(view.shape), c)
        width = max(20 + per_row * c + 20, 40 + _grid_width(tuple(base.shape), c)
                    + _grid_width(tuple(view.shape), c) + 60, 640)
        top = 130
        height = top + max(base_h, view_h) + 60 + storage_rows * (c + 16) + 30
        svg = Svg(width, height)
        expr = "view" if self._given is not None else f"view = {self.expression.value}"
        svg.text(10, 20, expr, size=14, weight="bold", family="monospace")
        props = (f"shape {tuple(view.shape)}   stride {view.stride()}   "
                 f"storage_offset {view.storage_offset()}   "
                 f"is_contiguous() {view.is_contiguous()}")
        svg.text(10, 40, props, size=12, family="monospace", cls="props")
        svg.text(10, 58, f"x: shape {tuple(base.shape)}   stride {base.stride()}   "
                 f"storage_offset {base.storage_offset()}", size=12, family="monospace")
        if selected is not None:
            terms = " + ".join(f"{i}*{s}" for i, s in zip(selected, view.stride()))
            svg.text(10, 78, f"view{list(int(i) for i in selected)} reads storage["
                     f"{view.storage_offset()}{' + ' + terms if terms else ''}] = "
                     f"storage[{sel_storage}]", size=12, family="monospace", cls="formula")
        if copy:
            svg.text(10, 98, "a copy: the result has storage of its own (shown below), "
                     "not x's", size=12, fill="#b2182b", cls="copy-note")
        x_idx = storage_indices(base)
        b_sel = sel_storage if not copy else None
        _draw_grid(svg, 20, top, "x", base, x_idx, c, b_sel, "base",
                   touched=set() if copy else set(counts))
        _draw_grid(svg, 40 + _grid_width(tuple(base.shape), c), top, "view", view, v_idx, c,
                   sel_storage, "view", selected)
        y0 = top + max(base_h, view_h) + 40
        label = "storage of the copy" if copy else "storage (the memory x and the view share)"
        svg.text(20, y0 - 8, label, size=12, weight="bold")
        for j in range(n_storage):
            row, col = divmod(j, per_row)
            x, y = 20 + col * c, y0 + row * (c + 16)
            touched = counts.get(j, 0)
            fill = (_SELECTED if j == sel_storage else _COPY if copy and touched
                    else _TOUCHED if touched else "#f4f4f4")
            cls = "storage touched" if touched else "storage"
            svg.rect(x, y, c, c, fill, stroke="#777", width=0.8, cls=cls, data_index=j,
                     data_count=touched)
            value = values.get(j, "?")
            svg.text(x + c / 2, y + c / 2 + 4, _short(value), size=11, anchor="middle")
            svg.text(x + c / 2, y + c + 11, str(j), size=8, anchor="middle", fill="#666")
            if touched > 1:
                svg.text(x + c - 2, y + 9, f"x{touched}", size=8, anchor="end",
                         fill="#b2182b", cls="multiplicity")
        return str(svg)


def _grid_shape(shape: tuple) -> tuple[int, int, int]:
    """A tensor laid out as panels of rows x columns: (panels, rows, columns)."""
    if len(shape) == 0:
        return 1, 1, 1
    if len(shape) == 1:
        return 1, 1, shape[0]
    panels = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return panels, shape[-2], shape[-1]


def _grid_width(shape: tuple, c: int) -> int:
    panels, _, cols = _grid_shape(shape)
    return panels * (cols * c + 10)


def _grid_height(shape: tuple, c: int) -> int:
    _, rows, _ = _grid_shape(shape)
    return rows * (c + 10) + 24


def _draw_grid(svg: Svg, x0: float, y0: float, name: str, t: tensorkit.Tensor,
               idx: np.ndarray, c: int, sel_storage: int | None, cls: str,
               selected: tuple | None = None, touched: set | None = None) -> None:
    """A tensor's elements (value, and below it the storage cell read), panel by panel."""
    shape = tuple(t.shape)
    panels, rows, cols = _grid_shape(shape)
    values = np.asarray(t.detach().numpy(force=True)).reshape(panels, rows, cols)
    idx = idx.reshape(panels, rows, cols)
    sel = None
    if selected is not None:
        sel = np.ravel_multi_index(selected, shape) if shape else 0
    svg.text(x0, y0 - 8, f"{name} {list(shape)}", size=12, weight="bold")
    lead = shape[:-2] if len(shape) > 2 else ()
    for p, prefix in enumerate(itertools.product(*[range(n) for n in lead]) if lead else [()]):
        px = x0 + p * (cols * c + 10)
        if prefix:
            svg.text(px, y0 + rows * (c + 10) + 8, f"[{', '.join(map(str, prefix))}, :, :]",
                     size=9, fill="#666")
        for r in range(rows):
            for col in range(cols):
                j = int(idx[p, r, col])
                flat = (p * rows + r) * cols + col
                is_sel = (sel == flat) if sel is not None else (j == sel_storage)
                fill = (_SELECTED if is_sel else
                        _TOUCHED if touched is None or j in touched else "#f4f4f4")
                svg.rect(px + col * c, y0 + r * (c + 10), c, c, fill, stroke="#777", width=0.8,
                         cls=f"{cls}-cell", data_storage=j)
                svg.text(px + col * c + c / 2, y0 + r * (c + 10) + c / 2 + 4,
                         _short(values[p, r, col].item()), size=11, anchor="middle")
                svg.text(px + col * c + c / 2, y0 + r * (c + 10) + c + 8, f"s{j}", size=8,
                         anchor="middle", fill="#666")


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)
