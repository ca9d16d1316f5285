"""tensorkit.utils.data against torch.utils.data: same orders, same batches, same errors.

Every test builds the same pipeline twice, once with tensorkit and once with torch (the
``lib`` argument of the helpers), seeds both identically and compares the results:
index orders, batch contents (values, dtypes, shapes, container types) and exceptions.
The worker tests check that batches really come from other processes.
"""

from __future__ import annotations

import collections
import os
import sys
import types

import numpy as np
import pytest

import tensorkit
from tensorkit.utils import data as tkdata

Point = collections.namedtuple("Point", ["x", "y"])


# ---------------------------------------------------------------------------------- helpers

def structure(batch):
    """A batch as plain Python: tensors become ("tensor", dtype name, shape, values)."""
    if hasattr(batch, "dtype") and hasattr(batch, "shape") and not isinstance(batch, np.ndarray):
        return ("tensor", str(batch.dtype).split(".")[-1], tuple(batch.shape), batch.tolist())
    if isinstance(batch, dict):
        return (type(batch).__name__, {k: structure(v) for k, v in batch.items()})
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return (type(batch).__name__, [structure(v) for v in batch])
    if isinstance(batch, list | tuple):
        return (type(batch).__name__, [structure(v) for v in batch])
    return (type(batch).__name__, batch)


def both(torch, fn):
    """fn(tensorkit) and fn(torch), with both default generators seeded alike."""
    tensorkit.manual_seed(123)
    ours = fn(tensorkit)
    torch.manual_seed(123)
    theirs = fn(torch)
    return ours, theirs


def raises_like(torch, fn):
    """fn(lib) must raise the same exception type with the same message in both."""
    errors = []
    for lib in (tensorkit, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1]), errors
    assert str(errors[0]) == str(errors[1])


def tensor_dataset(lib, n=10):
    x = lib.arange(n * 2, dtype=lib.float32).reshape(n, 2)
    return lib.utils.data.TensorDataset(x, lib.arange(n))


def batches(loader):
    return [structure(b) for b in loader]


# ---------------------------------------------------------------------------------- datasets

def test_tensor_dataset_items_and_size_mismatch(torch):
    ours, theirs = both(torch, lambda lib: [structure(s) for s in tensor_dataset(lib, 4)])
    assert ours == theirs
    raises_like(torch, lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)))


def test_concat_subset_and_add(torch):
    def run(lib):
        d = lib.utils.data
        a, b = tensor_dataset(lib, 3), tensor_dataset(lib, 4)
        both_ = a + b
        sub = d.Subset(both_, [6, 0, 4])
        return (type(both_).__name__, len(both_), structure(both_[-1]), structure(both_[3]),
                len(sub), structure(sub[0]), structure(sub[1]), both_.cumulative_sizes)

    ours, theirs = both(torch, run)
    assert ours == theirs
    raises_like(torch, lambda lib: (tensor_dataset(lib, 3) + tensor_dataset(lib, 4))[-8])
    raises_like(torch, lambda lib: lib.utils.data.ConcatDataset([]))


def test_iterable_and_chain_dataset(torch):
    def run(lib):
        d = lib.utils.data

        class Stream(d.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n

        chained = Stream(3) + Stream(2)
        return type(chained).__name__, list(chained), len(chained)

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_base_dataset_getitem_error(torch):
    raises_like(torch, lambda lib: lib.utils.data.Dataset()[0])


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [1, 1, 8],
                                     [0.34, 0.33, 0.33]])
def test_random_split_with_generator(torch, lengths):
    def run(lib):
        parts = lib.utils.data.random_split(range(10), lengths,
                                            generator=lib.Generator().manual_seed(42))
        return [list(p.indices) for p in parts], [list(p) for p in parts]

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_random_split_default_generator_and_errors(torch):
    def run(lib):
        first = lib.utils.data.random_split(range(100), [0.8, 0.2])
        return [list(p.indices) for p in first], lib.rand(2).tolist()  # and the state after

    ours, theirs = both(torch, run)
    assert ours == theirs
    raises_like(torch, lambda lib: lib.utils.data.random_split(range(10), [3, 3]))
    raises_like(torch, lambda lib: lib.utils.data.random_split(range(10), [1.5, -0.5]))


