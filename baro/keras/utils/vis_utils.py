"""`keras.utils.vis_utils` (Keras 2): `plot_model`, drawn with matplotlib."""

from __future__ import annotations


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True,
               rankdir: str = "TB", expand_nested: bool = False, dpi: int = 96,
               **kwargs):
    """Draws the layer graph to `to_file` (Keras's `plot_model`).

    baro draws with matplotlib (`baro.plot.model`), so Graphviz and pydot are
    not needed. The picture always shows each layer's name, class and output
    shape; `show_shapes`, `show_dtype`, `show_layer_names`, `rankdir`,
    `expand_nested`, `dpi` and further Keras arguments are accepted and do not
    change it.

    Args:
        model: A Sequential or Functional model.
        to_file: The PNG to write (default "model.png").

    Returns:
        The matplotlib Figure (Keras returns an IPython image).

    Raises:
        ValueError: For a subclassed model (no recorded graph).
        ImportError: If matplotlib is not installed (`pip install 'baro[plot]'`).
    """
    from baro.plot import model as draw

    return draw(model, path=to_file)


__all__ = ["plot_model"]
