"""Speed measurements of tensorkit against PyTorch, side by side in one run."""
