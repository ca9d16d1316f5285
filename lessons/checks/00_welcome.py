"""Checks for lesson 00 (welcome)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import exercise, expect_close, need


@exercise("00-hello", "add two tensors")
def hello(ns):
    add = need(ns, "add")
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([10.0, 20.0])
    expect_close(add(a, b), a + b, "add([1, 2], [10, 20])")
