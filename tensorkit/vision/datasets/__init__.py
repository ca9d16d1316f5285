"""Image datasets with torchvision.datasets' names: MNIST and FashionMNIST."""

from .mnist import MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "StandardTransform", "VisionDataset"]