def test_random_split_exact_torch_indices(torch):
    ours = tkdata.random_split(range(10), [3, 7], generator=tensorkit.Generator().manual_seed(42))
    theirs = torch.utils.data.random_split(range(10), [3, 7],
                                           generator=torch.Generator().manual_seed(42))
    assert [list(s.indices) for s in ours] == [list(s.indices) for s in theirs]


# ---------------------------------------------------------------------------------- samplers

SAMPLERS = {
    "sequential": lambda lib, d: d.SequentialSampler(range(7)),
    "random": lambda lib, d: d.RandomSampler(range(11)),
    "random_generator": lambda lib, d: d.RandomSampler(range(11),
                                                      generator=lib.Generator().manual_seed(5)),
    "random_more_samples": lambda lib, d: d.RandomSampler(range(5), num_samples=13),
    "random_fewer_samples": lambda lib, d: d.RandomSampler(range(9), num_samples=4),
    "random_replacement": lambda lib, d: d.RandomSampler(range(9), replacement=True,
                                                         num_samples=70),
    "subset_random": lambda lib, d: d.SubsetRandomSampler([10, 20, 30, 40, 50]),
    "weighted": lambda lib, d: d.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10),
    "weighted_no_replacement": lambda lib, d: d.WeightedRandomSampler(
        [0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, replacement=False),
    "batch": lambda lib, d: d.BatchSampler(d.RandomSampler(range(10)), 3, drop_last=False),
    "batch_drop_last": lambda lib, d: d.BatchSampler(range(10), 3, drop_last=True),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samplers_match_torch(torch, name):
    def run(lib):
        sampler = SAMPLERS[name](lib, lib.utils.data)
        epochs = [list(sampler), list(sampler)]  # a fresh order every pass
        return epochs, len(sampler), lib.rand(3).tolist()  # and the default generator after

    ours, theirs = both(torch, run)
    assert ours == theirs


@pytest.mark.parametrize("make", [
    lambda d: d.RandomSampler(range(3), num_samples=0),
    lambda d: d.RandomSampler(range(3), replacement=1),
    lambda d: d.WeightedRandomSampler([1.0, 2.0], 0),
    lambda d: d.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda d: d.BatchSampler(range(3), 0, False),
    lambda d: d.BatchSampler(range(3), 2, drop_last=None),
])
def test_sampler_errors_match_torch(torch, make):
    raises_like(torch, lambda lib: make(lib.utils.data))


# -------------------------------------------------------------------------------- collation

COLLATE_SAMPLES = {
    "float32 tensors": lambda lib: [lib.ones(2, 3) * i for i in range(3)],
    "int64 tensors": lambda lib: [lib.arange(4) + i for i in range(2)],
    "0-d tensors": lambda lib: [lib.tensor(1.5), lib.tensor(2.5)],
    "float ndarrays": lambda lib: [np.full((2, 2), i, dtype=np.float64) for i in range(3)],
    "uint8 ndarrays": lambda lib: [np.arange(6, dtype=np.uint8).reshape(2, 3)] * 2,
    "int32 ndarrays": lambda lib: [np.arange(3, dtype=np.int32)] * 2,
    "float32 scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "float64 scalars": lambda lib: [np.float64(1.5), np.float64(-2.0)],
    "int32 scalars": lambda lib: [np.int32(3), np.int32(4)],
    "bool scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "floats": lambda lib: [1.5, 2.0, -3.25],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False, True],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"bc"],
    "tuples": lambda lib: [(lib.zeros(2), 1, "x"), (lib.ones(2), 2, "y")],
    "lists": lambda lib: [[1.0, 2], [3.0, 4]],
    "dicts": lambda lib: [{"a": 1, "b": lib.ones(2)}, {"a": 2, "b": lib.zeros(2)}],
    "ordered dicts": lambda lib: [collections.OrderedDict(z=1.0, a=[1, 2])] * 2,
    "namedtuples": lambda lib: [Point(1, 2.0), Point(3, 4.0)],
    "nested": lambda lib: [{"img": (np.zeros(2, np.float32), 0), "meta": {"id": [i, "n"]}}
                           for i in range(2)],
}


@pytest.mark.parametrize("kind", sorted(COLLATE_SAMPLES))
def test_default_collate_matches_torch(torch, kind):
    def run(lib):
        return structure(lib.utils.data.default_collate(COLLATE_SAMPLES[kind](lib)))

    ours, theirs = both(torch, run)
    assert ours == theirs


@pytest.mark.parametrize("kind", ["float ndarrays", "float32 scalars", "tuples", "dicts",
                                  "namedtuples", "strings", "ints"])
def test_default_convert_matches_torch(torch, kind):
    def run(lib):
        return structure(lib.utils.data.default_convert(COLLATE_SAMPLES[kind](lib)[0]))

    ours, theirs = both(torch, run)
    assert ours == theirs


@pytest.mark.parametrize("bad", [
    lambda lib: [[1, 2], [3]],  # sequences of different lengths
    lambda lib: [lib.zeros(2), lib.zeros(3)],  # tensors of different shapes
    lambda lib: [object(), object()],
    lambda lib: [np.array(["a"]), np.array(["b"])],
])
def test_default_collate_errors_match_torch(torch, bad):
    raises_like(torch, lambda lib: lib.utils.data.default_collate(bad(lib)))


def test_collate_in_float64_mode_keeps_float64_for_python_floats(torch):
    tensorkit.set_default_dtype(tensorkit.float64)
    try:
        out = tkdata.default_collate([1.0, 2.0])
    finally:
        tensorkit.set_default_dtype(tensorkit.float32)
    assert out.dtype == tensorkit.float64


# ------------------------------------------------------------------------------- DataLoader

@pytest.mark.parametrize("kwargs", [
    dict(batch_size=3),
    dict(batch_size=3, shuffle=True),
    dict(batch_size=4, shuffle=True, drop_last=True),
    dict(batch_size=None),
    dict(batch_size=None, shuffle=True),
])
def test_dataloader_batches_match_torch(torch, kwargs):
    def run(lib):
        loader = lib.utils.data.DataLoader(tensor_dataset(lib, 10), **kwargs)
        # Two epochs (a new order each), len(), and the default generator afterwards.
        return batches(loader), batches(loader), len(loader), lib.rand(2).tolist()

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_dataloader_shuffle_with_generator_matches_torch(torch):
    def run(lib):
        g = lib.Generator().manual_seed(7)
        loader = lib.utils.data.DataLoader(range(17), batch_size=5, shuffle=True, generator=g)
        return batches(loader), batches(loader), lib.rand(1).tolist()

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_dataloader_samplers_and_collate_fn(torch):
    def run(lib):
        d = lib.utils.data
        ds = tensor_dataset(lib, 9)
        by_sampler = d.DataLoader(ds, batch_size=2, sampler=d.SubsetRandomSampler([1, 3, 5, 7]))
        by_batches = d.DataLoader(ds, batch_sampler=[[0, 8], [4]])
        custom = d.DataLoader(ds, batch_size=4, collate_fn=lambda b: len(b))
        return batches(by_sampler), batches(by_batches), list(custom), len(by_batches)

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_dataloader_iterable_dataset(torch):
    def run(lib):
        d = lib.utils.data

        class Stream(d.IterableDataset):
            def __iter__(self):
                return iter([{"v": i} for i in range(7)])

            def __len__(self):
                return 7

        return (batches(d.DataLoader(Stream(), batch_size=3)),
                batches(d.DataLoader(Stream(), batch_size=3, drop_last=True)),
                len(d.DataLoader(Stream(), batch_size=3)))

    ours, theirs = both(torch, run)
    assert ours == theirs


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(persistent_workers=True),
    dict(prefetch_factor=2),
    dict(multiprocessing_context="fork"),
])
def test_dataloader_argument_errors_match_torch(torch, kwargs):
    raises_like(torch, lambda lib: lib.utils.data.DataLoader(range(4), **kwargs))


