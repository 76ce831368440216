"""Optimizer state in Keras 3 weight files: `optimizer/vars/0..n-1`.

Keras 3 stores `optimizer.variables` in order (iterations, the learning rate
unless it is a schedule, then the slots, interleaved per model variable as
`add_optimizer_variables` makes them). baro's optimizers create theirs in the
same order, so the state crosses in both directions and training resumes where
it stopped.
"""

from __future__ import annotations

import warnings

import numpy as np

_GROUP = "optimizer/vars"
_MAX_VARIABLES = 1_000_000


def write_optimizer_state(store, model) -> None:
    """Adds the built optimizer's variables of `model` to an open h5 file."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return  # Keras, too, has nothing to restore before the first step
    group = store.require_group(_GROUP)
    for i, variable in enumerate(optimizer.variables):
        group.create_dataset(str(i), data=variable.numpy())


def read_optimizer_state(store, source: str) -> list | None:
    """The saved optimizer variables (None if the file has none).

    Raises:
        ValueError: If the group's entries are not numbered arrays.
    """
    import h5py

    group = store.get(_GROUP) if _GROUP in store else None
    if not isinstance(group, h5py.Group):
        return None
    keys = list(group.keys())
    if len(keys) > _MAX_VARIABLES or sorted(keys) != sorted(
            str(i) for i in range(len(keys))):
        raise ValueError(f"{source}: {_GROUP} holds {len(keys)} entries that are "
                         "not numbered 0..n-1.")
    values = []
    for i in range(len(keys)):
        dataset = group[str(i)]
        if not isinstance(dataset, h5py.Dataset) or dataset.dtype.kind not in "fiub":
            raise ValueError(f"{source}: {_GROUP}/{i} is not a numeric array.")
        values.append(np.asarray(dataset[()]))
    return values


def restore_optimizer_state(model, values: list | None, source: str) -> None:
    """Builds the compiled model's optimizer and assigns `values`; warns (as
    Keras does) and leaves it fresh when they do not fit."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not values:
        return
    optimizer.build(model.trainable_weights)
    variables = optimizer.variables
    shapes_fit = len(values) == len(variables) and all(
        tuple(np.shape(v)) == tuple(w.shape) for v, w in zip(values, variables,
                                                              strict=True))
    if not shapes_fit:
        warnings.warn(f"{source}: skipping the optimizer state: {optimizer.name} "
                      f"has {len(variables)} variables, the file {len(values)} "
                      "(or their shapes differ); training restarts its "
                      "optimizer.", UserWarning, stacklevel=3)
        return
    for variable, value in zip(variables, values, strict=True):
        variable.assign(np.asarray(value, dtype=variable.dtype))
