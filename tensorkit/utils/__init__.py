"""Utilities with torch.utils' layout: ``tensorkit.utils.data`` (datasets and DataLoader)."""

from . import data
