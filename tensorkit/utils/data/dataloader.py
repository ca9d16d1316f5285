"""DataLoader: batches from a dataset, in the main process or in worker processes.

One pass over a DataLoader asks its *index sampler* for the next batch of indices, has a
*fetcher* load those samples from the dataset and ``collate_fn`` stack them into a batch.
With ``num_workers=0`` that happens in the main process.  With ``num_workers > 0`` it
happens in worker processes (``multiprocessing``): the main process hands out batches of
indices round-robin, each worker loads and collates its batches, and the main process
hands them back to you in the sampler's order.

Random numbers are drawn as torch draws them: every pass first draws a 63-bit
``base_seed`` (the workers seed themselves with ``base_seed + worker_id``), then the
sampler shuffles; so after the same ``manual_seed`` the batches come out in torch's order.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import multiprocessing
import os
import pickle
import queue
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ... import _random, cuda
from . import _worker
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, fresh_seed

__all__ = ["DataLoader", "get_worker_info"]

get_worker_info = _worker.get_worker_info

# Workers load this many batches ahead each, unless prefetch_factor says otherwise.
DEFAULT_PREFETCH_FACTOR = 2
# The main process checks this often (seconds) that its workers are still alive.
LIVENESS_CHECK_INTERVAL = 1.0


# ----------------------------------------------------------------------------------- fetchers

class _MapFetcher:
    """Loads a batch from a map-style dataset: ``[dataset[i] for i in indices]``, collated."""

    iterable = False

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, indices):
        if not self.auto_collation:  # batch_size=None: one sample at a time
            return self.collate_fn(self.dataset[indices])
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(indices) if getitems else [self.dataset[i] for i in indices]
        return self.collate_fn(samples)


class _IterableFetcher:
    """Takes the next ``len(indices)`` samples from an iterable dataset's stream.

    Raises StopIteration when the stream is empty (or, with ``drop_last``, too short for
    a full batch).
    """

    iterable = True

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.stream = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, indices):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.stream))
        samples = list(itertools.islice(self.stream, len(indices)))
        self.ended = len(samples) < len(indices)
        if not samples or (self.drop_last and self.ended):
            raise StopIteration
        return self.collate_fn(samples)


def _make_fetcher(iterable: bool, auto_collation: bool, collate_fn, drop_last: bool, dataset):
    cls = _IterableFetcher if iterable else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """None forever: an IterableDataset has no indices, only "give me the next one"."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


# --------------------------------------------------------------------------------- DataLoader

_FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                     "persistent_workers")


class DataLoader:
    """Iterate over a dataset in (optionally shuffled) batches, optionally with workers.

    Args:
        dataset: a map-style ``Dataset`` (``len`` + ``[i]``) or an ``IterableDataset``.
        batch_size: samples per batch; ``None`` yields single samples, not collated.
        shuffle: a new random order every epoch (``RandomSampler``).
        sampler / batch_sampler: your own order of indices / of lists of indices.
        num_workers: 0 loads in this process; n > 0 starts n worker processes.
        collate_fn: turns a list of samples into a batch (``default_collate``).
        pin_memory: accepted for compatibility; tensorkit has no pinned memory.
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        timeout: seconds to wait for a worker's batch (0: forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker.
        multiprocessing_context: "fork", "spawn", "forkserver" or a context;
            default "fork" on Linux (works in notebooks), the platform's default elsewhere.
        generator: draws the workers' ``base_seed`` and, with ``shuffle``, the order.
        prefetch_factor: batches loaded ahead per worker (default 2).
        persistent_workers: keep the workers alive between epochs.
        in_order: with workers, yield batches in sampler order (False: as they finish).
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator: _random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = (DEFAULT_PREFETCH_FACTOR if prefetch_factor is None and num_workers
                                else prefetch_factor)
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable_options(shuffle, sampler, batch_sampler)
            sampler = _InfiniteConstantSampler()
        if batch_sampler is not None:  # batch_size and drop_last are the batch sampler's
            _check_batch_sampler_alone(batch_size, shuffle, sampler, drop_last)
            batch_size, drop_last = None, False
        sampler, batch_sampler = _build_samplers(dataset, batch_size, shuffle, sampler,
                                                 batch_sampler, drop_last, generator)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._initialized = True
        if pin_memory and not cuda.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        _warn_if_too_many_workers(num_workers)

    def __setattr__(self, name: str, value) -> None:
        if getattr(self, "_initialized", False) and name in _FIXED_AFTER_INIT:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def multiprocessing_context(self):
        return self._mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 f"loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {methods!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
        self._mp_context = context

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What the iterator asks for indices: lists of them (batched) or single ones."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _make_fetcher(self) -> Callable:
        return functools.partial(_make_fetcher, self._iterable, self._auto_collation,
                                 self.collate_fn, self.drop_last)

    def __iter__(self) -> Iterator:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset()
        return self._iterator

    def __len__(self) -> int:
        if not self._iterable:
            return len(self._index_sampler)
        length = len(self.dataset)  # a TypeError if the stream has no length, as in torch
        if self.batch_size is not None:
            rounding = math.floor if self.drop_last else math.ceil
            length = rounding(length / self.batch_size)
        return length


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _check_iterable_options(shuffle, sampler, batch_sampler) -> None:
    """An IterableDataset decides its own order: no shuffle, sampler or batch_sampler."""
    for name, value in (("shuffle", shuffle), ("sampler", sampler),
                        ("batch_sampler", batch_sampler)):
        if value not in (None, False):
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                             f"option, but got {name}={value}")


def _check_batch_sampler_alone(batch_size, shuffle, sampler, drop_last) -> None:
    if batch_size != 1 or shuffle or sampler is not None or drop_last:
        raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                         "shuffle, sampler, and drop_last")


def _build_samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    """The (sampler, batch_sampler) pair a DataLoader uses, with torch's consistency checks."""
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is None and batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually "
                         "exclusive with drop_last")
    if sampler is None:
        sampler = (RandomSampler(dataset, generator=generator) if shuffle
                   else SequentialSampler(dataset))
    if batch_size is not None and batch_sampler is None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last)
    return sampler, batch_sampler


