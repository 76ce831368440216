"""conv / conv_transpose: forward vs direct loops, gradients, torch parity."""

import importlib

import numpy as np
import pytest

import baro
from baro.ops import conv, conv1d, conv2d, conv2d_transpose, conv_transpose
from baro.ops.convolution import fused_conv
from baro.ops.pooling import max_pool
from baro.testing import assert_allclose, gradcheck

conv_module = importlib.import_module("baro.ops.convolution")


@pytest.fixture(params=["rows_major", "taps_major"])
def layout(request, monkeypatch):
    """Runs a test with each im2col layout, whatever the channel count."""
    taps = request.param == "taps_major"
    monkeypatch.setattr(conv_module, "_taps_major", lambda channels, groups: taps)
    return request.param


def _same_pads(n, k, s, d):
    k_eff = (k - 1) * d + 1
    total = max((-(-n // s) - 1) * s + k_eff - n, 0)
    return total // 2, total - total // 2


def ref_conv2d(x, k, strides, padding, dilation):
    """Direct convolution, channels_last, one output element at a time."""
    n, h, w, c = x.shape
    kh, kw, cg, cout = k.shape
    og = cout // (c // cg)
    (sh, sw), (dh, dw) = strides, dilation
    pads = [(0, 0), (0, 0)]
    if padding == "same":
        pads = [_same_pads(h, kh, sh, dh), _same_pads(w, kw, sw, dw)]
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    y = np.zeros((n, oh, ow, cout))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for o in range(cout):
                    g = o // og
                    patch = xp[b, i * sh:i * sh + (kh - 1) * dh + 1:dh,
                               j * sw:j * sw + (kw - 1) * dw + 1:dw,
                               g * cg:(g + 1) * cg]
                    y[b, i, j, o] = (patch * k[..., o]).sum()
    return y


def ref_conv(x, k, strides, padding, dilation):
    if x.ndim == 3:
        return ref_conv2d(x[:, None], k[None], (1, strides), padding,
                          (1, dilation))[:, 0]
    return ref_conv2d(x, k, strides, padding, dilation)


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


# (input shape, kernel shape, strides, padding, dilation)
CASES_2D = {
    "s1_valid": ((2, 6, 6, 3), (3, 3, 3, 4), 1, "valid", 1),
    "s2_valid": ((2, 7, 6, 3), (3, 3, 3, 4), 2, "valid", 1),
    "s1_same": ((2, 5, 6, 3), (3, 3, 3, 4), 1, "same", 1),
    "s2_same_asymmetric": ((2, 7, 5, 2), (4, 3, 2, 3), 2, "same", 1),
    "even_kernel_same": ((2, 5, 5, 2), (2, 2, 2, 3), 1, "same", 1),
    "dilation2_valid": ((2, 7, 7, 2), (3, 3, 2, 3), 1, "valid", 2),
    "dilation2_same": ((2, 6, 5, 2), (3, 2, 2, 3), 1, "same", 2),
    "tuples": ((2, 7, 8, 2), (3, 2, 2, 3), (2, 1), "same", (1, 2)),
    "groups2": ((2, 5, 5, 4), (3, 3, 2, 6), 1, "same", 1),
    "depthwise": ((2, 6, 5, 3), (3, 3, 1, 6), 2, "valid", 1),
}
CASES_1D = {
    "1d_s1_valid": ((2, 9, 3), (3, 3, 4), 1, "valid", 1),
    "1d_s2_same": ((2, 8, 3), (4, 3, 2), 2, "same", 1),
    "1d_dilation2": ((2, 9, 2), (3, 2, 3), 1, "same", 2),
    "1d_groups2": ((2, 7, 4), (3, 2, 4), 2, "valid", 1),
}
CASES = {**CASES_2D, **CASES_1D}


def _case(name, seed=0):
    x_shape, k_shape, strides, padding, dilation = CASES[name]
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(x_shape), rng.standard_normal(k_shape),
            dict(strides=strides, padding=padding, dilation_rate=dilation))


def _ref(x, k, cfg):
    if x.ndim == 4:
        return ref_conv(x, k, _pair(cfg["strides"]), cfg["padding"],
                        _pair(cfg["dilation_rate"]))
    return ref_conv(x, k, cfg["strides"], cfg["padding"], cfg["dilation_rate"])


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.usefixtures("layout")
def test_conv_forward_matches_direct_loops(name):
    x, k, cfg = _case(name)
    assert_allclose(conv(x, k, **cfg), _ref(x, k, cfg), atol=1e-10)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.usefixtures("layout")
def test_conv_gradients(name):
    x, k, cfg = _case(name)
    gradcheck(lambda a, b: conv(a, b, **cfg), x, k, full_jacobian_limit=60_000)


@pytest.mark.parametrize("name", ["s2_same_asymmetric", "groups2", "1d_s2_same"])
@pytest.mark.usefixtures("layout")
def test_conv_channels_first(name):
    x, k, cfg = _case(name)
    x_first = np.moveaxis(x, -1, 1)
    y = conv(x_first, k, data_format="channels_first", **cfg)
    assert_allclose(y, np.moveaxis(_ref(x, k, cfg), -1, 1), atol=1e-10)
    gradcheck(lambda a, b: conv(a, b, data_format="channels_first", **cfg),
              x_first, k)


def test_conv1d_conv2d_wrappers_and_upper_case_padding():
    x, k, cfg = _case("s1_same")
    assert_allclose(conv2d(x, k, padding="SAME"), _ref(x, k, cfg), atol=1e-10)
    x, k, cfg = _case("1d_s1_valid")
    assert_allclose(conv1d(x, k, padding="VALID"), _ref(x, k, cfg), atol=1e-10)


# -- conv_transpose ---------------------------------------------------------------


def _keras_deconv_length(n, k, s, padding, output_padding, d):
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


@pytest.mark.parametrize("n,k,s,padding,output_padding,d", [
    (4, 3, 2, "valid", None, 1), (4, 3, 2, "same", None, 1),
    (4, 2, 3, "valid", None, 1), (5, 3, 1, "valid", None, 2),
    (4, 3, 2, "valid", 1, 1), (4, 3, 2, "same", 1, 1), (4, 3, 2, "same", 0, 1),
    (3, 4, 2, "same", 1, 1), (5, 3, 1, "same", None, 1),
])
def test_conv_transpose_output_shape_follows_keras(n, k, s, padding,
                                                   output_padding, d):
    x = np.ones((2, n, n + 1, 3))
    kernel = np.ones((k, k, 5, 3))
    y = conv_transpose(x, kernel, strides=s, padding=padding,
                       output_padding=output_padding, dilation_rate=d)
    expected = tuple(_keras_deconv_length(m, k, s, padding, output_padding, d)
                     for m in (n, n + 1))
    assert y.shape == (2,) + expected + (5,)


# (input size, kernel spatial, strides, padding, output_padding, dilation)
TRANSPOSE_CASES = {
    "valid_s2": ((5, 4), (3, 3), 2, "valid", None, 1),
    "same_s2": ((4, 3), (3, 2), 2, "same", None, 1),
    "out_pad": ((3, 4), (3, 3), 2, "valid", 1, 1),
    "kernel_lt_stride": ((3, 3), (2, 2), 3, "valid", None, 1),
    "dilated": ((4, 4), (2, 3), 1, "same", None, 2),
    "1d_valid_s2": ((6,), (3,), 2, "valid", None, 1),
}


def _transpose_case(name, seed=1):
    spatial, ks, s, padding, out_pad, d = TRANSPOSE_CASES[name]
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((2,) + spatial + (3,))
    k = rng.standard_normal(ks + (2, 3))
    return y, k, dict(strides=s, padding=padding, output_padding=out_pad,
                      dilation_rate=d)


@pytest.mark.parametrize("name", list(TRANSPOSE_CASES))
@pytest.mark.usefixtures("layout")
def test_conv_transpose_is_the_adjoint_of_conv(name):
    y, k, cfg = _transpose_case(name)
    out = conv_transpose(y, k, **cfg)
    x = np.random.default_rng(2).standard_normal(out.shape)
    conv_cfg = dict(strides=cfg["strides"], padding=cfg["padding"],
                    dilation_rate=cfg["dilation_rate"])
    forward = conv(x, k, **conv_cfg)
    assert forward.shape == y.shape
    # <conv(x, k), y> == <x, conv_transpose(y, k)>
    np.testing.assert_allclose((forward.numpy() * y).sum(),
                               (x * out.numpy()).sum(), rtol=1e-10)
    # ... so conv_transpose(y) is exactly conv's input gradient for seed y.
    xt = baro.Tensor(x, requires_grad=True)
    (conv(xt, k, **conv_cfg) * y).sum().backward()
    assert_allclose(xt.grad, out, atol=1e-10)


@pytest.mark.parametrize("name", list(TRANSPOSE_CASES))
@pytest.mark.usefixtures("layout")
def test_conv_transpose_gradients(name):
    y, k, cfg = _transpose_case(name)
    gradcheck(lambda a, b: conv_transpose(a, b, **cfg), y, k)


def test_conv_transpose_lives_in_its_own_module_and_old_path_still_works():
    from baro.ops import transposed_convolution
    from baro.ops.convolution import conv2d_transpose as old_2d
    from baro.ops.convolution import conv_transpose as old

    assert conv_transpose is transposed_convolution.conv_transpose is old
    assert conv2d_transpose is transposed_convolution.conv2d_transpose is old_2d
    with pytest.raises(AttributeError, match="no attribute 'conv3d_transpose'"):
        _ = conv_module.conv3d_transpose


@pytest.mark.usefixtures("layout")
def test_conv_transpose_channels_first_and_2d_wrapper():
    y, k, cfg = _transpose_case("same_s2")
    expected = np.moveaxis(conv_transpose(y, k, **cfg).numpy(), -1, 1)
    got = conv2d_transpose(np.moveaxis(y, -1, 1), k, data_format="channels_first",
                           **cfg)
    assert_allclose(got, expected, atol=1e-12)
    gradcheck(lambda a, b: conv_transpose(a, b, data_format="channels_first", **cfg),
              np.moveaxis(y, -1, 1), k)


# -- torch parity -----------------------------------------------------------------


def _torch_grads(fn, x, k, seed):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(k, requires_grad=True)
    out = fn(xt, kt)
    out.backward(torch.tensor(seed))
    return out.detach().numpy(), xt.grad.numpy(), kt.grad.numpy()


def _baro_grads(fn, x, k, seed):
    xt = baro.Tensor(x, requires_grad=True)
    kt = baro.Tensor(k, requires_grad=True)
    out = fn(xt, kt)
    (out * seed).sum().backward()
    return out.numpy(), xt.grad.numpy(), kt.grad.numpy()


@pytest.mark.parametrize("cfg,torch_cfg", [
    (dict(strides=1, padding="same"), dict(stride=1, padding="same")),
    (dict(strides=2, padding="valid"), dict(stride=2, padding=0)),
    (dict(dilation_rate=2, padding="valid"), dict(dilation=2, padding=0)),
    (dict(groups=2, padding="same"), dict(groups=2, padding="same")),
])
@pytest.mark.usefixtures("layout")
def test_conv2d_matches_torch(cfg, torch_cfg):
    torch = pytest.importorskip("torch")
    cfg = dict(cfg)
    groups = cfg.pop("groups", 1)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 9, 8, 4))
    k = rng.standard_normal((3, 3, 4 // groups, 6))
    y = baro.ops.conv2d(x, k, **cfg)
    seed = rng.standard_normal(y.shape)

    def torch_fn(a, b):
        out = torch.nn.functional.conv2d(a.permute(0, 3, 1, 2), b.permute(3, 2, 0, 1),
                                         **torch_cfg)
        return out.permute(0, 2, 3, 1)

    ours = _baro_grads(lambda a, b: conv2d(a, b, **cfg), x, k, seed)
    for a, b in zip(ours, _torch_grads(torch_fn, x, k, seed), strict=True):
        assert_allclose(a, b, atol=1e-10)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.usefixtures("layout")
def test_conv_transpose_matches_torch(padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 5, 3))
    k = rng.standard_normal((3, 3, 2, 3))  # (kh, kw, out, in), as Keras
    y = conv_transpose(x, k, strides=2, padding=padding)
    seed = rng.standard_normal(y.shape)

    def torch_fn(a, b):
        # torch's weight is (in, out, kh, kw); TF's "same" crops only at the end.
        out = torch.nn.functional.conv_transpose2d(
            a.permute(0, 3, 1, 2), b.permute(3, 2, 0, 1), stride=2)
        return out.permute(0, 2, 3, 1)[:, :y.shape[1], :y.shape[2]]

    ours = _baro_grads(lambda a, b: conv_transpose(a, b, strides=2, padding=padding),
                       x, k, seed)
    for a, b in zip(ours, _torch_grads(torch_fn, x, k, seed), strict=True):
        assert_allclose(a, b, atol=1e-10)


# -- dtypes -----------------------------------------------------------------------


@pytest.mark.parametrize("op,k_shape", [
    (conv, (3, 3, 2, 4)), (conv, (3, 3, 1, 4)), (conv_transpose, (3, 3, 4, 2)),
])
@pytest.mark.usefixtures("layout")
def test_float32_stays_float32(op, k_shape):
    rng = np.random.default_rng(5)
    x = baro.Tensor(rng.standard_normal((2, 6, 6, 2)).astype(np.float32),
                    requires_grad=True)
    k = baro.Tensor(rng.standard_normal(k_shape).astype(np.float32),
                    requires_grad=True)
    y = op(x, k, strides=2, padding="same")
    assert y.dtype == np.float32
    # Ask the node directly: the engine would hide a float64 by casting back.
    gx, gk = y.creator.backward(np.ones(y.shape, np.float32))
    assert gx.dtype == np.float32 and gk.dtype == np.float32


def test_integer_inputs_become_floatx_and_mixed_floats_promote():
    x = np.ones((1, 4, 4, 1), dtype=np.int32)
    assert conv(x, np.ones((2, 2, 1, 1), np.int32)).dtype == np.float32
    y = conv(x.astype(np.float32), np.ones((2, 2, 1, 1)))
    assert y.dtype == np.float64


# -- errors -----------------------------------------------------------------------


def test_wrong_rank_is_rejected():
    with pytest.raises(ValueError, match=r"conv: inputs must have rank 3.*\(5, 5\)"):
        conv(np.ones((5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"conv2d: .*rank 4.*\(2, 5, 3\)"):
        conv2d(np.ones((2, 5, 3)), np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match=r"conv1d: .*rank 3"):
        conv1d(np.ones((2, 5, 5, 3)), np.ones((3, 3, 3, 4)))
    with pytest.raises(ValueError, match="kernel must have rank 4"):
        conv(np.ones((2, 5, 5, 3)), np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match="conv2d_transpose: .*rank 4"):
        conv2d_transpose(np.ones((2, 5, 3)), np.ones((3, 2, 3)))


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 5, 5, 3\).*\(3, 3, 2, 4\)"):
        conv(np.ones((2, 5, 5, 3)), np.ones((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"3 groups.*5 output channels"):
        conv(np.ones((2, 5, 5, 3)), np.ones((3, 3, 1, 5)))
    with pytest.raises(ValueError, match=r"\(2, 5, 5, 3\).*\(3, 3, 2, 4\)"):
        conv_transpose(np.ones((2, 5, 5, 3)), np.ones((3, 3, 2, 4)))


def test_invalid_arguments_are_rejected():
    x, k = np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2))
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'.*'full'"):
        conv(x, k, padding="full")
    with pytest.raises(ValueError, match="data_format"):
        conv(x, k, data_format="NHWC")
    with pytest.raises(ValueError, match="strides must be positive"):
        conv(x, k, strides=0)
    with pytest.raises(ValueError, match="dilation_rate must be an int or a tuple"):
        conv(x, k, dilation_rate=(1, 1, 1))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv(x, np.ones((6, 3, 2, 2)))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose(x, k, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding=0"):
        conv_transpose(x, np.ones((2, 2, 2, 2)), strides=2, padding="same",
                       output_padding=0)


# -- fused_conv (what the layers call) ----------------------------------------------


@pytest.mark.parametrize("name", ["s1_valid", "s2_same_asymmetric", "groups2",
                                  "depthwise", "1d_s2_same", "1d_groups2"])
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.usefixtures("layout")
def test_fused_conv_equals_conv_plus_bias_then_relu(name, activation):
    x, k, cfg = _case(name)
    bias = np.random.default_rng(7).standard_normal(k.shape[-1])
    expected = _ref(x, k, cfg) + bias
    if activation == "relu":
        expected = np.maximum(expected, 0)
    got = fused_conv(x, k, bias, activation=activation, **cfg)
    assert_allclose(got, expected, atol=1e-10)
    gradcheck(lambda a, b, c: fused_conv(a, b, c, activation=activation, **cfg),
              x, k, bias)


@pytest.mark.usefixtures("layout")
def test_fused_conv_channels_first_and_no_bias():
    x, k, cfg = _case("s2_same_asymmetric")
    bias = np.linspace(-1.0, 1.0, k.shape[-1])
    expected = np.maximum(_ref(x, k, cfg) + bias, 0)
    got = fused_conv(np.moveaxis(x, -1, 1), k, bias, data_format="channels_first",
                     activation="relu", **cfg)
    assert_allclose(got, np.moveaxis(expected, -1, 1), atol=1e-10)
    assert_allclose(fused_conv(x, k, **cfg), conv(x, k, **cfg), atol=1e-12)


@pytest.mark.usefixtures("layout")
def test_fused_conv_matches_torch_with_bias_and_relu():
    torch = pytest.importorskip("torch", exc_type=ImportError)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 7, 6, 4))
    k = rng.standard_normal((3, 3, 2, 6))
    b = rng.standard_normal(6)
    y = fused_conv(x, k, b, strides=2, activation="relu")
    seed = rng.standard_normal(y.shape)
    tensors = [baro.Tensor(v, requires_grad=True) for v in (x, k, b)]
    (fused_conv(*tensors, strides=2, activation="relu") * seed).sum().backward()
    xt, kt, bt = (torch.tensor(v, requires_grad=True) for v in (x, k, b))
    out = torch.relu(torch.nn.functional.conv2d(
        xt.permute(0, 3, 1, 2), kt.permute(3, 2, 0, 1), bt, stride=2, groups=2))
    out = out.permute(0, 2, 3, 1)
    (out * torch.tensor(seed)).sum().backward()
    assert_allclose(y, out.detach().numpy(), atol=1e-10)
    for ours, theirs in zip(tensors, (xt, kt, bt), strict=True):
        assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-10)


