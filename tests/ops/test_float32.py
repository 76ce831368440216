"""float32 in, float32 everywhere: every public op, activation, loss and layer.

A stray float64 (a NumPy float64 scalar, an array built from Python floats,
`bool_array / 6`) silently turns a float32 matmul into a float64 one at half
the speed, and the engine casts each gradient back to its input's dtype, which
hides it. So this audit looks inside: `tracing.trace()` records the output of
every op a case applies (composites included), and a patched engine step sees
what each backward rule returns before that cast. Every case also backpropagates
to its float inputs and weights.

The tables must name every public op, activation, loss and layer: a new one
fails the coverage tests until it gets a case here (layers reuse the round-trip
table of tests/saving, which is itself checked against the registry).
"""

import inspect
import traceback
import types
from contextlib import contextmanager

import numpy as np
import pytest

import baro
from baro import activations, losses, ops
from baro.core import engine, tracing
from baro.core.function import Function
from baro.core.tensor import Tensor
from baro.ops.nn import dense
from baro.ops.normalization import standardize
from tests.saving.test_layer_roundtrip import CASES as LAYER_CASES

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).astype(np.float32)
W = rng.standard_normal((4, 2)).astype(np.float32)
LABELS = np.array([0, 3, 1])
K1 = rng.standard_normal((2, 4, 2)).astype(np.float32)
K2 = rng.standard_normal((2, 2, 1, 2)).astype(np.float32)
KT = rng.standard_normal((2, 2, 3, 1)).astype(np.float32)
VEC4 = [0.5, -0.5, 1.0, 2.0]  # Python floats: they must take x's dtype


def _img(x):
    return x[None, :, :, None]


