"""Checks for lesson 11 (the surname classifier)."""

from __future__ import annotations

from collections import Counter

import tensorkit as torch
from lessons.course import Hint, exercise, expect, expect_close, need
from tensorkit.nn.utils.rnn import pack_padded_sequence

NAMES = ["Li", "Zhong", "O'Neal", "Abe", "Ito", "Papadopoulos"]
COUNTRIES = ["Chinese", "Chinese", "Irish", "Japanese", "Japanese", "Greek"]


def _country_list(ns) -> list[str]:
    countries = need(ns, "country_list")
    expect(len(countries) == 18, "`country_list` should hold the 18 countries: run the "
                                 "first cell of the notebook again")
    return countries


def _check_codes(name_to_codes) -> None:
    for name in ["Li", "O'Neal", "Nakamura"]:
        got = name_to_codes(name)
        expect(got is not None, "name_to_codes returned None: did you forget `return`?")
        got = got.tolist() if isinstance(got, torch.Tensor) else list(got)
        want = [ord(letter) for letter in name]
        expect(got == want, f"name_to_codes({name!r}) = {got}, expected {want}: "
                            "ord(letter) for each letter")


def _check_batch(make_tensors, names, countries, country_list) -> None:
    result = make_tensors(names, countries)
    expect(isinstance(result, tuple | list) and len(result) == 3,
           "make_tensors should return three things: (padded, lengths, targets)")
    padded, lengths, targets = result
    for what, t in [("padded", padded), ("lengths", lengths), ("targets", targets)]:
        expect(isinstance(t, torch.Tensor), f"{what} should be a tensor, got "
                                            f"{type(t).__name__}")
        expect(t.dtype == torch.int64, f"{what} has dtype {t.dtype}; use integer (long) "
                                       "tensors: the embedding takes codes, the loss class "
                                       "indices")
    longest = max(len(n) for n in names)
    expect(tuple(padded.shape) == (len(names), longest),
           f"padded has shape {tuple(padded.shape)}, expected (batch, longest name) = "
           f"{(len(names), longest)}: one row per name, padded to the batch's longest")
    expect(tuple(lengths.shape) == (len(names),) and tuple(targets.shape) == (len(names),),
           f"lengths and targets should be 1-D with {len(names)} entries, got shapes "
           f"{tuple(lengths.shape)} and {tuple(targets.shape)}")
    lengths_list = lengths.tolist()
    expect(lengths_list == sorted(lengths_list, reverse=True),
           f"lengths {lengths_list} are not sorted longest first: use "
           "lengths.sort(0, descending=True)")
    expect(sorted(lengths_list) == sorted(len(n) for n in names),
           f"lengths {lengths_list} are not the lengths of the names")
    wanted = Counter(zip(names, countries))
    for row, (codes, n, target) in enumerate(zip(padded.tolist(), lengths_list,
                                                 targets.tolist())):
        if any(codes[n:]):
            raise Hint(f"row {row} of padded is {codes} for a name of length {n}: after the "
                       "name, pad with zeros (or the rows are not in the lengths' order)")
        name = "".join(chr(c) for c in codes[:n] if 0 < c < 0x110000)
        if len(name) != n or (name, country_list[target]) not in wanted:
            country = country_list[target] if 0 <= target < len(country_list) else target
            raise Hint(f"row {row}: padded holds {name!r}, lengths says {n} letters and "
                       f"targets says {country}. Sort the padded rows and the targets with "
                       "the same order as the lengths (the indices lengths.sort returns).")
        wanted[(name, country_list[target])] -= 1
    expect(all(v == 0 for v in wanted.values()),
           "some names appear twice and others not at all: index the rows with the "
           "sort's order")


@exercise("11-make-tensors", "names to padded, sorted tensors")
def make_tensors(ns):
    country_list = _country_list(ns)
    _check_codes(need(ns, "name_to_codes"))
    fn = need(ns, "make_tensors")
    _check_batch(fn, NAMES, COUNTRIES, country_list)
    _check_batch(fn, ["Ito"], ["Japanese"], country_list)
    _check_batch(fn, ["Kim", "Lee", "Ngo"], ["Korean", "Korean", "Vietnamese"], country_list)
    names, countries = need(ns, "train_names"), need(ns, "train_countries")
    _check_batch(fn, names[:256], countries[:256], country_list)


@exercise("11-batch-sizes", "predict the packing")
def batch_sizes(ns):
    predicted = need(ns, "predicted_batch_sizes")
    rows = need(ns, "predicted_rows")
    names = ["Papadopoulos", "Ito", "Schmidt", "Li", "Kowalski"]
    lengths = sorted((len(n) for n in names), reverse=True)
    packed = pack_padded_sequence(torch.zeros(lengths[0], len(names)), lengths)
    want = packed.batch_sizes.tolist()
    try:
        predicted = [int(n) for n in predicted]
    except (TypeError, ValueError):
        raise Hint("predicted_batch_sizes should be a list of ints") from None
    expect(predicted != [], "fill in predicted_batch_sizes: one number per time step")
    expect(len(predicted) == len(want),
           f"predicted_batch_sizes has {len(predicted)} entries; there is one per time "
           "step, and the number of steps is the length of the longest name")
    for t, (guess, actual) in enumerate(zip(predicted, want)):
        if guess != actual:
            raise Hint(f"batch_sizes[{t}] is not {guess}: count the names with more than "
                       f"{t} letters (lengths {lengths})")
    expect(rows == packed.data.shape[0],
           f"predicted_rows = {rows} is wrong: the packed data has one row per real "
           "letter, which is also the sum of batch_sizes")


