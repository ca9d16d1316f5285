"""``tensorkit.optim``: optimizers that update parameters from their gradients, as ``torch.optim``.

The usual loop::

    optimizer = tensorkit.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in data:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

Each optimizer is one short module whose ``_update`` reads like its update equation
(given in the class docstring); ``optimizer.py`` holds what they share (param groups,
state, ``state_dict``), and ``lr_scheduler`` changes learning rates over time.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Optimizer", "RMSprop", "SGD",
           "lr_scheduler"]
