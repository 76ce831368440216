"""baro.ops.image: resize and affine warps vs hand-derived values, direct
per-pixel references and torch; gradients; fill modes; dtypes; errors."""

import numpy as np
import pytest

from baro.ops import image
from baro.testing import assert_allclose, gradcheck

# affine_transform's fill modes and the np.pad mode that extends a row the same way.
PAD_MODES = {"constant": "constant", "nearest": "edge", "reflect": "symmetric",
             "wrap": "wrap", "mirror": "reflect"}


def nchw(x):
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))


def nhwc(x):
    return np.transpose(x, (0, 2, 3, 1))


def ref_warp(x, row, interpolation="bilinear", fill_value=0.0):
    """Direct per-pixel warp of one (H, W, C) image, constant fill."""
    h, w, _ = x.shape
    a0, a1, a2, b0, b1, b2, c0, c1 = row

    def read(r, c):
        inside = 0 <= r < h and 0 <= c < w
        return x[int(r), int(c)] if inside else np.full(x.shape[-1], fill_value)

    out = np.zeros_like(x, dtype=np.float64)
    for yo in range(h):
        for xo in range(w):
            k = c0 * xo + c1 * yo + 1
            xs, ys = (a0 * xo + a1 * yo + a2) / k, (b0 * xo + b1 * yo + b2) / k
            if interpolation == "nearest":
                out[yo, xo] = read(np.rint(ys), np.rint(xs))
                continue
            y0, x0 = np.floor(ys), np.floor(xs)
            fy, fx = ys - y0, xs - x0
            out[yo, xo] = ((1 - fy) * (1 - fx) * read(y0, x0) +
                           (1 - fy) * fx * read(y0, x0 + 1) +
                           fy * (1 - fx) * read(y0 + 1, x0) + fy * fx *
                           read(y0 + 1, x0 + 1))
    return out


# -- resize --------------------------------------------------------------------------
def test_resize_upsamples_with_half_pixel_centres():
    x = np.arange(4.0, dtype="float32").reshape(1, 2, 2, 1)
    row = image.resize(x, (4, 4)).numpy()[0, 0, :, 0]
    # Output centres sample at -0.25, 0.25, 0.75, 1.25: clamped, then linear.
    assert_allclose(row, [0.0, 0.25, 0.75, 1.0])


def test_resize_halving_averages_pairs_and_antialias_widens_the_filter():
    x = np.array([0.0, 4.0, 8.0, 16.0], "float32").reshape(1, 1, 4, 1)
    plain = image.resize(x, (1, 2)).numpy().ravel()
    assert_allclose(plain, [2.0, 12.0])
    # Triangle of radius 2 at centre 1.0: taps 0, 1, 2 weigh .75, .75, .25.
    wide = image.resize(x, (1, 2), antialias=True).numpy().ravel()
    assert_allclose(wide[0], (0.75 * 0 + 0.75 * 4 + 0.25 * 8) / 1.75, rtol=1e-6)


def test_resize_nearest_takes_the_pixel_under_each_centre():
    x = np.arange(5.0, dtype="float32").reshape(1, 1, 5, 1)
    # centres (o + 0.5) * 5 / 3 = 0.83, 2.5, 4.17 -> inputs 0, 2, 4
    assert_allclose(image.resize(x, (1, 3), "nearest").numpy().ravel(), [0, 2, 4])


@pytest.mark.parametrize("size", [(11, 7), (3, 2), (5, 13), (1, 1), (6, 5)])
@pytest.mark.parametrize("antialias", [False, True])
def test_resize_bilinear_matches_torch(size, antialias):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = np.random.default_rng(0).standard_normal((2, 6, 5, 3)).astype("float32")
    expected = torch.nn.functional.interpolate(
        torch.tensor(nchw(x)), size=size, mode="bilinear", align_corners=False,
        antialias=antialias).numpy()
    got = image.resize(x, size, antialias=antialias)
    assert got.dtype == np.float32
    assert_allclose(got, nhwc(expected), atol=2e-6)


@pytest.mark.parametrize("size", [(11, 7), (3, 2), (4, 13)])
def test_resize_nearest_matches_torch_nearest_exact(size):
    torch = pytest.importorskip("torch", exc_type=ImportError)
    x = np.random.default_rng(1).standard_normal((2, 6, 5, 2)).astype("float32")
    expected = torch.nn.functional.interpolate(
        torch.tensor(nchw(x)), size=size, mode="nearest-exact").numpy()
    assert_allclose(image.resize(x, size, "nearest"), nhwc(expected), atol=0)


@pytest.mark.parametrize("interpolation,antialias",
                         [("bilinear", False), ("bilinear", True), ("nearest", False)])
def test_resize_gradient(interpolation, antialias):
    x = np.random.default_rng(2).standard_normal((2, 5, 4, 2))
    gradcheck(lambda t: image.resize(t, (3, 7), interpolation, antialias), x)