# ------------------------------------------------------------------------- the model

def _padded(names):
    """Codes of ``names`` (already longest first), padded with zeros; and their lengths."""
    lengths = [len(n) for n in names]
    padded = torch.zeros(len(names), lengths[0], dtype=torch.long)
    for row, name in enumerate(names):
        padded[row, :len(name)] = torch.tensor([ord(c) for c in name])
    return padded, torch.tensor(lengths)


def _variants(model, codes, lengths) -> dict:
    """The right output, and what common mistakes compute instead."""
    seq = codes.t()
    h0 = torch.zeros(2 * model.n_layers, seq.size(1), model.hidden_size)
    embedded = model.embedding(seq)
    output, hidden = model.gru(pack_padded_sequence(embedded, lengths), h0)
    unpacked_output, unpacked = model.gru(embedded, h0)
    return {
        "right": model.fc(torch.cat([hidden[-1], hidden[-2]], dim=1)),
        "order": model.fc(torch.cat([hidden[-2], hidden[-1]], dim=1)),
        "unpacked": model.fc(torch.cat([unpacked[-1], unpacked[-2]], dim=1)),
        "output": model.fc(unpacked_output[-1]),
    }


VARIANT_HINTS = {
    "order": "the two directions are concatenated in the other order: the course's model "
             "(which the benchmarks train too) puts hidden[-1] first, then hidden[-2]",
    "unpacked": "the GRU read the padding: pack the embedded batch with "
                "pack_padded_sequence(embedded, lengths) before the GRU",
    "output": "use the final hidden states (the GRU's second result), not the output at "
              "the last padded step",
}


@exercise("11-forward", "the classifier's forward pass")
def forward(ns):
    cls = need(ns, "RNNClassifier")
    torch.manual_seed(0)
    model = cls()
    for names in (["Papadopoulos", "Schmidt", "Nakamura", "Ito", "Li"], ["Kowalski"]):
        names = sorted(names, key=len, reverse=True)
        codes, lengths = _padded(names)
        with torch.no_grad():
            try:
                got = model(codes, lengths)
            except RuntimeError as error:
                raise Hint(_crash_hint(str(error))) from None
            variants = _variants(model, codes, lengths)
        expect(got is not None, "forward returned None: did you forget `return`?")
        want = (len(names), 18)
        expect(isinstance(got, torch.Tensor) and tuple(got.shape) == want,
               f"forward returned shape {tuple(getattr(got, 'shape', ()))}, expected "
               f"(batch, 18) = {want}: one row of 18 country scores per name")
        for kind, message in VARIANT_HINTS.items():
            if torch.allclose(got, variants[kind], atol=1e-5) and not torch.allclose(
                    got, variants["right"], atol=1e-5):
                raise Hint(message)
        expect_close(got, variants["right"], "the scores", atol=1e-4)


def _crash_hint(message: str) -> str:
    if "mat1 and mat2" in message or "shapes cannot be multiplied" in message:
        why = ("the fc layer takes 200 features: concatenate hidden[-1] and hidden[-2], "
               "each (batch, 100), with torch.cat(..., dim=1)")
    elif "lengths" in message or "batch_size" in message:
        why = ("the GRU (without batch_first) wants time first: transpose the padded codes "
               "with codes.t() before the embedding, so they are (seq_len, batch)")
    elif "hidden" in message.lower() or "hx" in message:
        why = ("the initial state should be zeros of shape (num_layers * 2, batch, "
               "hidden_size) = (4, batch, 100)")
    else:
        why = ("follow the shapes: codes.t() (seq, batch) -> embedding (seq, batch, 100) "
               "-> pack -> GRU -> hidden (4, batch, 100) -> cat -> (batch, 200) -> fc")
    return f"forward raised RuntimeError: {message}. Likely cause: {why}."


@exercise("11-accuracy", "accuracy of a batch of scores")
def accuracy(ns):
    fn = need(ns, "accuracy")
    torch.manual_seed(0)
    scores, targets = torch.randn(50, 7), torch.randint(0, 7, (50,))
    want = (scores.argmax(1) == targets).float().mean().item()
    try:
        got = fn(scores, targets)
    except RuntimeError as error:
        raise Hint(f"accuracy raised RuntimeError: {error}. The prediction of each row is "
                   "its argmax over the classes: scores.argmax(dim=1)") from None
    expect(got is not None, "accuracy returned None: did you forget `return`?")
    if isinstance(got, torch.Tensor):
        raise Hint("return a Python float (a tensor's .item()), not a tensor")
    expect(isinstance(got, float | int), f"return a Python float, got {type(got).__name__}")
    if abs(got - want * 50) < 1e-6 and want != 0:
        raise Hint(f"accuracy returned {got}, the number of correct rows: divide by the "
                   "number of rows to get a fraction")
    expect(abs(got - want) < 1e-6, f"accuracy is {got}, expected {want}: the fraction of "
                                   "rows whose argmax over dim=1 equals the target")
    perfect = fn(torch.eye(5), torch.arange(5))
    expect(abs(perfect - 1.0) < 1e-6, f"accuracy(torch.eye(5), torch.arange(5)) is {perfect}, "
                                      "expected 1.0")
