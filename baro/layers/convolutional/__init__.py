"""Convolution layers: Conv1D/2D, their transposes, depthwise and separable."""