def _warn_if_too_many_workers(num_workers: int) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cpus and num_workers > cpus:
        warnings.warn(f"This DataLoader will create {num_workers} worker processes in total. "
                      f"Our suggested max number of worker in current system is {cpus}, which "
                      "is smaller than what this DataLoader is going to create. Please be aware "
                      "that excessive worker creation might get DataLoader running slow or even "
                      "freeze, lower the worker number to avoid potential slowness/freeze if "
                      "necessary.", stacklevel=3)


# ------------------------------------------------------------------------ single process

class _SingleProcessIter:
    """One pass in the main process: ask the sampler, fetch, collate, repeat."""

    def __init__(self, loader: DataLoader) -> None:
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        # Drawn (and unused) as torch does, so that the generator stays in step with torch's.
        self._base_seed = fresh_seed(loader.generator)
        self._fetcher = loader._make_fetcher()(loader.dataset)

    def __iter__(self) -> _SingleProcessIter:
        return self

    def __next__(self):
        indices = next(self._sampler_iter)  # StopIteration ends the pass
        return self._fetcher.fetch(indices)

    def __len__(self) -> int:
        return len(self._index_sampler)


# -------------------------------------------------------------------------- worker processes

def _default_context():
    """'fork' on Linux: workers inherit the dataset, so notebooks and lambdas just work."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class _FindMainReferences(pickle.Pickler):
    """A pickler that notes every class or function it meets that lives in ``__main__``."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO())
        self.found: list[str] = []

    def persistent_id(self, obj):
        owner = obj if isinstance(obj, type) or callable(obj) else type(obj)
        if getattr(owner, "__module__", None) == "__main__":
            self.found.append(getattr(owner, "__qualname__", repr(owner)))
        return None