OPS = {
    "abs": ops.abs, "add": lambda x: ops.add(x, 1.5),
    "all": lambda x: ops.all(x > 0, axis=1), "any": ops.any,
    "argmax": lambda x: ops.argmax(x, 1), "argmin": ops.argmin,
    "average_pool": lambda x: ops.average_pool(_img(x), 2, 1, "same"),
    "avg_pool1d": lambda x: ops.avg_pool1d(x[None], 2),
    "avg_pool2d": lambda x: ops.avg_pool2d(_img(x), 2),
    "batch_normalization": lambda x: ops.batch_normalization(
        x, VEC4, [1.0, 2.0, 0.5, 1.0], -1, VEC4, VEC4),
    "broadcast_to": lambda x: ops.broadcast_to(x, (2, 3, 4)),
    "cast": lambda x: ops.cast(x, "float32") * ops.cast(LABELS, "float32")[:, None],
    "ceil": ops.ceil, "clip": lambda x: ops.clip(x, -0.5, 0.5),
    "concatenate": lambda x: ops.concatenate([x, x * 2.0], axis=1),
    "constant": lambda x: x * ops.constant(1.5),
    "conv": lambda x: ops.conv(x[None], K1, padding="same"),
    "conv1d": lambda x: ops.conv1d(x[None], K1, 2),
    "conv2d": lambda x: ops.conv2d(_img(x), K2, 2, "same"),
    "conv2d_transpose": lambda x: ops.conv2d_transpose(_img(x), KT, 2),
    "conv_transpose": lambda x: ops.conv_transpose(_img(x), KT, 1, "same"),
    "convert_to_tensor": lambda x: x + ops.convert_to_tensor(VEC4),
    "cos": ops.cos, "cumsum": lambda x: ops.cumsum(x, axis=1),
    "divide": lambda x: ops.divide(x, 7.0) + ops.divide(1.0, x * x + 1.0),
    "dot_product_attention": lambda x: ops.dot_product_attention(
        x[None, :, None], x[None, :, None], x[None, :, None], is_causal=True),
    "dropout": lambda x: ops.dropout(x, 0.5, seed=0),
    "elu": ops.elu,
    "embedding_lookup": lambda x: ops.embedding_lookup(x, np.array([[2, 0]])),
    "equal": lambda x: ops.equal(x, 0.5), "erf": ops.erf, "exp": ops.exp,
    "expand_dims": lambda x: ops.expand_dims(x, 0),
    "eye": lambda x: x @ ops.eye(4), "fill": lambda x: x * ops.fill((3, 4), 0.5),
    "floor": ops.floor, "floor_divide": lambda x: ops.floor_divide(x, 0.3),
    "gather": lambda x: ops.gather(x, [2, 0], axis=0),
    "gelu": lambda x: ops.gelu(x) + ops.gelu(x, approximate=False),
    "getitem": lambda x: ops.getitem(x, (slice(1, None), slice(None, None, 2))),
    "greater": lambda x: ops.greater(x, 0.0),
    "greater_equal": lambda x: ops.greater_equal(x, 0.0),
    "hard_sigmoid": ops.hard_sigmoid, "isfinite": ops.isfinite,
    "isinf": ops.isinf, "isnan": ops.isnan, "leaky_relu": ops.leaky_relu,
    "less": lambda x: ops.less(x, 0.0), "less_equal": lambda x: ops.less_equal(x, 0.0),
    "linspace": lambda x: x * ops.linspace(0.0, 1.0, 4),
    "log": lambda x: ops.log(x * x + 1.0), "log1p": lambda x: ops.log1p(x * x),
    "log_softmax": ops.log_softmax,
    "logical_and": lambda x: ops.logical_and(x > 0, x < 1),
    "logical_not": lambda x: ops.logical_not(x > 0),
    "logical_or": lambda x: ops.logical_or(x > 0, x < -1),
    "logical_xor": lambda x: ops.logical_xor(x > 0, x < 1),
    "logsumexp": lambda x: ops.logsumexp(x, 1),
    "matmul": lambda x: ops.matmul(x, W),
    "max": lambda x: ops.max(x, axis=1), "min": ops.min,
    "max_pool": lambda x: ops.max_pool(_img(x), 2, padding="same"),
    "max_pool1d": lambda x: ops.max_pool1d(x[None], 2),
    "max_pool2d": lambda x: ops.max_pool2d(_img(x), 2),
    "maximum": lambda x: ops.maximum(x, 0.1), "minimum": lambda x: ops.minimum(x, 0.1),
    "mean": lambda x: ops.mean(x, axis=1), "mod": lambda x: ops.mod(x, 0.7),
    "moments": lambda x: ops.moments(x, 0), "multiply": lambda x: ops.multiply(x, 3),
    "negative": ops.negative, "not_equal": lambda x: ops.not_equal(x, 0.5),
    "one_hot": lambda x: x[:, :3] * ops.one_hot(np.array([0, 2, 1]), 3),
    "ones": lambda x: x * ops.ones((4,)), "ones_like": lambda x: x * ops.ones_like(x),
    "pad": lambda x: ops.pad(x, 1) + ops.pad(x, 1, "reflect"),
    "power": lambda x: ops.power(x, 3) + ops.power(x * x + 1.0, 0.5)
    + ops.power(x * x + 1.0, x),
    "prod": lambda x: ops.prod(x, axis=0), "relu": ops.relu, "relu6": ops.relu6,
    "repeat": lambda x: ops.repeat(x, 2, 0),
    "reshape": lambda x: ops.reshape(x, (4, 3)),
    "round": ops.round, "rsqrt": lambda x: ops.rsqrt(x * x + 1.0), "selu": ops.selu,
    "sigmoid": ops.sigmoid,
    "sigmoid_binary_cross_entropy": lambda x: ops.sigmoid_binary_cross_entropy(
        np.ones((3, 4)), x),
    "sign": ops.sign, "silu": ops.silu, "sin": ops.sin, "softmax": ops.softmax,
    "softmax_cross_entropy": lambda x: ops.softmax_cross_entropy(LABELS, x)
    + ops.softmax_cross_entropy(np.eye(4)[LABELS], x),
    "softplus": ops.softplus, "softsign": ops.softsign,
    "split": lambda x: ops.split(x, 2, 1)[1], "sqrt": lambda x: ops.sqrt(x * x + 1.0),
    "square": ops.square, "squeeze": lambda x: ops.squeeze(x[None]),
    "stack": lambda x: ops.stack([x, x]), "std": lambda x: ops.std(x, axis=0),
    "stop_gradient": lambda x: x * ops.stop_gradient(x),
    "subtract": lambda x: ops.subtract(2.0, x), "sum": lambda x: ops.sum(x, axis=0),
    "swish": ops.swish, "take": lambda x: ops.take(x, [1, 1, 3], axis=1),
    "take_along_axis": lambda x: ops.take_along_axis(x, np.zeros((3, 1), int), 1),
    "tanh": ops.tanh, "tile": lambda x: ops.tile(x, (2, 1)),
    "transpose": ops.transpose, "var": ops.var,
    "where": lambda x: ops.where(x > 0, x, 0.0),
    "zeros": lambda x: x + ops.zeros((3, 4)),
    "zeros_like": lambda x: x + ops.zeros_like(x),
    # Fused ops that are not in the `baro.ops` namespace.
    "nn.dense": lambda x: dense(x, W, [0.5, -1.0], "relu") + dense(x, W, None, "tanh"),
    "normalization.standardize": lambda x: standardize(x, 0, 1e-3, VEC4, VEC4)[0]
    + standardize(x, 1, 1e-3, VEC4)[0],
}