def test_fused_conv_float32_stays_float32_and_only_needed_grads():
    rng = np.random.default_rng(9)
    x = baro.Tensor(rng.standard_normal((2, 5, 5, 3)).astype(np.float32))
    k = baro.Tensor(rng.standard_normal((3, 3, 3, 4)).astype(np.float32),
                    requires_grad=True)
    b = baro.Tensor(np.zeros(4, np.float32), requires_grad=True)
    y = fused_conv(x, k, b, padding="same", activation="relu")
    assert y.dtype == np.float32
    gx, gk, gb = y.creator.backward(np.ones(y.shape, np.float32))
    assert gx is None and gk.dtype == np.float32 and gb.dtype == np.float32
    assert gb.shape == (4,)


def test_fused_conv_rejects_a_bad_bias_or_activation():
    x, k = np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\).*\(3,\)"):
        fused_conv(x, k, np.ones(3))
    with pytest.raises(ValueError, match="activation must be None or 'relu'.*tanh"):
        fused_conv(x, k, activation="tanh")


# -- scratch arrays (window.scratch) ------------------------------------------------


def test_scratch_reuses_only_arrays_nobody_holds():
    from baro.ops.window import scratch

    shape = (512, 1024)  # 2 MiB of float32: big enough to be cached
    a = scratch(np, shape, np.float32, "test_scratch")
    b = scratch(np, shape, np.float32, "test_scratch")
    assert a is not b
    view = a[1:]
    address = a.__array_interface__["data"][0]
    del a
    c = scratch(np, shape, np.float32, "test_scratch")  # a lives on in `view`
    assert c.__array_interface__["data"][0] != address
    del view, c
    d = scratch(np, shape, np.float32, "test_scratch")
    assert d.__array_interface__["data"][0] == address
    assert scratch(np, shape, np.float64, "test_scratch").dtype == np.float64


def test_outputs_kept_by_the_caller_are_never_overwritten():
    # Outputs and gradients live in cached scratch arrays; one still held must
    # survive later calls of the same shape.
    rng = np.random.default_rng(10)
    k = rng.standard_normal((3, 3, 2, 32)).astype(np.float32)
    b = np.zeros(32, np.float32)
    x1, x2 = (rng.standard_normal((16, 30, 30, 2)).astype(np.float32)
              for _ in range(2))
    y1 = fused_conv(x1, k, b, activation="relu")
    expected = y1.numpy().copy()
    y2 = fused_conv(x2, k, b, activation="relu")
    y3 = fused_conv(x2, k, b, activation="relu")
    assert_allclose(y1, expected, atol=0)
    assert_allclose(y2, y3, atol=0)
    assert not np.allclose(y1.numpy(), y2.numpy())
    pooled = [max_pool(y, 2) for y in (y1, y2)]
    assert_allclose(pooled[0], max_pool(expected, 2), atol=0)
