"""baro.image: OpenCV-style rotation matrices and warps (hand-derived values,
then parity with cv2 when it is installed), rotate and shift, tf.image flips
and crops."""

import numpy as np
import pytest

import baro.image as bimage
from baro.ops import image as ops_image
from baro.testing import assert_allclose, gradcheck


def bright_pixel(h, w, x, y, dtype="float32"):
    image = np.zeros((h, w), dtype)
    image[y, x] = 1
    return image


def test_rotation_matrix_values():
    m = bimage.get_rotation_matrix_2d((2.0, 1.0), 90.0)
    # a = cos 90 = 0, b = sin 90 = 1: [[0, 1, cx - cy], [-1, 0, cx + cy]]
    assert_allclose(m, [[0, 1, 1], [-1, 0, 3]], atol=1e-12)
    m = bimage.get_rotation_matrix_2d((0.0, 0.0), 45.0, scale=np.sqrt(2))
    assert_allclose(m, [[1, 1, 0], [-1, 1, 0]], atol=1e-12)
    assert m.dtype == np.float64 and m.shape == (2, 3)


def test_rotating_a_bright_pixel_lands_where_the_matrix_says():
    image = bright_pixel(7, 7, x=5, y=1)
    centre = (3.0, 3.0)
    m = bimage.get_rotation_matrix_2d(centre, 90.0)
    x, y = np.rint(m @ [5, 1, 1]).astype(int)
    assert (x, y) == (1, 1)  # up-right of centre goes to up-left: CCW on screen
    for interpolation in ("bilinear", "nearest"):
        out = bimage.rotate(image, 90.0, center=centre,
                            interpolation=interpolation).numpy()
        assert_allclose(out, bright_pixel(7, 7, x, y), atol=1e-6)


def test_rotate_quarter_turns_are_exact_rot90():
    x = np.random.default_rng(0).random((2, 5, 5, 3)).astype("float32")
    assert_allclose(bimage.rotate(x, 90), np.rot90(x, 1, axes=(1, 2)), atol=0)
    assert_allclose(bimage.rotate(x, -90), np.rot90(x, -1, axes=(1, 2)), atol=0)
    assert_allclose(bimage.rotate(x, 180), x[:, ::-1, ::-1], atol=0)
    per_image = bimage.rotate(x, [90, 180]).numpy()
    assert_allclose(per_image[0], np.rot90(x[0]), atol=0)
    assert_allclose(per_image[1], x[1, ::-1, ::-1], atol=0)


def test_shift_moves_pixels_exactly():
    image = bright_pixel(8, 9, x=1, y=2)
    assert_allclose(bimage.shift(image, 2, 3), bright_pixel(8, 9, x=3, y=5), atol=0)
    assert_allclose(bimage.shift(image, -1, -2), bright_pixel(8, 9, x=0, y=0),
                    atol=0)
    digits = (np.random.default_rng(1).random((3, 6, 6, 1)) * 255).astype("uint8")
    moved = bimage.shift(digits, 2, 1)
    assert moved.dtype == np.uint8
    assert_allclose(moved.numpy()[:, 1:, 2:], digits[:, :-1, :-2], atol=0)
    assert (moved.numpy()[:, 0] == 0).all() and (moved.numpy()[:, :, :2] == 0).all()


def test_bilinear_midpoints():
    row = np.array([[0.0, 10.0, 30.0]], "float32")
    assert_allclose(bimage.shift(row, 0.5, 0), [[0.0, 5.0, 20.0]])
    assert_allclose(bimage.shift(row, -0.5, 0, fill_mode="nearest"),
                    [[5.0, 20.0, 30.0]])
    square = np.array([[0.0, 4.0], [8.0, 12.0]], "float32")
    # Half a pixel right and down: the bottom-right output is the 4-pixel mean.
    out = bimage.shift(square, 0.5, 0.5).numpy()
    assert out[1, 1] == pytest.approx(6.0)


def test_warp_affine_conventions():
    image = bright_pixel(4, 6, x=1, y=1)
    m = np.array([[1.0, 0, 2], [0, 1, 1]])
    out = bimage.warp_affine(image, m, (8, 3))  # dsize is (width, height)
    assert out.shape == (3, 8)
    assert_allclose(out, bright_pixel(3, 8, x=3, y=2), atol=0)
    # WARP_INVERSE_MAP: the matrix maps destination to source.
    flags = bimage.INTER_LINEAR | bimage.WARP_INVERSE_MAP
    source = bright_pixel(4, 6, x=3, y=2)
    back = bimage.warp_affine(source, m, None, flags=flags).numpy()
    assert_allclose(back, bright_pixel(4, 6, x=1, y=1), atol=0)  # reads (x+2, y+1)
    assert_allclose(bimage.warp_affine(image, m, flags="nearest"),
                    bimage.warp_affine(image, m, flags=bimage.INTER_NEAREST))
    edge = np.array([[1.0, 2.0, 3.0]], "float32")
    left = np.array([[1.0, 0, -2], [0, 1, 0]])
    replicate = bimage.warp_affine(edge, left, border_mode=bimage.BORDER_REPLICATE)
    assert_allclose(replicate, [[3.0, 3.0, 3.0]])
    assert_allclose(bimage.warp_affine(edge, left, border_mode="wrap"),
                    [[3.0, 1.0, 2.0]])
    rgb = np.ones((2, 2, 3), "float32")
    filled = bimage.warp_affine(rgb, left, border_value=(5.0, 6.0, 7.0)).numpy()
    assert_allclose(filled[0, 0], [5.0, 6.0, 7.0])


