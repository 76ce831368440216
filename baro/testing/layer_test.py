"""`run_layer_test`: the checks every layer owes (Keras's testing harness, smaller).

One call checks a layer's output shape (eager and symbolic), weight and parameter
counts, `get_config` round trip, gradients against finite differences in float64
(inputs and every trainable weight), and that a model containing it trains.
"""

from __future__ import annotations

import numpy as np

from baro.core.engine import gradients
from baro.core.grad_mode import no_grad
from baro.core.tensor import Tensor
from baro.testing.assertions import assert_allclose


def _random(shape, rng, dtype, int_high=None):
    if int_high is not None:
        return rng.integers(0, int_high, size=shape)
    return rng.standard_normal(shape).astype(dtype)


def check_layer_gradients(layer, inputs, eps: float = 1e-6, rtol: float = 1e-4,
                          atol: float = 1e-6, seed: int = 0, training=None) -> None:
    """Compares d sum(r * layer(x)) / d(x, weights) with central differences.

    The layer should be float64 (`dtype="float64"`) for a meaningful check. One
    random direction per input and per trainable weight is tested.

    Raises:
        AssertionError: Naming the input or weight whose gradient is wrong.
    """
    rng = np.random.default_rng(seed)
    xs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    xs = [np.asarray(x) for x in xs]
    differentiable = [i for i, x in enumerate(xs) if x.dtype.kind == "f"]

    def forward(values):
        tensors = [Tensor._wrap(v) for v in values]
        arg = tensors if isinstance(inputs, (list, tuple)) else tensors[0]
        kwargs = {} if training is None else {"training": training}
        return layer(arg, **kwargs), tensors

    out, _ = forward(xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    seeds = [rng.standard_normal(o.shape) for o in outs]

    def objective(values) -> float:
        with no_grad():
            result, _ = forward(values)
        results = result if isinstance(result, (list, tuple)) else [result]
        return float(sum((r.numpy() * s).sum() for r, s in zip(results, seeds,
                                                               strict=True)))

    tensors = [Tensor._wrap(x) for x in xs]
    for i in differentiable:
        tensors[i].requires_grad = True
    arg = tensors if isinstance(inputs, (list, tuple)) else tensors[0]
    result = layer(arg, **({} if training is None else {"training": training}))
    results = result if isinstance(result, (list, tuple)) else [result]
    weights = layer.trainable_weights
    sources = [tensors[i] for i in differentiable] + list(weights)
    grads = gradients(results, sources, seeds=seeds)
    for k, source in enumerate(sources):
        g = grads[k] if grads[k] is not None else np.zeros(source.shape)
        direction = rng.standard_normal(source.shape)
        analytic = float((np.asarray(g) * direction).sum())
        if k < len(differentiable):
            i = differentiable[k]
            plus = [x + eps * direction if j == i else x for j, x in enumerate(xs)]
            minus = [x - eps * direction if j == i else x for j, x in enumerate(xs)]
            numeric = (objective(plus) - objective(minus)) / (2 * eps)
            what = f"input {i}"
        else:
            original = source.data.copy()
            source.data[...] = original + eps * direction
            up = objective(xs)
            source.data[...] = original - eps * direction
            down = objective(xs)
            source.data[...] = original
            numeric = (up - down) / (2 * eps)
            what = f"weight {source.path}"
        if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
            raise AssertionError(
                f"{type(layer).__name__}: gradient of {what} is wrong: analytic "
                f"{analytic!r} vs numeric {numeric!r} (rtol {rtol}, atol {atol}).")


def run_layer_test(layer_cls, init_kwargs: dict | None = None, input_shape=None,
                   input_data=None, expected_output_shape=None,
                   expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   expected_num_params: int | None = None,
                   expected_output=None, input_int_high: int | None = None,
                   run_gradient_check: bool = True, run_training_check: bool = True,
                   gradient_tolerance: float = 1e-4, seed: int = 0):
    """Runs the standard checks on `layer_cls(**init_kwargs)`; returns the layer.

    Args:
        input_shape: Shape of random float inputs (a list of shapes for several).
        input_data: Explicit input array(s) instead.
        expected_output_shape: Output shape (a list for several outputs).
        expected_num_*: Weight counts and total parameter count (Keras's numbers).
        expected_output: Optional array the eager output must match.
        input_int_high: Draw integer inputs in [0, high) (Embedding, ...).
        run_gradient_check: Finite differences in float64 on inputs and weights.
        run_training_check: Fit a one-layer model for two steps (finite loss).
    """
    from baro.layers.core.input_layer import Input
    from baro.models.functional import Functional

    init_kwargs = dict(init_kwargs or {})
    rng = np.random.default_rng(seed)
    if input_data is None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        input_data = [_random(s, rng, np.float32, input_int_high) for s in shapes]
        if not isinstance(input_shape, list):
            input_data = input_data[0]
    layer = layer_cls(**init_kwargs)
    output = layer(input_data)
    outs = output if isinstance(output, (list, tuple)) else [output]
    if expected_output_shape is not None:
        expected = expected_output_shape if isinstance(expected_output_shape, list) \
            else [expected_output_shape]
        got = [tuple(o.shape) for o in outs]
        assert got == [tuple(e) for e in expected], \
            f"{layer_cls.__name__}: output shape {got}, expected {expected}"
    if expected_output is not None:
        assert_allclose(outs[0], expected_output, rtol=1e-5, atol=1e-6)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, \
            f"{layer_cls.__name__}: {len(layer.trainable_weights)} trainable weights"
    if expected_num_non_trainable_weights is not None:
        n = len(layer.non_trainable_weights)
        assert n == expected_num_non_trainable_weights, \
            f"{layer_cls.__name__}: {n} non-trainable weights"
    if expected_num_params is not None:
        assert layer.count_params() == expected_num_params, \
            f"{layer_cls.__name__}: {layer.count_params()} params, expected " \
            f"{expected_num_params}"

    # Config round trip: same config, and same outputs once weights are copied.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name} or \
        clone.get_config() == config, f"{layer_cls.__name__}: config round trip"
    clone(input_data)
    clone.set_weights(layer.get_weights())
    with no_grad():
        a = layer(input_data)
        b = clone(input_data)
    for x, y in zip(a if isinstance(a, (list, tuple)) else [a],
                    b if isinstance(b, (list, tuple)) else [b], strict=True):
        assert_allclose(x, y, rtol=1e-6, atol=1e-6,
                        err_msg=f"{layer_cls.__name__} clone output")

    # Symbolic call: the same output shapes with a None batch axis.
    datas = input_data if isinstance(input_data, list) else [input_data]
    symbolic = [Input(batch_shape=(None,) + np.shape(d)[1:],
                      dtype=np.asarray(d).dtype.name) for d in datas]
    sym_out = layer_cls.from_config(config)(symbolic if isinstance(input_data, list)
                                           else symbolic[0])
    sym_outs = sym_out if isinstance(sym_out, (list, tuple)) else [sym_out]
    for s, o in zip(sym_outs, outs, strict=True):
        assert tuple(s.shape[1:]) == tuple(o.shape[1:]), \
            f"{layer_cls.__name__}: symbolic shape {s.shape} vs eager {o.shape}"

    if run_gradient_check:
        layer64 = layer_cls.from_config({**config, "dtype": "float64"})
        data64 = [np.asarray(d).astype(np.float64) if np.asarray(d).dtype.kind == "f"
                  else np.asarray(d) for d in datas]
        arg = data64 if isinstance(input_data, list) else data64[0]
        layer64(arg)
        check_layer_gradients(layer64, arg, rtol=gradient_tolerance, seed=seed)

    if run_training_check and layer.trainable_weights:
        model = Functional(symbolic if isinstance(input_data, list) else symbolic[0],
                           sym_out)
        model.compile("sgd", "mse")
        target = [np.zeros(o.shape, np.float32) for o in outs]
        history = model.fit(input_data, target if len(target) > 1 else target[0],
                            epochs=2, batch_size=max(1, len(datas[0])), verbose=0)
        assert np.isfinite(history.history["loss"]).all(), \
            f"{layer_cls.__name__}: training produced a non-finite loss"
    return layer