def _check_spawnable(loader: DataLoader) -> None:
    """Under spawn, workers import ``__main__`` afresh; in a notebook there is no file to
    import, so classes and functions defined there cannot reach the workers.  Say so now
    instead of letting the workers die with an AttributeError."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__file__", None):
        return  # a script: the workers re-import it (it needs `if __name__ == '__main__':`)
    finder = _FindMainReferences()
    try:
        finder.dump((loader.dataset, loader.collate_fn, loader.worker_init_fn))
    except Exception as error:
        raise RuntimeError(f"DataLoader(num_workers={loader.num_workers}) with the "
                           f"'{loader.multiprocessing_context.get_start_method()}' start method "
                           f"must pickle the dataset and collate_fn for the workers, and this "
                           f"failed: {error}. Use num_workers=0, or "
                           "multiprocessing_context='fork' on Linux.") from error
    if finder.found:
        names = ", ".join(sorted(set(finder.found)))
        raise RuntimeError(
            f"DataLoader(num_workers={loader.num_workers}) with the "
            f"'{loader.multiprocessing_context.get_start_method()}' start method cannot send "
            f"{names} to its workers: they are defined in an interactive __main__ (a notebook "
            "or the REPL), and spawned workers can only import classes and functions from "
            "files. Move them into a .py module and import it, use "
            "multiprocessing_context='fork' (Linux), or use num_workers=0.")


class _MultiProcessIter:
    """One pass (or, with persistent workers, many) over the dataset with worker processes."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._num_workers = loader.num_workers
        self._prefetch = max(1, loader.prefetch_factor * loader.num_workers)
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = fresh_seed(loader.generator)
        self._epoch = 0
        if loader.multiprocessing_context is None:
            context = _default_context()
        else:
            context = loader.multiprocessing_context
        if context.get_start_method() != "fork":
            _check_spawnable(loader)
        self._start_workers(context)
        self._start_epoch()

    def _start_workers(self, context) -> None:
        loader = self._loader
        self._result_queue = context.Queue()
        self._done_event = context.Event()
        self._index_queues, self._workers = [], []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            worker = context.Process(
                target=_worker.worker_loop,
                args=(loader._make_fetcher(), loader.dataset, index_queue, self._result_queue,
                      self._done_event, self._base_seed, loader.worker_init_fn, worker_id,
                      self._num_workers),
                daemon=True,
            )
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        # Stop the workers when this iterator is garbage (or at exit).  A finalizer, not
        # __del__: it keeps the queues alive until it has used them to say goodbye.
        self._finalizer = weakref.finalize(self, _stop_workers, self._workers,
                                           self._index_queues, self._result_queue,
                                           self._done_event)

    def _start_epoch(self) -> None:
        """Forget the previous pass and send the first ``prefetch`` batches of indices."""
        self._next_task = 0
        self._next_worker = itertools.cycle(range(self._num_workers))
        self._task_owner: dict[int, int] = {}  # task id -> worker, for tasks not yet yielded
        self._ready: dict[int, tuple[str, Any]] = {}  # results that arrived early
        self._worker_active = [True] * self._num_workers
        self._sampler_done = False
        for _ in range(self._prefetch):
            self._send_task()

    def _reset(self) -> None:
        """A new epoch with the same (persistent) workers; stale results are ignored."""
        self._epoch += 1
        self._sampler_iter = iter(self._index_sampler)
        for index_queue in self._index_queues:
            index_queue.put(("reset", self._epoch))
        self._start_epoch()

    def _send_task(self) -> None:
        """Give the next batch of indices to the next worker still in the game."""
        if self._sampler_done or not any(self._worker_active):
            return
        worker_id = next(self._next_worker)
        while not self._worker_active[worker_id]:
            worker_id = next(self._next_worker)
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            self._sampler_done = True
            return
        self._index_queues[worker_id].put((self._epoch, self._next_task, indices))
        self._task_owner[self._next_task] = worker_id
        self._next_task += 1

    def __iter__(self) -> _MultiProcessIter:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self):
        while True:
            if not self._task_owner:  # nothing in flight and nothing left to send
                self._end_epoch()
                raise StopIteration
            task_id = self._pick_ready()
            if task_id is None:
                epoch, task, kind, payload = self._receive()
                if epoch == self._epoch:
                    self._ready[task] = (kind, payload)
                continue
            kind, payload = self._ready.pop(task_id)
            worker_id = self._task_owner.pop(task_id)
            if kind == "exhausted":  # this worker's copy of an IterableDataset ran out
                self._worker_active[worker_id] = False
            self._send_task()
            if kind == "error":
                payload.reraise()
            if kind == "data":
                return payload

    def _pick_ready(self) -> int | None:
        """The task to yield now: the oldest one if in order, else any that has arrived."""
        if self._in_order:
            oldest = min(self._task_owner)
            return oldest if oldest in self._ready else None
        return next(iter(self._ready), None)

    def _receive(self) -> tuple:
        """The next message from the workers, checking meanwhile that they are alive."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = LIVENESS_CHECK_INTERVAL
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0.0))
            try:
                return self._result_queue.get(timeout=wait)
            except queue.Empty:
                pass
            dead = [w for w in self._workers if not w.is_alive()]
            if dead:
                pids = ", ".join(str(w.pid) for w in dead)
                codes = ", ".join(str(w.exitcode) for w in dead)
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                                   f"(exit code(s) {codes}). A worker killed by the system "
                                   "(exit code -9) often ran out of memory; try fewer workers "
                                   "or a smaller batch_size, or num_workers=0 to see the error "
                                   "in this process.")
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _end_epoch(self) -> None:
        if not self._persistent:
            self._shutdown_workers()

    def _shutdown_workers(self) -> None:
        self._finalizer()  # runs _stop_workers once; later calls do nothing


def _stop_workers(workers, index_queues, result_queue, done_event) -> None:
    """Tell the workers to stop, wait a moment for them, then terminate stragglers."""
    done_event.set()
    for index_queue in index_queues:
        index_queue.put(None)
    for worker in workers:
        worker.join(timeout=_worker.STATUS_CHECK_INTERVAL)
        if worker.is_alive():
            worker.terminate()
    for q in (*index_queues, result_queue):
        q.cancel_join_thread()
        q.close()
