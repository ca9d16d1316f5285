"""Shared test setup: the devices to test on, torch when it is installed, strict autograd."""

from __future__ import annotations

import os

import numpy as np
import pytest

import tensorkit
from tensorkit.autograd import engine

os.environ.setdefault("TENSORKIT_DATA", os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "shared", "data"))

# Every test runs with the engine in strict mode: an op whose backward returns a
# gradient of the wrong dtype (a float32 model turning float64) fails loudly instead of
# being cast back quietly.
engine.STRICT["dtype"] = True

DEVICES = ["cpu"] + (["cuda"] if tensorkit.cuda.is_available() else [])


def pytest_generate_tests(metafunc):
    if "device" in metafunc.fixturenames:
        metafunc.parametrize("device", DEVICES)


@pytest.fixture
def torch():
    """Real PyTorch, the reference; tests that need it skip cleanly without it."""
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    tensorkit.manual_seed(0)