def test_resize_dtypes_layouts_and_unbatched_images():
    rng = np.random.default_rng(3)
    x8 = rng.integers(0, 256, (2, 5, 4, 3)).astype("uint8")
    assert image.resize(x8, (3, 3)).dtype == np.float32  # as tf.image.resize
    nearest = image.resize(x8, (10, 8), "nearest")
    assert nearest.dtype == np.uint8
    assert_allclose(nearest.numpy()[:, ::2, ::2], x8, atol=0)
    x = rng.standard_normal((2, 5, 4, 3))
    assert image.resize(x, (3, 3)).dtype == np.float64
    first = image.resize(nchw(x), (7, 3), data_format="channels_first").numpy()
    assert_allclose(nhwc(first), image.resize(x, (7, 3)), atol=1e-12)
    assert_allclose(image.resize(x[0], (7, 3)), image.resize(x, (7, 3)).numpy()[0])
    assert image.resize(x, (5, 4)) is not None  # same size: returned unchanged


def test_resize_crop_and_pad_to_aspect_ratio():
    x = np.arange(32.0, dtype="float32").reshape(1, 4, 8, 1)
    # A square target keeps the central 4x4 window (columns 2..5).
    cropped = image.resize(x, (4, 4), crop_to_aspect_ratio=True)
    assert_allclose(cropped, x[:, :, 2:6])
    wide = np.ones((1, 2, 4, 1), "float32")
    # (2, 4) to a square pads one row above and below with fill_value.
    padded = image.resize(wide, (4, 4), pad_to_aspect_ratio=True, fill_value=-1.0)
    assert_allclose(padded.numpy()[0, :, 0, 0], [-1, 1, 1, -1])


def test_resize_errors():
    x = np.zeros((1, 4, 4, 1), "float32")
    with pytest.raises(ValueError, match="size must be"):
        image.resize(x, (0, 3))
    with pytest.raises(ValueError, match="unknown interpolation 'bicubic'"):
        image.resize(x, (2, 2), "bicubic")
    with pytest.raises(ValueError, match="only one of"):
        image.resize(x, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match=r"rank 3 .* or 4"):
        image.resize(np.zeros((4, 4)), (2, 2))


# -- affine_transform --------------------------------------------------------------
IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0]


@pytest.mark.parametrize("fill_mode", list(PAD_MODES))
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_identity_transform_copies_exactly(fill_mode, interpolation):
    x = np.random.default_rng(4).standard_normal((2, 5, 6, 3)).astype("float32")
    y = image.affine_transform(x, IDENTITY, interpolation, fill_mode)
    assert_allclose(y, x, atol=0)


@pytest.mark.parametrize("fill_mode", list(PAD_MODES))
@pytest.mark.parametrize("shift", [-11, -4, -1, 2, 5, 9])
def test_fill_modes_extend_like_np_pad(fill_mode, shift):
    row = np.arange(1.0, 5.0, dtype="float32")  # a b c d
    x = row.reshape(1, 1, 4, 1)
    y = image.affine_transform(x, [1, 0, -shift, 0, 1, 0, 0, 0], "nearest",
                               fill_mode, fill_value=-7.0).numpy().ravel()
    kwargs = {"constant_values": -7.0} if fill_mode == "constant" else {}
    extended = np.pad(row, 12, mode=PAD_MODES[fill_mode], **kwargs)
    # Output x reads input x - shift, i.e. extended[12 + x - shift].
    assert_allclose(y, extended[12 - shift:16 - shift], atol=0)


def test_bilinear_half_pixel_shift_averages_neighbours():
    x = np.array([2.0, 4.0, 8.0], "float32").reshape(1, 1, 3, 1)
    y = image.affine_transform(x, [1, 0, -0.5, 0, 1, 0, 0, 0], fill_mode="nearest")
    assert_allclose(y.numpy().ravel(), [2.0, 3.0, 6.0])
    # "constant" blends the edge pixel with the fill value.
    y = image.affine_transform(x, [1, 0, 0.5, 0, 1, 0, 0, 0], fill_value=10.0)
    assert_allclose(y.numpy().ravel(), [3.0, 6.0, 9.0])


def test_nearest_rounds_ties_to_even():
    x = np.array([1.0, 2.0, 3.0, 4.0], "float32").reshape(1, 1, 4, 1)
    # Sources 0.5, 1.5, 2.5, 3.5 -> pixels 0, 2, 2, 4 (clamped to 3).
    y = image.affine_transform(x, [1, 0, 0.5, 0, 1, 0, 0, 0], "nearest", "nearest")
    assert_allclose(y.numpy().ravel(), [1.0, 3.0, 3.0, 4.0])
    # A tie computed with float error (3 * 0.8333.. = 2.4999..) rounds the same.
    z = image.affine_transform(x, [5 / 6, 0, 0, 0, 1, 0, 0, 0], "nearest")
    assert_allclose(z.numpy().ravel()[3], 3.0)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_and_projective_match_a_direct_reference(interpolation):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 7, 2))
    rows = np.array([[0.9, -0.3, 1.2, 0.25, 1.1, -0.7, 0.0, 0.0],
                     [1.1, 0.2, -0.4, -0.1, 0.8, 0.9, 0.02, -0.03]])
    y = image.affine_transform(x, rows, interpolation, fill_value=0.5).numpy()
    for i in range(2):
        assert_allclose(y[i], ref_warp(x[i], rows[i], interpolation, 0.5),
                        atol=1e-12)