# Hyperparameters given as NumPy float64 scalars: under NEP 50 these are strongly
# typed (float32_array * np.float64(2) is float64), unlike Python floats.
F64 = np.float64
SCALARS = {
    "ops": lambda x: ops.leaky_relu(x, F64(0.1)) + ops.elu(x, F64(0.5))
    + ops.power(x, F64(2.0)) + ops.maximum(x, F64(0.5)) + x * F64(3.0)
    + ops.where(x > 0, x, F64(0.0)) + ops.dropout(x, F64(0.3), seed=1)
    + ops.divide(F64(1.0), x * x + 1.0) + ops.mod(x, F64(0.7))
    + ops.pad(x, 1, constant_values=F64(1.5))[1:-1, 1:-1]
    + ops.batch_normalization(x, VEC4, [1.0] * 4, -1, epsilon=F64(1e-3))
    + standardize(x, 0, F64(1e-3))[0]
    + ops.dot_product_attention(x[None, :, None], x[None, :, None],
                                x[None, :, None], scale=F64(0.5))[0, :, 0],
    "clip": lambda x: ops.clip(x, F64(-1.0), F64(1.0)),
    "activations": lambda x: activations.relu(
        x, negative_slope=F64(0.1), max_value=F64(3.0), threshold=F64(0.2))
    + activations.relu(x, max_value=F64(3.0)) + activations.celu(x, F64(0.7))
    + activations.squareplus(x, F64(2.0)) + activations.leaky_relu(x, F64(0.3))
    + activations.threshold(x, F64(0.1), F64(-1.0)) + activations.elu(x, F64(2.0))
    + activations.hard_shrink(x, F64(0.3)) + activations.soft_shrink(x, F64(0.3)),
    "losses": lambda x: losses.binary_crossentropy(
        X > 0, ops.sigmoid(x), label_smoothing=F64(0.1))
    + losses.categorical_crossentropy(
        np.eye(4)[LABELS], ops.softmax(x), label_smoothing=F64(0.1))[:, None]
    + losses.binary_focal_crossentropy(
        X > 0, ops.sigmoid(x), apply_class_balancing=True, alpha=F64(0.3),
        gamma=F64(1.5))[:, None]
    + losses.huber(X, x, delta=F64(0.5))[:, None],
    "layers": lambda x: baro.layers.Rescaling(F64(0.5), offset=F64(1.0))(x)
    + baro.layers.LeakyReLU(F64(0.3))(x) + baro.layers.ELU(F64(0.5))(x)
    + baro.layers.ReLU(max_value=F64(6.0), negative_slope=F64(0.1))(x)
    + baro.layers.GaussianNoise(F64(0.1))(x, training=True)
    + baro.layers.GaussianDropout(F64(0.1))(x, training=True)
    + baro.layers.Dropout(F64(0.5))(x, training=True)
    + baro.layers.BatchNormalization(momentum=F64(0.9), epsilon=F64(1e-3))(
        x, training=True)
    + baro.layers.LayerNormalization(epsilon=F64(1e-3))(x)
    + baro.layers.Dense(4)(X.astype(np.float64)),
}


