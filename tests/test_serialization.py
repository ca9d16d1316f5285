"""tensorkit.save / tensorkit.load: round trips, PyTorch's file format, and errors."""

from __future__ import annotations

import collections
import io
import pickle
import zipfile

import numpy as np
import pytest

import tensorkit
from tensorkit import serialization


def _roundtrip(obj, **load_kwargs):
    buffer = io.BytesIO()
    tensorkit.save(obj, buffer)
    buffer.seek(0)
    return tensorkit.load(buffer, **load_kwargs)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32",
                                   "int16", "int8", "uint8", "bool"])
def test_roundtrip_keeps_values_dtype_and_shape(dtype):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4)) * 5).astype(dtype)
    loaded = _roundtrip({"x": tensorkit.tensor(array)})["x"]
    assert loaded.dtype.name == dtype and loaded.shape == (3, 4)
    np.testing.assert_array_equal(loaded.numpy(), array)


def test_roundtrip_of_a_nested_object():
    obj = {"epoch": 3, "losses": [0.5, 0.25], "name": "mlp",
           "state": collections.OrderedDict(w=tensorkit.ones(2, 2), b=tensorkit.zeros(2)),
           "pair": (tensorkit.tensor(1.5), tensorkit.tensor([1, 2])),
           "dtype": tensorkit.float64, "size": tensorkit.Size([2, 3])}
    loaded = _roundtrip(obj)
    assert loaded["epoch"] == 3 and loaded["losses"] == [0.5, 0.25] and loaded["name"] == "mlp"
    assert isinstance(loaded["state"], collections.OrderedDict)
    assert list(loaded["state"]) == ["w", "b"]
    assert loaded["state"]["w"].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert loaded["pair"][0].item() == 1.5 and loaded["pair"][1].dtype is tensorkit.int64
    assert loaded["dtype"] is tensorkit.float64
    assert loaded["size"] == (2, 3) and isinstance(loaded["size"], tensorkit.Size)


def test_views_still_share_memory_after_loading():
    base = tensorkit.arange(12.0).view(3, 4)
    loaded = _roundtrip({"base": base, "column": base[:, 1], "row": base[2]})
    loaded["column"][0] = 100.0
    loaded["row"][3] = -1.0
    assert loaded["base"][0, 1].item() == 100.0 and loaded["base"][2, 3].item() == -1.0
    assert loaded["column"].tolist() == [100.0, 5.0, 9.0]


def test_flipped_views_are_saved_as_copies():
    x = tensorkit.arange(5.0).flip(0)
    assert _roundtrip(x).tolist() == [4.0, 3.0, 2.0, 1.0, 0.0]


def test_requires_grad_survives_and_graph_does_not():
    w = tensorkit.ones(3, requires_grad=True)
    y = w * 2
    loaded = _roundtrip({"w": w, "y": y.detach()})
    assert loaded["w"].requires_grad and loaded["w"].is_leaf
    assert not loaded["y"].requires_grad


def test_save_to_a_path(tmp_path):
    path = tmp_path / "checkpoint.pth"
    tensorkit.save({"x": tensorkit.arange(3)}, path)
    assert tensorkit.load(path)["x"].tolist() == [0, 1, 2]
    assert tensorkit.load(str(path))["x"].tolist() == [0, 1, 2]


class Custom:
    def __init__(self):
        self.value = 42


def test_weights_only_refuses_arbitrary_objects_by_default():
    buffer = io.BytesIO()
    tensorkit.save({"obj": Custom()}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="weights_only.*False") as info:
        tensorkit.load(buffer)
    assert "Custom" in str(info.value)
    buffer.seek(0)
    assert tensorkit.load(buffer, weights_only=False)["obj"].value == 42


def test_corrupt_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "broken.pth"
    tensorkit.save({"x": tensorkit.ones(100)}, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(RuntimeError, match="broken.pth.*not a tensorkit/PyTorch checkpoint"):
        tensorkit.load(path)


def _file_saved_on_cuda() -> io.BytesIO:
    """A checkpoint whose tensor says it lived on 'cuda:0', as one saved on a GPU does."""
    buffer = io.BytesIO()
    storage = serialization._StorageRef("0", np.arange(3, dtype=np.float32), "cuda:0")
    record = serialization._TensorRecord(storage, 0, (3,), (1,), False)
    pickle_bytes = io.BytesIO()
    pickler = serialization._Pickler(pickle_bytes, 2)
    pickler.dump({"x": record})
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle_bytes.getvalue())
        archive.writestr("archive/data/0", storage.array.tobytes())
        archive.writestr("archive/version", "3\n")
    buffer.seek(0)
    return buffer


@pytest.mark.skipif(tensorkit.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_checkpoint_on_a_cpu_machine_needs_map_location():
    with pytest.raises(RuntimeError, match="map_location=tensorkit.device\\('cpu'\\)"):
        tensorkit.load(_file_saved_on_cuda())


@pytest.mark.parametrize("map_location", ["cpu", tensorkit.device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_map_location_forms(map_location):
    loaded = tensorkit.load(_file_saved_on_cuda(), map_location=map_location)
    assert loaded["x"].device.type == "cpu" and loaded["x"].tolist() == [0.0, 1.0, 2.0]


# ------------------------------------------------------------- interchange with PyTorch
def test_torch_loads_what_tensorkit_saves(torch, tmp_path):
    path = tmp_path / "from_tensorkit.pth"
    base = tensorkit.arange(6.0).view(2, 3)
    tensorkit.save({"w": base, "col": base[:, 1], "i": tensorkit.tensor([1, 2]),
                    "g": tensorkit.ones(2, requires_grad=True), "dtype": tensorkit.float64,
                    "epoch": 7}, path)
    loaded = torch.load(path)
    assert loaded["w"].dtype == torch.float32 and loaded["w"].tolist() == base.tolist()
    assert loaded["i"].dtype == torch.int64 and loaded["g"].requires_grad
    assert loaded["dtype"] == torch.float64 and loaded["epoch"] == 7
    loaded["col"][0] = 50.0  # shared storage survives in torch too
    assert loaded["w"][0, 1].item() == 50.0


def test_tensorkit_loads_what_torch_saves(torch, tmp_path):
    path = tmp_path / "from_torch.pth"
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    base = torch.arange(6.0).view(2, 3)
    torch.save({"state": model.state_dict(), "view": base[:, 1:], "base": base,
                "half": torch.ones(2, dtype=torch.float16)}, path)
    loaded = tensorkit.load(path)
    assert list(loaded["state"]) == list(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded["state"][key].numpy(), value.numpy())
    assert loaded["view"].tolist() == [[1.0, 2.0], [4.0, 5.0]]
    loaded["view"][0, 0] = -1.0
    assert loaded["base"][0, 1].item() == -1.0
    assert loaded["half"].dtype is tensorkit.float16


def test_torch_whole_model_needs_weights_only_false(torch, tmp_path):
    path = tmp_path / "model.pth"
    torch.save(torch.nn.Linear(2, 1), path)
    with pytest.raises(pickle.UnpicklingError, match="Linear"):
        tensorkit.load(path)
