"""What runs inside a DataLoader worker process, and what it sends back.

A worker gets tasks ``(epoch, task_id, indices)`` from its own index queue, loads and
collates those samples, and puts ``(epoch, task_id, kind, payload)`` on the result queue
shared by all workers.  Every task gets exactly one answer:

* ``"data"``: the collated batch;
* ``"error"``: an ``ExceptionWrapper`` (the exception type and the traceback as text,
  which the main process re-raises);
* ``"exhausted"``: an ``IterableDataset`` copy ran out (this worker is done this epoch).

``("reset", epoch)`` starts a new epoch with persistent workers; ``None`` means stop.
"""

from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# How often (seconds) blocked queue reads wake up to check that the other side is alive.
STATUS_CHECK_INTERVAL = 5.0


@dataclass
class WorkerInfo:
    """Who am I? Returned by ``get_worker_info()`` inside a worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __repr__(self) -> str:
        return (f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
                f"dataset={self.dataset!r})")


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker: its id, the number of workers, its seed and its dataset copy.

    In the main process: None.  An ``IterableDataset`` uses this to give each worker its
    own share of the stream.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as type + text."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self) -> None:
        """Raise the same exception type, its message holding the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:  # KeyError would print the message as a repr
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type whose constructor wants other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            exception = None  # no reference cycle through this frame


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return str(self)


def worker_seeds(base_seed: int, worker_id: int) -> tuple[int, np.ndarray]:
    """The seeds a worker uses: ``base_seed + id`` for Python and tensorkit, and for
    NumPy four 32-bit words from a SeedSequence over (id, base_seed), as torch does."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return base_seed + worker_id, np.random.SeedSequence(entropy).generate_state(4)


def _seed_everything(base_seed: int, worker_id: int) -> int:
    from ... import _random

    seed, numpy_seed = worker_seeds(base_seed, worker_id)
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(numpy_seed)
    return seed


def worker_loop(make_fetcher, dataset, index_queue, result_queue, done_event, base_seed: int,
                init_fn, worker_id: int, num_workers: int) -> None:
    """The body of a worker process: seed, run ``init_fn``, then answer tasks until told to stop.

    ``make_fetcher(dataset)`` builds the object whose ``fetch(indices)`` loads one batch.
    """
    global _worker_info
    parent = os.getppid()
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = _seed_everything(base_seed, worker_id)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset)
        except Exception:
            init_error = ExceptionWrapper(where)  # reported as the answer to the first task
        exhausted = False
        while os.getppid() == parent:  # stop if the main process died
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if task is None:
                break
            if task[0] == "reset":  # a new epoch with persistent workers
                fetcher, exhausted = make_fetcher(dataset), False
                continue
            epoch, task_id, indices = task
            if done_event.is_set():
                continue
            if init_error is not None:
                kind, payload, init_error = "error", init_error, None
            elif exhausted:
                kind, payload = "exhausted", None
            else:
                kind, payload = _run(fetcher, indices, where)
                exhausted = kind == "exhausted"
            result_queue.put((epoch, task_id, kind, payload))
            del payload
    except KeyboardInterrupt:
        pass
    # Do not wait at exit for results nobody will read.
    result_queue.cancel_join_thread()


def _run(fetcher, indices, where: str) -> tuple[str, Any]:
    try:
        return "data", fetcher.fetch(indices)
    except StopIteration:
        if fetcher.iterable:
            return "exhausted", None
        return "error", ExceptionWrapper(where)
    except Exception:
        return "error", ExceptionWrapper(where)
