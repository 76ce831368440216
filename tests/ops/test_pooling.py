"""max_pool / average_pool: forward vs direct loops, gradients, ties, torch parity."""

import numpy as np
import pytest

import baro
from baro.ops import (
    average_pool,
    avg_pool1d,
    avg_pool2d,
    max_pool,
    max_pool1d,
    max_pool2d,
)
from baro.testing import assert_allclose, gradcheck


def _same_pads(n, k, s):
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2


def ref_pool2d(x, size, strides, padding, reduce):
    """Direct pooling, channels_last; padded cells are left out of each window."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw) = size, strides
    if padding == "same":
        oh, ow = -(-h // sh), -(-w // sw)
        top, left = _same_pads(h, kh, sh), _same_pads(w, kw, sw)
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        top = left = 0
    y = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - top, j * sw - left
            window = x[:, max(r0, 0):r0 + kh, max(c0, 0):c0 + kw]
            y[:, i, j] = reduce(window, axis=(1, 2))
    return y


def ref_pool(x, size, strides, padding, reduce):
    if x.ndim == 3:
        return ref_pool2d(x[:, None], (1, size), (1, strides), padding, reduce)[:, 0]
    size, strides = (v if isinstance(v, tuple) else (v, v) for v in (size, strides))
    return ref_pool2d(x, size, strides, padding, reduce)


# (input shape, pool_size, strides, padding)
CASES = {
    "2x2_default_strides": ((2, 6, 6, 3), 2, None, "valid"),
    "3x3_s2_valid": ((2, 7, 6, 2), 3, 2, "valid"),
    "3x3_s1_same": ((2, 5, 6, 2), 3, 1, "same"),
    "2x2_s2_same_odd": ((2, 5, 7, 2), 2, 2, "same"),
    "3x2_same_asymmetric": ((2, 6, 5, 2), (3, 2), (2, 1), "same"),
    "1d_valid": ((2, 9, 3), 3, 2, "valid"),
    "1d_same": ((2, 8, 2), 4, 3, "same"),
    # Windows tile the input (strides == pool_size) but leave an uncovered edge.
    "2x2_tiled_odd_edges": ((2, 7, 5, 3), 2, None, "valid"),
    "3x2_tiled": ((2, 6, 4, 2), (3, 2), None, "valid"),
    "1d_tiled_odd": ((2, 9, 2), 2, None, "valid"),
}


def _input(name, seed=0):
    """Distinct values (a scaled permutation) so every window has one argmax."""
    shape = CASES[name][0]
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 - 3.0


def _cfg(name):
    _, size, strides, padding = CASES[name]
    return dict(pool_size=size, strides=strides, padding=padding)


def _ref(x, cfg, reduce):
    strides = cfg["strides"] or cfg["pool_size"]
    return ref_pool(x, cfg["pool_size"], strides, cfg["padding"], reduce)


@pytest.mark.parametrize("name", list(CASES))
def test_max_pool_forward_and_gradient(name):
    x, cfg = _input(name), _cfg(name)
    assert_allclose(max_pool(x, **cfg), _ref(x, cfg, np.max), atol=1e-12)
    gradcheck(lambda a: max_pool(a, **cfg), x, full_jacobian_limit=60_000)


@pytest.mark.parametrize("name", list(CASES))
def test_average_pool_forward_and_gradient(name):
    x, cfg = _input(name), _cfg(name)
    assert_allclose(average_pool(x, **cfg), _ref(x, cfg, np.mean), atol=1e-12)
    gradcheck(lambda a: average_pool(a, **cfg), x, full_jacobian_limit=60_000)


@pytest.mark.parametrize("op,reduce", [(max_pool, np.max), (average_pool, np.mean)])
@pytest.mark.parametrize("name", ["3x2_same_asymmetric", "1d_same"])
def test_channels_first(op, reduce, name):
    x, cfg = _input(name), _cfg(name)
    x_first = np.moveaxis(x, -1, 1)
    y = op(x_first, data_format="channels_first", **cfg)
    assert_allclose(y, np.moveaxis(_ref(x, cfg, reduce), -1, 1), atol=1e-12)
    gradcheck(lambda a: op(a, data_format="channels_first", **cfg), x_first)


def test_wrappers_match_the_general_ops():
    x2, x1 = _input("3x3_s1_same"), _input("1d_same")
    assert_allclose(max_pool2d(x2, 3, 1, "SAME"), max_pool(x2, 3, 1, "same"))
    assert_allclose(avg_pool2d(x2, 3, 1, "SAME"), average_pool(x2, 3, 1, "same"))
    assert_allclose(max_pool1d(x1, 4, 3, "same"), max_pool(x1, 4, 3, "same"))
    assert_allclose(avg_pool1d(x1, 4, 3, "same"), average_pool(x1, 4, 3, "same"))


def test_max_pool_gradient_goes_to_first_max_and_accumulates():
    x = baro.Tensor(np.ones((1, 2, 4, 1)), requires_grad=True)
    max_pool(x, 2).sum().backward()
    expected = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert_allclose(x.grad[0, :, :, 0], expected)
    # Overlapping windows (size 3, stride 1) all pick the peak: it gets 3 * g.
    x = baro.Tensor(np.array([[[0.0], [1.0], [5.0], [2.0], [0.5]]]),
                    requires_grad=True)
    max_pool(x, 3, strides=1).sum().backward()
    assert_allclose(x.grad[0, :, 0], [0.0, 0.0, 3.0, 0.0, 0.0])


def test_tiled_max_pool_routes_ties_to_the_first_max_and_zeroes_the_edge():
    # Windows tile (stride == size): backward writes slices instead of adding.
    x = baro.Tensor(np.zeros((1, 3, 5, 1)), requires_grad=True)
    (max_pool(x, 2) * np.array([[[[1.0], [2.0]]]])).sum().backward()
    expected = np.array([[1.0, 0.0, 2.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0, 0.0]])
    assert_allclose(x.grad[0, :, :, 0], expected)


def test_same_padding_ignores_padded_cells():
    x = -np.ones((1, 3, 3, 1))
    # Max: padding with zeros would give 0 on the border windows.
    assert_allclose(max_pool(x, 2, 2, "same"), -np.ones((1, 2, 2, 1)))
    # Average: the corner window of a 3x3 pool holds 4 real cells, not 9.
    y = average_pool(np.ones((1, 3, 3, 1)), 3, 1, "same")
    assert_allclose(y, np.ones((1, 3, 3, 1)))


# -- torch parity -----------------------------------------------------------------


def _compare_with_torch(ours, theirs, x):
    torch = pytest.importorskip("torch")
    xb = baro.Tensor(x, requires_grad=True)
    y = ours(xb)
    seed = np.random.default_rng(1).standard_normal(y.shape)
    (y * seed).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    yt.backward(torch.tensor(seed))
    assert_allclose(y, yt.detach().numpy(), atol=1e-12)
    assert_allclose(xb.grad, xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("size,stride", [(2, 2), (3, 2), (3, 1)])
def test_max_pool2d_matches_torch(size, stride):
    torch = pytest.importorskip("torch")
    x = _input("3x3_s2_valid")
    _compare_with_torch(lambda a: max_pool2d(a, size, stride),
                        lambda a: torch.nn.functional.max_pool2d(a, size, stride), x)


def test_avg_pool2d_matches_torch():
    torch = pytest.importorskip("torch")
    f = torch.nn.functional.avg_pool2d
    x = _input("3x3_s2_valid")
    _compare_with_torch(lambda a: avg_pool2d(a, 3, 2), lambda a: f(a, 3, 2), x)
    # Symmetric "same" padding: torch with padding=1 and padded cells excluded.
    _compare_with_torch(lambda a: avg_pool2d(a, 3, 1, "same"),
                        lambda a: f(a, 3, 1, padding=1, count_include_pad=False), x)


# -- dtypes and errors -------------------------------------------------------------


@pytest.mark.parametrize("op", [max_pool, average_pool])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_float32_stays_float32(op, padding):
    x = baro.Tensor(_input("2x2_s2_same_odd").astype(np.float32), requires_grad=True)
    y = op(x, 2, padding=padding)
    assert y.dtype == np.float32
    # Ask the node directly: the engine would hide a float64 by casting back.
    assert y.creator.backward(np.ones(y.shape, np.float32)).dtype == np.float32


def test_integer_inputs_become_floatx():
    assert max_pool(np.ones((1, 4, 4, 1), np.int32), 2).dtype == np.float32


def test_errors():
    x = np.ones((2, 4, 4, 3))
    with pytest.raises(ValueError, match=r"max_pool: .*rank 3.*\(4, 4\)"):
        max_pool(np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match=r"avg_pool2d: .*rank 4.*\(2, 4, 3\)"):
        avg_pool2d(np.ones((2, 4, 3)), 2)
    with pytest.raises(ValueError, match=r"max_pool1d: .*rank 3"):
        max_pool1d(x, 2)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        average_pool(x, 2, padding="causal")
    with pytest.raises(ValueError, match=r"pool_size \(5, 5\) is larger.*\(4, 4\)"):
        max_pool(x, 5)
    with pytest.raises(ValueError, match="pool_size must be an int or a tuple"):
        average_pool(x, (2, 2, 2))
    with pytest.raises(ValueError, match="data_format"):
        max_pool(x, 2, data_format="NCHW")
    # "same" never runs out of input: a 5x5 window over 4x4 is fine.
    assert max_pool(x, 5, padding="same").shape == (2, 1, 1, 3)
