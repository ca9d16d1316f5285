"""tensorkit: a readable tensor library with PyTorch's API."""
