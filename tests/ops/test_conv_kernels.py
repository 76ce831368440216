"""Batch slicing of convolutions and pools: any slicing gives the same results.

The ops walk the batch in cache-sized slices (conv_kernels.batch_slices); tests
elsewhere use small batches that fit one slice. Here the slicing is forced to
one or two samples per slice (so the last slice is partial) and every result
is compared with the unsliced computation, plus finite-difference checks.
"""

import importlib

import numpy as np
import pytest

import baro
from baro.ops import average_pool, conv, conv_transpose, max_pool
from baro.ops.convolution import fused_conv
from baro.testing import assert_allclose, gradcheck

conv_module = importlib.import_module("baro.ops.convolution")
transpose_module = importlib.import_module("baro.ops.transposed_convolution")
pool_module = importlib.import_module("baro.ops.pooling")
SLICING_MODULES = (conv_module, transpose_module, pool_module)
kernels = importlib.import_module("baro.ops.conv_kernels")

# (input shape, kernel shape, strides, padding, dilation); batch 5 = 2 + 2 + 1.
CONV_CASES = {
    "valid": ((5, 7, 6, 3), (3, 3, 3, 4), 1, "valid", 1),
    "same_s2": ((5, 7, 5, 2), (4, 3, 2, 3), 2, "same", 1),
    "dilated_same": ((5, 6, 5, 2), (3, 2, 2, 3), 1, "same", 2),
    "groups": ((5, 5, 5, 4), (3, 3, 2, 6), 1, "same", 1),
    "depthwise": ((5, 6, 5, 3), (3, 3, 1, 6), 2, "valid", 1),
    "many_channels": ((5, 6, 6, 8), (3, 3, 8, 5), 1, "same", 1),
    "1d": ((5, 9, 3), (3, 3, 4), 2, "same", 1),
}


def _slicing(step):
    def slices(n, _sample_bytes):
        return [slice(s, min(s + step, n)) for s in range(0, n, step)]

    return slices


@pytest.fixture(params=[1, 2])
def sliced(request, monkeypatch):
    """Forces slices of `param` samples in convolutions and pools."""
    for module in SLICING_MODULES:
        monkeypatch.setattr(module, "batch_slices", _slicing(request.param))
    return request.param


def _grads(fn, *arrays):
    """fn's value and the gradient of sum(fn * weights) for each input."""
    tensors = [baro.Tensor(a, requires_grad=True) for a in arrays]
    y = fn(*tensors)
    weights = np.random.default_rng(5).standard_normal(y.shape)
    (y * weights).sum().backward()
    return [y.numpy()] + [t.grad.numpy() for t in tensors]


def _compare(fn, arrays, monkeypatch, step):
    whole = _grads(fn, *arrays)
    for module in SLICING_MODULES:
        monkeypatch.setattr(module, "batch_slices", _slicing(step))
    for got, expected in zip(_grads(fn, *arrays), whole, strict=True):
        assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize("taps_major", [False, True])
@pytest.mark.parametrize("name", list(CONV_CASES))
def test_sliced_fused_conv_matches_the_whole_batch(name, taps_major, step,
                                                   monkeypatch):
    monkeypatch.setattr(conv_module, "_taps_major", lambda c, g: taps_major)
    x_shape, k_shape, strides, padding, dilation = CONV_CASES[name]
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal(x_shape), rng.standard_normal(k_shape)
    b = rng.standard_normal(k_shape[-1])

    def fn(a, w, bias):
        return fused_conv(a, w, bias, strides=strides, padding=padding,
                          dilation_rate=dilation, activation="relu")

    _compare(fn, (x, k, b), monkeypatch, step)


@pytest.mark.parametrize("name", ["same_s2", "groups", "1d"])
@pytest.mark.usefixtures("sliced")
def test_sliced_conv_gradients(name):
    x_shape, k_shape, strides, padding, dilation = CONV_CASES[name]
    rng = np.random.default_rng(1)
    gradcheck(lambda a, w: conv(a, w, strides=strides, padding=padding,
                                dilation_rate=dilation),
              rng.standard_normal(x_shape), rng.standard_normal(k_shape))


@pytest.mark.usefixtures("sliced")
def test_sliced_conv_channels_first_and_transpose_gradients():
    rng = np.random.default_rng(2)
    x, k = rng.standard_normal((5, 2, 6, 5)), rng.standard_normal((3, 3, 2, 3))
    gradcheck(lambda a, w: conv(a, w, padding="same", data_format="channels_first"),
              x, k)
    y, kt = rng.standard_normal((5, 4, 3, 3)), rng.standard_normal((3, 2, 2, 3))
    gradcheck(lambda a, w: conv_transpose(a, w, strides=2, padding="same"), y, kt)


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_sliced_conv_transpose_matches_the_whole_batch(padding, step, monkeypatch):
    rng = np.random.default_rng(3)
    y, k = rng.standard_normal((5, 4, 3, 3)), rng.standard_normal((3, 2, 2, 3))
    _compare(lambda a, w: conv_transpose(a, w, strides=2, padding=padding),
             (y, k), monkeypatch, step)