def _loss_case(name):
    """(y_true, y_pred builder) for a loss: labels as user data (float64)."""
    if name in ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"):
        return LABELS, lambda x: ops.softmax(x)
    if name.lower() in ("categoricalcrossentropy", "categorical_crossentropy",
                        "kld", "kldivergence", "kl_divergence",
                        "kullback_leibler_divergence"):
        return np.eye(4)[LABELS], lambda x: ops.softmax(x)
    if name in ("Poisson", "poisson", "MSLE", "msle", "MeanSquaredLogarithmicError",
                "mean_squared_logarithmic_error"):
        return np.abs(X.astype(np.float64)), ops.softplus
    probabilistic = ("crossentropy" in name.lower() or name.lower() == "bce")
    if probabilistic:
        return (X > 0).astype(np.float64), ops.sigmoid
    return X.astype(np.float64) * 2.0, lambda x: x


def _loss_runs(name):
    """Callables of x for a loss name: the function, or the class with weights."""
    target = losses.ALL_OBJECTS[name]
    y_true, predict = _loss_case(name)
    weights = np.array([0.5, 1.0, 2.0])  # float64, as users pass them
    if inspect.isclass(target):
        return [lambda x: target()(y_true, predict(x), sample_weight=weights)]
    runs = [lambda x: target(y_true, predict(x))]
    if "from_logits" in inspect.signature(target).parameters:
        runs.append(lambda x: target(y_true, x, from_logits=True))
        # Probabilities from a softmax/sigmoid seen through, or not (no_grad).
        runs.append(lambda x: _no_grad(target, y_true, predict(x)))
    return runs


def _no_grad(fn, *args):
    with baro.no_grad():
        return fn(*args)


def _activation_run(name):
    fn = activations.ALL_OBJECTS_DICT[name]
    if name == "threshold":
        return lambda x: fn(x, 0.1, -1.0)
    if name in ("softmax", "log_softmax"):
        return lambda x: fn(x) + fn(x, axis=(0, 1))
    return fn


@contextmanager
def _watch_backward(offenders: list):
    """Patches the engine so each node's raw backward output is inspected."""
    real = engine._step

    def step(node, grads_out, deliver, retain_graph):
        original = node.backward

        def backward(*grads):
            result = original(*grads)
            for g in result if isinstance(result, tuple) else (result,):
                if g is not None and g.dtype.kind == "f" and g.dtype != np.float32:
                    offenders.append(f"{node.name}.backward returned {g.dtype}")
            return result

        node.backward = backward
        return real(node, grads_out, deliver, retain_graph)

    engine._step = step
    try:
        yield
    finally:
        engine._step = real


