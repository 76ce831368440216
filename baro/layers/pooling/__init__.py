"""Pooling layers: max and average pooling, windowed and global, 1-D and 2-D."""
