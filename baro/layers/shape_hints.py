"""The "likely fix" sentences of shape errors, shared by the layer families.

A shape error names the layer, the shape it expected and the one it received;
these helpers add what a learner most likely has to change (docs/errors.md
lists the common cases).
"""

from __future__ import annotations

_SPATIAL = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def spatial_layout(rank: int, data_format: str = "channels_last") -> str:
    """`"(batch, height, width, channels)"` for rank 2, channels_last."""
    axes = list(_SPATIAL.get(rank, ("spatial",) * rank))
    axes = axes + ["channels"] if data_format == "channels_last" \
        else ["channels"] + axes
    return "(batch, " + ", ".join(axes) + ")"


def spatial_rank_hint(rank: int, input_shape, data_format: str = "channels_last",
                      ) -> str:
    """The likely fix when a conv/pooling layer of `rank` spatial axes
    receives `input_shape` of the wrong rank."""
    shape = tuple(input_shape)
    sample = shape[1:]
    if len(shape) == rank + 1 and data_format == "channels_last":
        with_channels = sample + (1,)
        kind = "grayscale images" if rank == 2 else "a single signal"
        return (f" The channels axis is missing: for one channel ({kind}), "
                f"add it with x[..., None] / x.reshape(-1, "
                f"{', '.join(str(d) for d in with_channels)}), or start the model "
                f"with Input(shape={with_channels}) or Reshape({with_channels}).")
    if len(shape) == 2 and rank > 1:
        return (f" The samples are flat vectors: Reshape them to "
                f"{spatial_layout(rank, data_format)} first (e.g. Reshape((28, 28, "
                "1)) for 784 pixels).")
    if len(shape) > rank + 2:
        return (f" The inputs have {len(shape) - rank - 2} axis too many: use the "
                f"{len(shape) - 2}D layer, or Reshape / TimeDistributed.")
    if len(shape) < rank + 2:
        return (f" Use the {len(shape) - 2}D layer for inputs of rank "
                f"{len(shape)}, or Reshape them.") if len(shape) > 2 else ""
    return ""

