"""UpSampling2D: enlarges images by integer factors (nearest or bilinear)."""

from __future__ import annotations

import operator

from baro import ops
from baro.layers.layer import Layer
from baro.ops.window import channels_first
from baro.saving.registry import register_serializable

_KERAS_ONLY = ("bicubic", "lanczos3", "lanczos5", "area")


@register_serializable()
class UpSampling2D(Layer):
    """Upsamples rows by `size[0]` and columns by `size[1]`.

    "nearest" repeats each pixel: y[i, j] = x[i // s0, j // s1].
    "bilinear" interpolates with half-pixel centers (TF's `resize` with
    `half_pixel_centers`, PyTorch's `align_corners=False`): output pixel o
    samples input coordinate c = (o + 0.5) / s - 0.5, clamped to the edges,
    as (1 - t) x[floor(c)] + t x[floor(c) + 1] with t = c - floor(c), per axis.

    Args:
        size: Int or tuple of 2 ints, the (rows, cols) factors (default (2, 2)).
        data_format: "channels_last" (default, also for None) or
            "channels_first".
        interpolation: "nearest" (default) or "bilinear".
        **kwargs: Base Layer arguments.

    Input shape: `(batch, rows, cols, channels)` (channels_last) or
    `(batch, channels, rows, cols)` (channels_first).
    Output shape: rows and cols multiplied by `size`.

    Raises:
        ValueError: For a non-positive size, an unknown data_format or an
            interpolation other than "nearest" / "bilinear".

    Example:
        >>> import numpy as np
        >>> from baro.layers.reshaping.up_sampling2d import UpSampling2D
        >>> x = np.array([[[[0.0], [1.0]]]])
        >>> UpSampling2D((1, 2), interpolation="bilinear")(x).numpy().ravel()
        array([0.  , 0.25, 0.75, 1.  ], dtype=float32)
    """

    def __init__(self, size=(2, 2), data_format=None,
                 interpolation: str = "nearest", **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = _pair(size)
        self.data_format = "channels_first" if channels_first(
            data_format, "UpSampling2D") else "channels_last"
        mode = str(interpolation).lower()
        if mode not in ("nearest", "bilinear"):
            extra = " (a Keras mode baro does not implement)" \
                if mode in _KERAS_ONLY else ""
            raise ValueError(
                "UpSampling2D: interpolation must be 'nearest' or 'bilinear', "
                f"received interpolation={interpolation!r}{extra}.")
        self.interpolation = mode

    def _spatial_axes(self) -> tuple[int, int]:
        return (2, 3) if self.data_format == "channels_first" else (1, 2)

    def call(self, inputs):
        if inputs.ndim != 4:
            raise ValueError(
                f"UpSampling2D {self.name!r} expects 4-D inputs, received shape "
                f"{tuple(inputs.shape)}.")
        y = inputs
        for axis, factor in zip(self._spatial_axes(), self.size, strict=True):
            if factor == 1:
                continue
            if self.interpolation == "nearest":
                y = ops.repeat(y, factor, axis=axis)
            else:
                y = _linear_upsample(y, axis, factor)
        return y

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._spatial_axes(), self.size, strict=True):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": list(self.size),
                "data_format": self.data_format,
                "interpolation": self.interpolation}


def _linear_upsample(x, axis: int, factor: int):
    """Linear interpolation by an integer factor along `axis` (half-pixel).

    Output phase r (o = i * factor + r) samples c = i + f_r with the constant
    offset f_r = (r + 0.5) / factor - 0.5 in (-0.5, 0.5), so each phase is a
    fixed blend of x with its neighbour (edge-clamped); the phases are then
    interleaved. A loop over `factor` phases, vectorized over everything else.
    """
    lead = (slice(None),) * axis
    n = x.shape[axis]
    if n == 1:
        return ops.repeat(x, factor, axis=axis)
    prev = ops.concatenate([x[lead + (slice(0, 1),)], x[lead + (slice(0, n - 1),)]],
                           axis=axis)
    nxt = ops.concatenate([x[lead + (slice(1, n),)], x[lead + (slice(n - 1, n),)]],
                          axis=axis)
    phases = []
    for r in range(factor):
        f = (r + 0.5) / factor - 0.5
        if f > 0:
            phases.append(x * (1.0 - f) + nxt * f)
        elif f < 0:
            phases.append(prev * (-f) + x * (1.0 + f))
        else:
            phases.append(x)
    stacked = ops.stack(phases, axis=axis + 1)
    shape = x.shape[:axis] + (n * factor,) + x.shape[axis + 1:]
    return ops.reshape(stacked, shape)


def _pair(size) -> tuple[int, int]:
    values = (size, size) if hasattr(size, "__index__") else size
    try:
        values = tuple(operator.index(v) for v in values)
    except TypeError:
        values = ()
    if len(values) != 2 or min(values) < 1:
        raise ValueError(
            "UpSampling2D: size must be a positive int or a tuple of 2 positive "
            f"ints, received size={size!r}.")
    return values
