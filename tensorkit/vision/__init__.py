"""Computer vision with torchvision's layout: ``datasets`` (MNIST, FashionMNIST) and
``transforms`` (ToTensor, Normalize, RandomCrop, ...)."""

from . import datasets, transforms