# (input shape, pool_size, strides, padding)
POOL_CASES = {
    "tiled": ((5, 6, 6, 3), 2, None, "valid"),
    "tiled_odd_edges": ((5, 7, 5, 2), 2, None, "valid"),
    "overlapping_same": ((5, 5, 6, 2), 3, 1, "same"),
    "strided_same": ((5, 5, 7, 2), (3, 2), (2, 1), "same"),
    "1d": ((5, 9, 2), 3, 2, "valid"),
}


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize("op", [max_pool, average_pool])
@pytest.mark.parametrize("name", list(POOL_CASES))
def test_sliced_pools_match_the_whole_batch(name, op, step, monkeypatch):
    shape, size, strides, padding = POOL_CASES[name]
    # Distinct values: one argmax per window, as finite differences need.
    x = np.random.default_rng(4).permutation(np.prod(shape)).reshape(shape) * 0.1
    fn = lambda a: op(a, size, strides=strides, padding=padding)  # noqa: E731
    _compare(fn, (x,), monkeypatch, step)
    gradcheck(fn, x, full_jacobian_limit=60_000)


def test_slices_cover_the_batch_in_order():
    assert kernels.batch_slices(5, kernels.SLICE_BYTES // 2) == [
        slice(0, 2), slice(2, 4), slice(4, 5)]
    assert kernels.batch_slices(3, 10 * kernels.SLICE_BYTES) == [
        slice(0, 1), slice(1, 2), slice(2, 3)]
    assert kernels.batch_slices(4, 1) == [slice(0, 4)]


def test_view_as_refuses_to_copy():
    a = np.zeros((4, 6))
    assert np.shares_memory(kernels.view_as(a, (2, 12)), a)
    with pytest.raises(AttributeError):
        kernels.view_as(a[:, :5], (20,))


# -- threads (parallel.map_slices) ---------------------------------------------------

parallel = importlib.import_module("baro.ops.parallel")


def test_map_slices_keeps_order_and_gives_each_thread_its_own_work():
    made = []

    def make_work():
        own = []
        made.append(own)

        def work(part):
            own.append(part)
            return part * 10

        return work

    assert parallel.map_slices(make_work, list(range(7))) == [
        i * 10 for i in range(7)]
    assert sorted(p for own in made for p in own) == list(range(7))


def test_map_slices_raises_what_a_slice_raised():
    def make_work():
        def work(part):
            if part == 3:
                raise ValueError("slice 3")
            return part

        return work

    with pytest.raises(ValueError, match="slice 3"):
        parallel.map_slices(make_work, list(range(6)))


@pytest.mark.parametrize("step", [1, 3])
def test_results_do_not_depend_on_the_number_of_threads(step, monkeypatch):
    for module in SLICING_MODULES:
        monkeypatch.setattr(module, "batch_slices", _slicing(step))
    rng = np.random.default_rng(6)
    x = rng.standard_normal((7, 9, 8, 3)).astype(np.float32)
    k = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)

    def run():
        return _grads(lambda a, w, c: max_pool(fused_conv(
            a, w, c, padding="same", activation="relu"), 2), x, k, b)

    runs = []
    for count in (1, 2, 3):
        monkeypatch.setitem(parallel._state, "threads", count)
        runs.append(run())
    for other in runs[1:]:
        for got, expected in zip(other, runs[0], strict=True):
            np.testing.assert_array_equal(got, expected)


def test_set_threads_rejects_nonsense():
    with pytest.raises(ValueError, match="set_threads"):
        parallel.set_threads(0)


def test_one_blas_thread_nests_and_restores_the_thread_count():
    blas = parallel._blas()
    if blas is None:
        pytest.skip("no OpenBLAS found in this process")
    get, put = blas
    before = get()
    with parallel.one_blas_thread():
        assert get() == 1
        with parallel.one_blas_thread():
            assert get() == 1
        assert get() == 1
    assert get() == before


def test_compiled_fit_matches_eager_with_sliced_threaded_convs(monkeypatch):
    # The plan replays the same Function objects: per-call buffers, slices and
    # threads must give exactly what eager steps give.
    for module in SLICING_MODULES:
        monkeypatch.setattr(module, "batch_slices", _slicing(3))
    monkeypatch.setitem(parallel._state, "threads", 2)
    rng = np.random.default_rng(8)
    images = rng.normal(size=(40, 9, 9, 2)).astype("float32")
    labels = rng.integers(0, 3, 40)

    def train(eager):
        baro.random.set_seed(3)
        model = baro.keras.Sequential([
            baro.layers.Input((9, 9, 2)),
            baro.layers.Conv2D(4, 3, activation="relu", padding="same"),
            baro.layers.MaxPooling2D(),
            baro.layers.Conv2D(5, 3, activation="relu"),
            baro.layers.AveragePooling2D(), baro.layers.Flatten(),
            baro.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      run_eagerly=eager)
        history = model.fit(images, labels, batch_size=10, epochs=2, verbose=0,
                            shuffle=False)
        return model, history.history

    eager_model, eager_history = train(True)
    model, history = train(False)
    assert history == eager_history
    for a, b in zip(model.get_weights(), eager_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(r is not None and r.verified
               for r in model._step_compiler.cache.values())
