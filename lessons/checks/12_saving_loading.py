"""Checks for lesson 12 (saving and loading)."""

from __future__ import annotations

import os
import pickle
import tempfile

import tensorkit as torch
from lessons.course import Hint, exercise, expect, need
from tensorkit import nn

KEY_HINTS = {
    "norm.running_mean": "BatchNorm's running statistics are buffers, and buffers are saved "
                         "too",
    "norm.running_var": "BatchNorm's running statistics are buffers, and buffers are saved "
                        "too",
    "norm.num_batches_tracked": "BatchNorm also counts the batches it has seen "
                                "(num_batches_tracked, a buffer)",
    "head.1.weight": "inside nn.Sequential layers are named by position, and the ReLU takes "
                     "position 0 even though it has no parameters",
    "head.0.weight": "the ReLU at position 0 has no parameters: the Linear is head.1",
    "head.0.bias": "the ReLU at position 0 has no parameters: the Linear is head.1",
}


def _shape(value):
    try:
        return tuple(int(n) for n in value)
    except (TypeError, ValueError):
        return None


@exercise("12-keys", "predict a state dict")
def keys(ns):
    predicted = need(ns, "predicted_keys")
    cls = need(ns, "TinyNet")
    expect(isinstance(predicted, dict), "predicted_keys should be a dict {name: shape}")
    actual = {name: tuple(t.shape) for name, t in cls().state_dict().items()}
    extra = [k for k in predicted if k not in actual]
    if extra:
        hint = KEY_HINTS.get(extra[0], "names are the attribute path, joined by dots "
                                       "(self.rnn's weight_ih_l0 is rnn.weight_ih_l0)")
        raise Hint(f"{extra[0]!r} is not in the state dict: {hint}")
    missing = [k for k in actual if k not in predicted]
    if missing:
        hint = KEY_HINTS.get(missing[0], "every parameter and buffer of every layer has "
                                         "an entry")
        raise Hint(f"{len(missing)} entries are missing, for example {missing[0]!r}: {hint}")
    for name, shape in actual.items():
        guess = _shape(predicted[name])
        if guess != shape:
            why = ""
            if name.startswith("rnn."):
                why = (": a GRU stacks its 3 gates (r, z, n), so the rows are "
                       "3 * hidden_size = 24")
            elif name == "norm.num_batches_tracked":
                why = ": it is a single number, a 0-dimensional tensor of shape ()"
            elif name == "head.1.weight":
                why = ": a Linear's weight is (out_features, in_features)"
            raise Hint(f"{name!r} has the wrong shape {predicted[name]!r}{why}")


def _model_and_optimizer(seed: int):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    return model, torch.optim.Adam(model.parameters(), lr=0.1)


def _step(model, optimizer, x):
    loss = model(x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _same_state(a: dict, b: dict) -> str | None:
    """The first name whose tensor differs, or None."""
    for name, t in a.items():
        if name not in b or not torch.equal(t, b[name]):
            return name
    return None


@exercise("12-checkpoint", "save and load a checkpoint")
def checkpoint(ns):
    save, load = need(ns, "save_checkpoint"), need(ns, "load_checkpoint")
    x = torch.randn(8, 3)
    model, optimizer = _model_and_optimizer(0)
    for _ in range(3):
        loss = _step(model, optimizer, x)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        save(path, model, optimizer, 7, loss)
        expect(os.path.exists(path), "save_checkpoint wrote no file at `path`: call "
                                     "torch.save(checkpoint_dict, path)")
        try:
            saved = torch.load(path)
        except pickle.UnpicklingError:
            raise Hint("the file does not load with weights_only=True: save the state dicts "
                       "(model.state_dict(), optimizer.state_dict()), not the model or "
                       "optimizer objects") from None
        expect(isinstance(saved, dict), f"the file holds a {type(saved).__name__}; save a "
                                        "dict with epoch, model, optimizer and loss")
        missing = [k for k in ("epoch", "model", "optimizer", "loss") if k not in saved]
        expect(not missing, f"the checkpoint has no {missing} entries (it has "
                            f"{sorted(saved)})")
        expect(saved["epoch"] == 7 and saved["loss"] == loss,
               f"the checkpoint says epoch {saved['epoch']!r} and loss {saved['loss']!r}; "
               f"they were saved as 7 and {loss!r}")

        fresh, fresh_optimizer = _model_and_optimizer(1)
        epoch = load(path, fresh, fresh_optimizer)
    expect(epoch == 7, f"load_checkpoint returned {epoch!r}; return the saved epoch (7)")
    differs = _same_state(model.state_dict(), fresh.state_dict())
    expect(differs is None, f"after load_checkpoint the model's {differs!r} differs from the "
                            "saved one: model.load_state_dict(checkpoint['model'])")
    expect(len(fresh_optimizer.state) == len(optimizer.state),
           "the optimizer's state (Adam's running averages) was not restored: "
           "optimizer.load_state_dict(checkpoint['optimizer'])")
    _step(model, optimizer, x)
    _step(fresh, fresh_optimizer, x)
    differs = _same_state(model.state_dict(), fresh.state_dict())
    expect(differs is None, "one more training step after loading does not match the "
                            "original model's step: was the optimizer's state loaded?")


FRESH_SEED = 123


@exercise("12-fix-resume", "resume training exactly")
def fix_resume(ns):
    resume = need(ns, "resume_training")
    make, train = need(ns, "make_model_and_optimizer"), need(ns, "train")
    half, last = 2, 4
    torch.manual_seed(0)
    model, optimizer = make()
    uninterrupted = train(model, optimizer, range(1, last + 1))
    torch.manual_seed(0)
    model, optimizer = make()
    first = train(model, optimizer, range(1, half + 1))
    state = {"epoch": half, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "loss": first[-1]}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        torch.save(state, path)
        torch.manual_seed(FRESH_SEED)   # a fresh model starts from other weights
        got = resume(path, last)
        expect(got is not None, "resume_training returned None: return train(...)'s losses")
        got = list(got)
        expect(len(got) == last - half,
               f"resuming a checkpoint of epoch {half} up to epoch {last} returned "
               f"{len(got)} losses, expected {last - half}: training should continue at "
               "epoch checkpoint['epoch'] + 1, not start again at 1")
        want = uninterrupted[half:]
        if got == want:
            return
        for mistake, hint in RESUME_MISTAKES.items():
            if got == _resume_with_mistake(mistake, make, train, state, half, last):
                raise Hint(hint)
    raise Hint(f"the resumed losses {got} differ from the uninterrupted run's {want}: load "
               "both state dicts and continue from checkpoint['epoch'] + 1")


RESUME_MISTAKES = {
    "optimizer": "the losses differ from the uninterrupted run because the optimizer starts "
                 "from scratch: load its state too, "
                 "optimizer.load_state_dict(checkpoint['optimizer'])",
    "model": "the model was not restored, so training restarts from random weights: "
             "model.load_state_dict(checkpoint['model'])",
    "numbering": "the resumed epochs are numbered from 1 again, so they shuffle like epochs "
                 "1, 2, ... instead of continuing: start at checkpoint['epoch'] + 1",
}


def _resume_with_mistake(mistake: str, make, train, state: dict, half: int, last: int):
    """The losses of a resume that makes one of the RESUME_MISTAKES."""
    torch.manual_seed(FRESH_SEED)
    model, optimizer = make()
    if mistake != "model":
        model.load_state_dict(state["model"])
    if mistake != "optimizer":
        optimizer.load_state_dict(state["optimizer"])
    first = 1 if mistake == "numbering" else half + 1
    return train(model, optimizer, range(first, first + last - half))
