"""`baro.plot.filters` and `baro.plot.activations`: what a conv layer looks for
and what it sees."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from baro.core.grad_mode import no_grad
from baro.evaluation.labels import as_numpy
from baro.layers.convolutional.base_conv_transpose import BaseConvTranspose
from baro.layers.convolutional.depthwise_conv2d import BaseDepthwiseConv
from baro.models.functional import Functional
from baro.models.sequential import Sequential
from baro.plot._figure import finish, subplots
from baro.plot.grids import displayable, rgb_in_unit_range

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _sublayers(model) -> list:
    """Every layer of `model`, nested models' layers included, in order."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        if hasattr(layer, "layers"):
            found += _sublayers(layer)
    return found


def _kernel(layer):
    """The kernel as (kh, kw, in_channels, filters) (or other ranks, as stored)."""
    depthwise = getattr(layer, "depthwise_kernel", None)
    if depthwise is None and isinstance(layer, BaseDepthwiseConv):
        depthwise = layer.kernel
    if depthwise is not None:
        # (kh, kw, channels, multiplier): every (channel, multiplier) pair is a
        # filter of its own that sees one channel.
        kernel = as_numpy(depthwise)
        return kernel.reshape(kernel.shape[:2] + (1, -1)) if kernel.ndim == 4 \
            else kernel
    kernel = getattr(layer, "kernel", None)
    if kernel is None:
        return None
    kernel = as_numpy(kernel)
    if isinstance(layer, BaseConvTranspose) and kernel.ndim == 4:
        return kernel.transpose(0, 1, 3, 2)  # stored (kh, kw, filters, in)
    return kernel


def _find_conv(layer_or_model, layer_name):
    if layer_name is not None:
        if not hasattr(layer_or_model, "get_layer"):
            raise ValueError(f"filters: layer_name={layer_name!r} needs a model, "
                             f"received a {type(layer_or_model).__name__}.")
        return layer_or_model.get_layer(layer_name)
    if not hasattr(layer_or_model, "layers"):
        return layer_or_model
    for layer in _sublayers(layer_or_model):
        kernel = _kernel(layer) if getattr(layer, "built", False) else None
        if kernel is not None and kernel.ndim == 4:
            return layer
    raise ValueError(
        f"filters: model {layer_or_model.name!r} has no built 2-D convolution "
        "layer (Conv2D and friends); pass layer_name= or the layer itself.")


