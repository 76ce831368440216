"""The flat-buffer path (all parameters in one array) gives bit-identical
updates to the per-variable path, for every optimizer and option."""

import numpy as np
import pytest

import baro
from baro import constraints, optimizers
from baro.optimizers.flat import FlatState

SHAPES = [(3, 4), (4,), (4, 2), (2,), (5, 1, 2)]

MAKERS = {
    "sgd": lambda: optimizers.SGD(0.1),
    "sgd_nesterov": lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda: optimizers.Adam(0.01),
    "adam_amsgrad_decay": lambda: optimizers.Adam(0.01, amsgrad=True,
                                                   weight_decay=0.05),
    "adamw": lambda: optimizers.AdamW(0.01),
    "rmsprop_centered": lambda: optimizers.RMSprop(0.01, momentum=0.5,
                                                   centered=True),
    "adagrad": lambda: optimizers.Adagrad(0.1),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adamax": lambda: optimizers.Adamax(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "lion": lambda: optimizers.Lion(0.001),
    "clipnorm": lambda: optimizers.Adam(0.01, clipnorm=0.5),
    "global_clipnorm": lambda: optimizers.Adam(0.01, global_clipnorm=0.5),
    "clipvalue": lambda: optimizers.SGD(0.1, momentum=0.5, clipvalue=0.2),
}


def run(make, flat: bool, steps: int = 5):
    rng = np.random.default_rng(0)
    variables = [baro.Variable(rng.normal(size=s).astype("float32"))
                 for s in SHAPES]
    variables[1].constraint = constraints.NonNeg()
    optimizer = make()
    if not flat:
        optimizer._flat_allowed = lambda: False
    optimizer.exclude_from_weight_decay(var_list=[variables[3]])
    for _ in range(steps):
        grads = [rng.normal(size=s).astype("float32") for s in SHAPES]
        optimizer.apply(grads, variables)
    return optimizer, variables


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_flat_equals_per_variable(name):
    flat_opt, flat_vars = run(MAKERS[name], flat=True)
    ref_opt, ref_vars = run(MAKERS[name], flat=False)
    assert isinstance(flat_opt._flat, FlatState) and ref_opt._flat is None
    for a, b in zip(flat_vars, ref_vars, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(flat_opt.variables, ref_opt.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert len(flat_opt.variables) == len(ref_opt.variables)


def test_variables_are_views_of_one_buffer_and_moves_are_noticed():
    optimizer, variables = run(MAKERS["adam"], flat=True, steps=1)
    flat = optimizer._flat
    assert all(v.data.base is flat.params for v in variables)
    # Something replaces a variable's array: the next step re-flattens it.
    variables[0].data = variables[0].data.copy()
    optimizer.apply([np.ones(s, "float32") for s in SHAPES], variables)
    assert optimizer._flat is not flat and optimizer._flat.intact()
    assert variables[0].data.base is optimizer._flat.params


def test_partial_updates_use_the_views():
    rng = np.random.default_rng(1)
    variables = [baro.Variable(rng.normal(size=s).astype("float32"))
                 for s in SHAPES]
    optimizer = optimizers.Adam(0.1)
    optimizer.apply([np.ones(s, "float32") for s in SHAPES], variables)
    before = [v.numpy().copy() for v in variables]
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizer.apply([None] + [np.ones(s, "float32") for s in SHAPES[1:]],
                        variables)
    np.testing.assert_array_equal(variables[0].numpy(), before[0])
    assert not np.array_equal(variables[1].numpy(), before[1])


class PerVariableNorm(optimizers.SGD):
    """A user's rule that is not elementwise: it must not be flattened."""

    def update_step(self, gradient, variable, learning_rate):
        variable.data -= learning_rate * gradient / np.linalg.norm(gradient)


def test_user_update_rules_stay_per_variable():
    optimizer, variables = run(lambda: PerVariableNorm(0.1), flat=True, steps=2)
    assert optimizer._flat is None