def test_dataloader_iterable_dataset_rejects_shuffle(torch):
    class Stream(tkdata.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    errors = []
    for loader_cls, stream in ((tkdata.DataLoader, Stream()),
                               (torch.utils.data.DataLoader, TorchStream())):
        with pytest.raises(ValueError) as info:
            loader_cls(stream, shuffle=True)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_dataloader_attributes_are_frozen(torch):
    raises_like(torch, lambda lib: setattr(lib.utils.data.DataLoader(range(3)), "batch_size", 2))


def test_pin_memory_is_accepted(torch):
    with pytest.warns(UserWarning, match="pin_memory"):
        loader = tkdata.DataLoader(tensor_dataset(tensorkit, 4), batch_size=2, pin_memory=True)
    assert len(list(loader)) == 2


# ---------------------------------------------------------------------------- worker processes

class SeededSamples(tkdata.Dataset):
    """Each sample records where it was made and the random numbers drawn there."""

    def __init__(self, lib, n=12, fail_at=None):
        self.lib, self.n, self.fail_at = lib, n, fail_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise KeyError(f"sample {i} is broken")
        info = self.lib.utils.data.get_worker_info()
        return {"i": i, "lib_rand": self.lib.rand(1).item(), "np_rand": float(np.random.rand()),
                "worker": -1 if info is None else info.id, "pid": os.getpid()}


def _without_pids(loader):
    """The batches as plain Python, without the process ids (which always differ)."""
    return [structure({k: v for k, v in b.items() if k != "pid"}) for b in loader]


def test_workers_give_the_same_batches_from_other_processes():
    def run(num_workers):
        tensorkit.manual_seed(0)
        loader = tkdata.DataLoader(SeededSamples(tensorkit), batch_size=3, shuffle=True,
                                   num_workers=num_workers)
        return [{"i": b["i"].tolist(), "pid": set(b["pid"].tolist()),
                 "worker": set(b["worker"].tolist())} for b in loader]

    single, multi = run(0), run(2)
    assert [b["i"] for b in single] == [b["i"] for b in multi]
    assert all(b["pid"] == {os.getpid()} and b["worker"] == {-1} for b in single)
    worker_pids = set().union(*(b["pid"] for b in multi))
    assert os.getpid() not in worker_pids and len(worker_pids) == 2
    # Batches are dealt round-robin: worker 0, 1, 0, 1.
    assert [b["worker"] for b in multi] == [{0}, {1}, {0}, {1}]


def test_worker_seeding_matches_torch(torch):
    def run(lib):
        loader = lib.utils.data.DataLoader(SeededSamples(lib, 8), batch_size=2, num_workers=2)
        return _without_pids(loader)

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_worker_seeding_with_generator_and_persistent_workers_matches_torch(torch):
    def run(lib):
        loader = lib.utils.data.DataLoader(SeededSamples(lib, 6), batch_size=2, shuffle=True,
                                           num_workers=2, persistent_workers=True,
                                           generator=lib.Generator().manual_seed(3))
        return _without_pids(loader), _without_pids(loader)

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_iterable_dataset_sharded_by_worker_info_matches_torch(torch):
    def run(lib):
        d = lib.utils.data

        class Shards(d.IterableDataset):
            def __iter__(self):
                info = d.get_worker_info()
                worker, count = (0, 1) if info is None else (info.id, info.num_workers)
                return iter(range(worker, 11, count))

        return [batches(d.DataLoader(Shards(), batch_size=2, num_workers=n)) for n in (0, 2)]

    ours, theirs = both(torch, run)
    assert ours == theirs


def test_worker_error_is_reraised_with_worker_traceback():
    loader = tkdata.DataLoader(SeededSamples(tensorkit, 12, fail_at=7), batch_size=3,
                               num_workers=2)
    with pytest.raises(KeyError) as info:
        list(loader)
    message = str(info.value)
    assert "Caught KeyError in DataLoader worker process 0." in message
    assert "sample 7 is broken" in message
    assert "Traceback (most recent call last)" in message and "__getitem__" in message


def test_worker_error_text_matches_torch_first_lines(torch):
    def first_line(lib):
        iterator = iter(lib.utils.data.DataLoader(SeededSamples(lib, 4, fail_at=2),
                                                  batch_size=2, num_workers=2))
        with pytest.raises(KeyError) as info:
            list(iterator)
        iterator._shutdown_workers()  # now: torch's __del__ would wait 5 s per worker in gc
        return str(info.value).splitlines()[:2]

    assert first_line(tensorkit) == first_line(torch)


class _Dies(tkdata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


def test_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(tkdata.DataLoader(_Dies(), batch_size=2, num_workers=1))


def test_worker_init_fn_runs_in_each_worker():
    def init(worker_id):
        tensorkit.manual_seed(1000 + worker_id)

    loader = tkdata.DataLoader(SeededSamples(tensorkit, 4), batch_size=1, num_workers=2,
                               worker_init_fn=init)
    got = [b["lib_rand"].item() for b in loader]
    expected = [tensorkit.Generator().manual_seed(1000 + w).uniform(2).tolist()
                for w in (0, 1)]
    # Worker 0 makes samples 0 and 2, worker 1 samples 1 and 3 (float32 draws, as Python floats).
    assert got == pytest.approx([expected[0][0], expected[1][0], expected[0][1], expected[1][1]],
                                rel=1e-7)


def test_spawn_from_a_notebook_explains_what_to_do(monkeypatch):
    notebook_main = types.ModuleType("__main__")  # no __file__, like Jupyter's
    monkeypatch.setitem(sys.modules, "__main__", notebook_main)
    cls = type("NotebookData", (tkdata.Dataset,), {"__len__": lambda s: 2,
                                                    "__getitem__": lambda s, i: i,
                                                    "__module__": "__main__"})
    notebook_main.NotebookData = cls
    loader = tkdata.DataLoader(cls(), num_workers=1, multiprocessing_context="spawn")
    with pytest.raises(RuntimeError, match="NotebookData.*interactive __main__.*fork"):
        iter(loader)


def test_workers_stop_after_the_epoch():
    loader = tkdata.DataLoader(range(6), batch_size=2, num_workers=2)
    iterator = iter(loader)
    workers = list(iterator._workers)
    assert len(list(iterator)) == 3
    assert all(not w.is_alive() for w in workers)


def test_early_break_shuts_workers_down():
    iterator = iter(tkdata.DataLoader(range(100), batch_size=2, num_workers=2))
    next(iterator)
    workers = list(iterator._workers)
    iterator._shutdown_workers()
    assert all(not w.is_alive() for w in workers)


# ------------------------------------------------------------ scripts and notebooks (subprocess)

SCRIPT = '''
import os
from tensorkit.utils.data import DataLoader, Dataset


class Squares(Dataset):  # defined in __main__, as in a tutorial script or a notebook
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return i * i, os.getpid()


def main(context):
    loader = DataLoader(Squares(), batch_size=2, num_workers=2, multiprocessing_context=context)
    batches = [(b[0].tolist(), b[1].tolist()) for b in loader]
    assert [b[0] for b in batches] == [[0, 1], [4, 9], [16, 25]], batches
    assert os.getpid() not in {pid for b in batches for pid in b[1]}, batches
    print("ok")
'''


def _run_python(args, cwd):
    import subprocess

    repo = os.path.dirname(os.path.dirname(os.path.abspath(tensorkit.__file__)))
    env = dict(os.environ, PYTHONPATH=repo)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_spawned_workers_under_the_main_guard(tmp_path):
    script = tmp_path / "tutorial.py"
    script.write_text(SCRIPT + "\n\nif __name__ == '__main__':\n    main('spawn')\n")
    result = _run_python([str(script)], tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_default_context_works_for_classes_defined_in_an_interactive_main(tmp_path):
    # `python -c` has a __main__ without a file, like a notebook: the default ('fork' on
    # Linux) start method must cope with classes defined there.
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("no fork on this platform")
    result = _run_python(["-c", SCRIPT + "\nmain(None)\n"], tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.int32(3), np.uint8(7)])
def test_tensor_of_numpy_scalars_keeps_their_dtype(torch, scalar):
    ours = tensorkit.tensor([scalar, scalar]).dtype
    theirs = torch.tensor([scalar, scalar]).dtype
    assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]
