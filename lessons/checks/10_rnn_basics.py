"""Checks for lesson 10 (RNN basics)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import Hint, exercise, expect, expect_close, need
from tensorkit import nn


def _close(a, b) -> bool:
    return isinstance(a, torch.Tensor) and a.shape == b.shape and torch.allclose(a, b, atol=1e-5)


@exercise("10-rnn-step", "one RNNCell step by hand")
def rnn_step(ns):
    step = need(ns, "rnn_cell_step")
    for input_size, hidden_size in [(3, 5), (4, 2)]:
        torch.manual_seed(input_size)
        cell = nn.RNNCell(input_size, hidden_size)
        x, h = torch.randn(4, input_size), torch.randn(4, hidden_size)
        with torch.no_grad():
            try:
                got = step(cell, x, h)
            except RuntimeError as error:
                raise Hint(f"rnn_cell_step raised: {error}. weight_ih is (hidden_size, "
                           "input_size) and x is (batch, input_size): with a batch of rows, "
                           "W x is `x @ cell.weight_ih.T` (and h @ cell.weight_hh.T).") from None
            want = cell(x, h)
            from_x = x @ cell.weight_ih.T + cell.bias_ih
            from_h = h @ cell.weight_hh.T + cell.bias_hh
        expect(got is not None, "rnn_cell_step returned None: did you forget `return`?")
        expect(isinstance(got, torch.Tensor), f"return a tensor, not {type(got).__name__}")
        expect(tuple(got.shape) == (4, hidden_size),
               f"h' has shape {tuple(got.shape)}, expected (batch, hidden_size) = "
               f"{(4, hidden_size)}. weight_ih is (hidden_size, input_size): with a batch of "
               "rows, W x is `x @ cell.weight_ih.T`.")
        if _close(got, from_x + from_h):
            raise Hint("the values are the sum before the nonlinearity: apply torch.tanh")
        if _close(got, torch.tanh(from_x)):
            raise Hint("h' ignores the previous state h: add h @ cell.weight_hh.T + "
                       "cell.bias_hh")
        if _close(got, torch.tanh(from_x + from_h - cell.bias_ih - cell.bias_hh)):
            raise Hint("the biases are missing: add cell.bias_ih and cell.bias_hh")
        if _close(got, torch.tanh(from_x + from_h - cell.bias_hh)) or _close(
                got, torch.tanh(from_x + from_h - cell.bias_ih)):
            raise Hint("one of the two biases is missing: the formula has both bias_ih "
                       "and bias_hh")
        expect_close(got, want, f"rnn_cell_step for RNNCell({input_size}, {hidden_size})")


# The layers of the exercise table: (constructor arguments, input shape).
SHAPE_CASES = {
    "a": (dict(input_size=4, hidden_size=2), (5, 3, 4)),
    "b": (dict(input_size=4, hidden_size=2, batch_first=True), (3, 5, 4)),
    "c": (dict(input_size=4, hidden_size=6, num_layers=3), (5, 3, 4)),
    "d": (dict(input_size=4, hidden_size=6, num_layers=2, bidirectional=True,
               batch_first=True), (3, 5, 4)),
    "e": (dict(input_size=4, hidden_size=2), (5, 4)),
}

SHAPE_HINTS = {
    ("b", "h_n"): "h_n is never batch-first: it is (num_layers * directions, batch, hidden)",
    ("c", "h_n"): "h_n holds the last state of every layer: num_layers of them",
    ("d", "output"): "a bidirectional output concatenates both directions: 2 * hidden_size",
    ("d", "h_n"): "h_n has num_layers * 2 states when bidirectional (and is not batch-first)",
    ("e", "output"): "an unbatched input (seq_len, input_size) gives an unbatched output",
    ("e", "h_n"): "an unbatched input gives h_n without the batch dimension",
}


def _as_shape(value):
    try:
        return tuple(int(n) for n in value)
    except (TypeError, ValueError):
        return None


@exercise("10-shapes", "predict nn.RNN's shapes")
def shapes(ns):
    predicted = need(ns, "predicted")
    expect(isinstance(predicted, dict), "`predicted` should be a dict like "
                                        "{'a': (output_shape, h_n_shape), ...}")
    for key, (kwargs, input_shape) in SHAPE_CASES.items():
        expect(key in predicted, f"predicted[{key!r}] is missing")
        answer = predicted[key]
        expect(isinstance(answer, tuple | list) and len(answer) == 2,
               f"predicted[{key!r}] should be a pair (output_shape, h_n_shape)")
        output, h_n = nn.RNN(**kwargs)(torch.randn(*input_shape))
        for what, guess, actual in [("output", answer[0], output), ("h_n", answer[1], h_n)]:
            guess_shape = _as_shape(guess)
            if guess_shape is None:
                raise Hint(f"predicted[{key!r}]: the {what} shape should be a tuple of "
                           f"ints, got {guess!r}")
            if guess_shape != tuple(actual.shape):
                why = SHAPE_HINTS.get((key, what), "")
                raise Hint(f"case {key}: {what} shape {guess_shape} is not right"
                           + (f" ({why})" if why else "")
                           + ". The layout is (seq_len, batch, features) unless batch_first.")


@exercise("10-one-hot", "one-hot vectors")
def one_hot(ns):
    fn = need(ns, "one_hot")
    indices = torch.tensor([1, 0, 2, 2, 3])
    got = fn(indices, 4)
    expect(isinstance(got, torch.Tensor), f"return a tensor, not {type(got).__name__}")
    expect(tuple(got.shape) == (5, 4), f"one_hot(5 indices, 4) has shape {tuple(got.shape)}, "
                                       "expected (5, 4): one row of length n per index")
    expect(got.dtype == torch.float32, f"the result has dtype {got.dtype}; an RNN reads "
                                       "float32 vectors (use torch.eye, or .float())")
    expect_close(got, torch.eye(4)[indices], "one_hot([1, 0, 2, 2, 3], 4)")
    grid = torch.tensor([[0, 5], [6, 2], [1, 1]])
    got = fn(grid, 7)
    expect(tuple(got.shape) == (3, 2, 7), f"for indices of shape (3, 2) and n=7 the result "
                                          f"has shape {tuple(got.shape)}, expected (3, 2, 7): "
                                          "the one-hot dimension is added last")
    expect_close(got, torch.eye(7)[grid], "one_hot of a (3, 2) tensor")


@exercise("10-fix-model", "fix the Embedding-RNN-Linear model")
def fix_model(ns):
    cls = need(ns, "EmbeddingRNN")
    torch.manual_seed(0)
    model = cls(num_classes=4, embedding_dim=10, hidden_size=8)
    x = torch.tensor([[1, 0, 2, 2, 3], [3, 2, 1, 0, 0]])
    try:
        scores = model(x)
    except RuntimeError as error:
        raise Hint(f"the model crashes ({error}). The RNN reads the embedding's vectors: its "
                   "input_size must be embedding_dim, not num_classes.") from None
    expect(tuple(scores.shape) == (10, 4), f"the output has shape {tuple(scores.shape)}, "
                                           "expected (batch * seq_len, num_classes) = (10, 4)")
    changed_first = x.clone()
    changed_first[0, 0] = 3
    later = model(changed_first)[1:5] - scores[1:5]
    if later.abs().max().item() < 1e-7:
        raise Hint("changing the first letter does not change the scores of the later "
                   "letters: the RNN reads each letter as its own sequence. The input is "
                   "(batch, seq_len, features): tell the RNN with batch_first=True.")
    changed_other = x.clone()
    changed_other[1] = torch.tensor([0, 0, 0, 0, 0])
    other = model(changed_other)[:5] - scores[:5]
    expect(other.abs().max().item() < 1e-6,
           "changing the second sequence changes the scores of the first: the batch and "
           "time dimensions are mixed up (batch_first=True?)")