def filters(layer_or_model, layer_name: str | None = None, max_filters: int = 64,
            path=None, show: bool = False) -> Figure:
    """The kernels of a 2-D convolution layer, one small image per filter.

    A kernel of shape (kh, kw, in_channels, filters) gives `filters` images
    of kh x kw. With 3 input channels (an RGB input) each filter is drawn in
    colour (stretched to [0, 1]); otherwise its weights are averaged over the
    input channels and drawn red (positive) to blue (negative) on one scale
    shared by all filters, so strong and weak filters can be compared.

    Args:
        layer_or_model: A conv layer, or a model (its first conv layer unless
            `layer_name` says which).
        layer_name: Name of the layer in the model.
        max_filters: How many filters to draw at most. Default 64.
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure, one Axes per filter (then a colour bar).

    Raises:
        ValueError: If the layer is not a built 2-D convolution.
        ImportError: If matplotlib is not installed.
    """
    layer = _find_conv(layer_or_model, layer_name)
    kernel = _kernel(layer) if getattr(layer, "built", False) else None
    if kernel is None or kernel.ndim != 4:
        shape = None if kernel is None else kernel.shape
        raise ValueError(
            f"filters: layer {getattr(layer, 'name', layer)!r} has no 2-D "
            f"convolution kernel (kernel shape {shape}); it must be a built "
            "Conv2D-like layer (call the model on data or give it an input shape).")
    count = min(kernel.shape[3], max_filters)
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    fig, axes = subplots(rows, cols, figsize=(1.1 * cols + 1.0, 1.1 * rows + 0.6),
                         layout="constrained")
    colour = kernel.shape[2] == 3
    shown = kernel if colour else kernel.mean(axis=2)
    limit = float(np.abs(shown).max()) or 1.0
    image = None
    for i, ax in enumerate(axes.flat):
        if i >= count:
            ax.remove()
            continue
        weights = shown[..., i]
        if colour:
            low, high = weights.min(), weights.max()
            ax.imshow((weights - low) / (high - low if high > low else 1.0),
                      interpolation="nearest")
        else:
            image = ax.imshow(weights, cmap="bwr", vmin=-limit,
                              vmax=limit, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(str(i), fontsize=7)
    if image is not None:
        fig.colorbar(image, ax=list(axes.flat[:count]), shrink=0.8, label="weight")
    note = "" if colour or kernel.shape[2] == 1 else \
        f", mean over {kernel.shape[2]} input channels"
    fig.suptitle(f"{layer.name}: {count} of {kernel.shape[3]} filters "
                 f"{kernel.shape[0]}x{kernel.shape[1]}{note}", fontsize=9)
    return finish(fig, path, show)


def _feature_maps(model, layer, sample: np.ndarray) -> np.ndarray:
    if isinstance(model, Functional):
        if len(model.inputs) != 1:
            raise ValueError("activations: the model has several inputs; build a "
                             "sub-model with one input to look inside it.")
        node = next((n for n in model._nodes if n.layer is layer), None)
        if node is None:
            raise ValueError(f"activations: layer {layer.name!r} is not part of "
                             f"model {model.name!r}'s graph.")
        return as_numpy(Functional(model.inputs, node.outputs).predict(
            sample, verbose=0))
    if isinstance(model, Sequential):
        with no_grad():
            y = sample
            for current in model.layers:
                y = current(y, training=False)
                if current is layer:
                    return as_numpy(y)
    raise ValueError(
        f"activations: needs a Sequential or Functional model, received "
        f"{type(model).__name__} (a subclassed model's inner tensors are not "
        "recorded).")


def activations(model, x, layer_name: str, max_maps: int = 64, path=None,
                show: bool = False) -> Figure:
    """The feature maps of one sample at a conv (or pooling) layer.

    Args:
        model: A Sequential or Functional model.
        x: One sample in the model's input layout ((28, 28, 1) for an
            (None, 28, 28, 1) model), or a batch whose first sample is used.
        layer_name: The layer whose output to show; it must give
            (batch, H, W, channels).
        max_maps: How many channels to draw at most. Default 64.
        path: Where to save the figure.
        show: Whether to open it in a window.

    Returns:
        The matplotlib Figure: the input first (when it is an image), then one
        Axes per feature map.

    Raises:
        ValueError: If the layer is unknown or does not output feature maps, or
            `x` does not fit the model's input rank.
        ImportError: If matplotlib is not installed.
    """
    layer = model.get_layer(layer_name)
    x = as_numpy(x)
    rank = len(model.inputs[0].shape) if isinstance(model, Functional) and \
        model.inputs else len(model.input_shape)
    if x.ndim == rank - 1:
        x = x[None]
    elif x.ndim != rank:
        raise ValueError(
            f"activations: the model takes inputs of rank {rank} (batch first), "
            f"received x of shape {x.shape}; pass one sample or a batch.")
    maps = _feature_maps(model, layer, x[:1])
    if maps.ndim == 4 and getattr(layer, "data_format", None) == "channels_first":
        maps = maps.transpose(0, 2, 3, 1)
    if maps.ndim != 4:
        raise ValueError(
            f"activations: layer {layer_name!r} outputs shape {maps.shape}; feature "
            "maps need (batch, height, width, channels): pick a Conv2D or pooling "
            "layer.")
    try:
        picture = displayable(x[:1])[0]
    except ValueError:
        picture = None
    count = min(maps.shape[-1], max_maps)
    panels = count + (picture is not None)
    cols = math.ceil(math.sqrt(panels))
    rows = math.ceil(panels / cols)
    fig, axes = subplots(rows, cols, figsize=(1.3 * cols, 1.35 * rows + 0.5),
                         layout="constrained")
    flat = list(axes.flat)
    if picture is not None:
        if picture.ndim == 3:
            picture = rgb_in_unit_range(picture)
        flat[0].imshow(picture, cmap="gray" if picture.ndim == 2 else None)
        flat[0].set_title("input", fontsize=8)
        flat = flat[1:]
    for i, ax in enumerate(flat):
        if i >= count:
            ax.remove()
            continue
        ax.imshow(maps[0, :, :, i], cmap="viridis", interpolation="nearest")
        ax.set_title(str(i), fontsize=7)
    for ax in fig.axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{layer.name} ({type(layer).__name__}): {count} of "
                 f"{maps.shape[-1]} maps, {maps.shape[1]}x{maps.shape[2]}",
                 fontsize=9)
    return finish(fig, path, show)