def _flat(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [t for item in structure for t in _flat(item)]
    if isinstance(structure, dict):
        return [t for item in structure.values() for t in _flat(item)]
    return [structure]


def _audit(run, sources) -> tuple[list[str], set]:
    """Runs `run()` (forward), backpropagates its float outputs to `sources`,
    and returns (what was not float32, the Function types applied)."""
    offenders: list[str] = []
    with tracing.trace() as record, _watch_backward(offenders):
        outputs = [t for t in _flat(run()) if isinstance(t, Tensor)]
        for t in outputs:
            if t.dtype.kind == "f" and t.dtype != np.float32:
                offenders.append(f"an output is {t.dtype}")
        connected = [t for t in outputs if t.requires_grad]
        if connected:
            total = ops.sum(connected[0])
            for t in connected[1:]:
                total = total + ops.sum(t)
            grads = engine.gradients([total], sources)
            for source, g in zip(sources, grads, strict=True):
                if g is not None and g.dtype != np.float32:
                    offenders.append(f"d/d{source.name or 'input'} is {g.dtype}")
    for function, _, outs in record:
        for t in outs if isinstance(outs, tuple) else (outs,):
            if isinstance(t, Tensor) and t.dtype.kind == "f" and t.dtype != np.float32:
                offenders.append(f"{function.name} produced {t.dtype}")
    return sorted(set(offenders)), {type(function) for function, _, _ in record}


def _run_layer_case(name):
    model, x = LAYER_CASES[name]()
    inputs = x if isinstance(x, list) else [x]
    tensors = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    sources = [t for t in tensors if t.requires_grad] + [
        v for v in model.trainable_weights]
    feed = tensors if isinstance(x, list) else tensors[0]
    return _audit(lambda: model(feed, training=True), sources)


def _cases() -> dict:
    cases = {}
    for name, fn in OPS.items():
        cases[f"op:{name}"] = fn
    for name in activations.ALL_OBJECTS_DICT:
        cases[f"activation:{name}"] = _activation_run(name)
    for name in losses.ALL_OBJECTS:
        for i, run in enumerate(_loss_runs(name)):
            cases[f"loss:{name}:{i}"] = run
    for name, fn in SCALARS.items():
        cases[f"numpy-float64-scalars:{name}"] = fn
    return cases


CASES = _cases()
LAYERS = sorted(set(LAYER_CASES) - {"TextVectorization"})  # strings in, ints out


@pytest.fixture(scope="module")
def audit():
    """Every case's (offenders, Function types), or the error it raised."""
    baro.utils.set_random_seed(0)
    results = {}
    for name, fn in CASES.items():
        x = Tensor(X.copy(), requires_grad=True)
        try:
            results[name] = _audit(lambda fn=fn, x=x: fn(x), [x])
        except Exception:  # reported by the case's own test
            results[name] = traceback.format_exc()
    for name in LAYERS:
        try:
            results[f"layer:{name}"] = _run_layer_case(name)
        except Exception:
            results[f"layer:{name}"] = traceback.format_exc()
    return results


# Known leaks outside this audit's fixes, each with where the fix belongs.
KNOWN: dict[str, str] = {}  # name -> why it still promotes (strict xfail)


def _param(name):
    if name in KNOWN:
        return pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN[name],
                                                          strict=True))
    return name


@pytest.mark.parametrize("name", [_param(n) for n in sorted(CASES)]
                         + [f"layer:{n}" for n in LAYERS])
def test_stays_float32_through_forward_and_backward(audit, name):
    result = audit[name]
    assert not isinstance(result, str), result
    offenders, _ = result
    assert not offenders, offenders


def _public_ops() -> set:
    return {n for n in dir(ops) if not n.startswith("_")
            and callable(getattr(ops, n))
            and not isinstance(getattr(ops, n), (types.ModuleType, type))}


def test_op_table_covers_every_public_op():
    assert _public_ops() - set(OPS) == set()


def _function_types() -> set:
    found, stack = set(), [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("baro.") and not sub.__name__.startswith("_"):
                found.add(sub)
    return found


def test_every_function_type_was_audited(audit):
    seen = set()
    for result in audit.values():
        if not isinstance(result, str):
            seen |= result[1]
    missing = {f"{t.__module__}.{t.__name__}" for t in _function_types() - seen}
    assert missing == set()