def test_affine_transform_gradient():
    x = np.random.default_rng(6).standard_normal((2, 4, 5, 2))
    rows = np.array([[0.9, -0.3, 1.2, 0.25, 1.1, -0.7, 0, 0],
                     [1.0, 0.0, 0.5, 0.0, 1.0, -1.5, 0, 0]])
    for mode in ("constant", "reflect", "wrap"):
        gradcheck(lambda t, mode=mode: image.affine_transform(
            t, rows, fill_mode=mode, fill_value=2.0), x)
    gradcheck(lambda t: image.affine_transform(t, rows, "nearest"), x)


def test_affine_transform_dtypes_layouts_and_sizes():
    rng = np.random.default_rng(7)
    x8 = np.array([[0, 255, 255]], "uint8").reshape(1, 1, 3, 1)
    half = [1, 0, 0.5, 0, 1, 0, 0, 0]
    y8 = image.affine_transform(x8, half, fill_mode="nearest")
    assert y8.dtype == np.uint8
    assert_allclose(y8.numpy().ravel(), [128, 255, 255], atol=0)  # 127.5 rounds
    x = rng.standard_normal((2, 5, 4, 3)).astype("float32")
    row = [0.9, 0.1, 0.3, -0.2, 1.0, 0.4, 0, 0]
    assert image.affine_transform(x, row).dtype == np.float32
    first = image.affine_transform(nchw(x), row, data_format="channels_first")
    assert_allclose(nhwc(first.numpy()), image.affine_transform(x, row), atol=1e-6)
    assert_allclose(image.affine_transform(x[1], row),
                    image.affine_transform(x, row).numpy()[1], atol=1e-6)
    bigger = image.affine_transform(x, IDENTITY, output_size=(6, 7))
    assert bigger.shape == (2, 6, 7, 3)
    assert_allclose(bigger.numpy()[:, :5, :4], x, atol=0)
    per_channel = image.affine_transform(x, [1, 0, -10, 0, 1, 0, 0, 0],
                                         fill_value=[1.0, 2.0, 3.0])
    assert_allclose(per_channel.numpy()[0, 0, 0], [1.0, 2.0, 3.0])


def test_affine_transform_errors():
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match=r"shape \(8,\) or \(2, 8\)"):
        image.affine_transform(x, np.zeros((3, 8)))
    with pytest.raises(ValueError, match="unknown fill_mode 'edge'"):
        image.affine_transform(x, IDENTITY, fill_mode="edge")
    with pytest.raises(ValueError, match="one per channel"):
        image.affine_transform(x, IDENTITY, fill_value=[1.0, 2.0])
    with pytest.raises(ValueError, match="output_size"):
        image.affine_transform(x, IDENTITY, output_size=(0, 3))


def test_transform_builders():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    quarter = image.rotation_transforms(np.pi / 2, 4, 4)
    # Counter-clockwise on screen, exactly np.rot90 about the true centre.
    assert_allclose(image.affine_transform(x, quarter), np.rot90(x, axes=(1, 2)),
                    atol=0)
    moved = image.affine_transform(x, image.translation_transforms(1, 2))
    assert_allclose(moved.numpy()[0, 2:, 1:, 0], x[0, :2, :3, 0], atol=0)
    assert_allclose(image.affine_transform(x, image.zoom_transforms(1, 1, 4, 4)), x)
    out = image.zoom_transforms([2.0, 0.5], [1.0, 1.0], 5, 9)
    assert out.shape == (2, 8)
    assert_allclose(out[0, :3], [2.0, 0.0, -4.0])  # x_in = 2 x - 4 about x = 4


# -- helpers ---------------------------------------------------------------------
def test_helpers():
    with pytest.raises(ValueError, match="x\\[..., None\\]"):
        image.batch_and_size((4, 4), None, "op")
    assert image.batch_and_size((2, 3, 4, 5), "channels_first", "op") == (2, 4, 5)
    assert image.batch_and_size((3, 4, 5), None, "op") == (1, 3, 4)
    assert image.factor_range(0.2, "factor", "L") == (-0.2, 0.2)
    assert image.factor_range((0.3, -0.1), "factor", "L") == (-0.1, 0.3)
    for bad in (1.5, (0.1,), "0.2", (0.0, 2.0), True):
        with pytest.raises(ValueError, match="L: factor must be"):
            image.factor_range(bad, "factor", "L")