def test_warp_affine_passes_gradients():
    x = np.random.default_rng(2).standard_normal((2, 4, 5, 1))
    m = bimage.get_rotation_matrix_2d((2.0, 1.5), 25.0, 0.9)
    gradcheck(lambda t: bimage.warp_affine(t, m), x)


def test_warp_errors():
    image = np.zeros((4, 4), "float32")
    with pytest.raises(ValueError, match="singular"):
        bimage.warp_affine(image, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(2, 3\) or \(N, 2, 3\)"):
        bimage.warp_affine(image, np.eye(3))
    with pytest.raises(ValueError, match="flags=2 is not supported"):
        bimage.warp_affine(image, np.eye(2, 3), flags=2)
    with pytest.raises(ValueError, match="border_mode=5 is not supported"):
        bimage.warp_affine(image, np.eye(2, 3), border_mode=5)
    with pytest.raises(ValueError, match=r"\(H, W\), \(H, W, C\) or"):
        bimage.rotate(np.zeros(4), 10)


# -- flips and crops (tf.image) -------------------------------------------------------
def test_flips_and_crops_match_numpy():
    x = np.arange(2 * 5 * 7 * 2, dtype="float32").reshape(2, 5, 7, 2)
    assert_allclose(bimage.flip_left_right(x), x[:, :, ::-1])
    assert_allclose(bimage.flip_up_down(x), x[:, ::-1])
    assert_allclose(bimage.flip_left_right(x[0]), x[0, :, ::-1])
    assert_allclose(bimage.crop_to_bounding_box(x, 1, 2, 3, 4), x[:, 1:4, 2:6])
    # tf.image.central_crop: margin int((5 - 2.5) / 2) = 1, int((7 - 3.5) / 2) = 1.
    assert_allclose(bimage.central_crop(x, 0.5), x[:, 1:4, 1:6])
    assert_allclose(bimage.central_crop(x, 1.0), x)


def test_flips_and_crops_pass_gradients():
    x = np.random.default_rng(8).standard_normal((1, 3, 4, 2))
    gradcheck(lambda t: bimage.flip_left_right(bimage.flip_up_down(t)), x)
    gradcheck(lambda t: bimage.central_crop(t, 0.6), x)


def test_crop_errors():
    x = np.zeros((1, 4, 4, 1))
    with pytest.raises(ValueError, match="does not fit an image of 4x4"):
        bimage.crop_to_bounding_box(x, 2, 0, 3, 2)
    with pytest.raises(ValueError, match=r"central_fraction must be in \(0, 1\]"):
        bimage.central_crop(x, 0.0)
    with pytest.raises(ValueError, match="x\\[..., None\\]"):
        bimage.flip_up_down(np.zeros((4, 4)))


def test_namespace_reexports_the_ops():
    assert bimage.resize is ops_image.resize
    assert bimage.affine_transform is ops_image.affine_transform


# -- parity with OpenCV ----------------------------------------------------------------
BORDERS = ["BORDER_CONSTANT", "BORDER_REPLICATE", "BORDER_REFLECT", "BORDER_WRAP",
           "BORDER_REFLECT_101"]


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("flag", ["INTER_LINEAR", "INTER_NEAREST"])
@pytest.mark.parametrize("angle,center,scale", [(30, (11.5, 9.5), 1.0),
                                                (-47, (3, 4), 0.8), (90, (12, 10), 1.0),
                                                (120, (12.25, 9.75), 1.1)])
def test_warp_affine_matches_cv2(border, flag, angle, center, scale):
    cv2 = pytest.importorskip("cv2", exc_type=ImportError)
    rng = np.random.default_rng(3)
    image = rng.random((20, 24, 3)).astype("float32")
    m = cv2.getRotationMatrix2D(center, angle, scale)
    assert_allclose(bimage.get_rotation_matrix_2d(center, angle, scale), m, atol=0)
    value = (0.5, 0.25, 1.0)  # cv2 reads a bare scalar as (v, 0, 0, 0)
    expected = cv2.warpAffine(image, m, (30, 18), flags=getattr(cv2, flag),
                              borderMode=getattr(cv2, border), borderValue=value)
    got = bimage.warp_affine(image, m, (30, 18), flags=getattr(bimage, flag),
                             border_mode=getattr(bimage, border), border_value=value)
    # OpenCV may quantize bilinear coordinates to 1/32 pixel.
    assert_allclose(got, expected, atol=2e-2 if flag == "INTER_LINEAR" else 0)


def test_rotate_shift_and_uint8_match_cv2():
    cv2 = pytest.importorskip("cv2", exc_type=ImportError)
    rng = np.random.default_rng(4)
    digit = (rng.random((28, 28)) * 255).astype("uint8")
    m = cv2.getRotationMatrix2D((14, 14), 15, 1.0)
    expected = cv2.warpAffine(digit, m, (28, 28))
    got = bimage.rotate(digit, 15, center=(14, 14))
    assert got.dtype == np.uint8
    assert np.abs(got.numpy().astype(int) - expected).max() <= 1
    shifted = cv2.warpAffine(digit, np.float64([[1, 0, 2], [0, 1, -3]]), (28, 28))
    assert_allclose(bimage.shift(digit, 2, -3), shifted, atol=0)
