"""baro.plot.decision_boundary: 2-D inputs, binary and multi-class regions."""

import numpy as np
import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

import baro.plot  # noqa: E402
from baro.keras import Input, Sequential, layers  # noqa: E402

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
XOR_Y = np.array([0, 1, 1, 0])


def xor_probability(points):
    """A hand-made XOR "model": P(class 1) high where exactly one input is high."""
    p = np.asarray(points)
    return ((p[:, 0] > 0.5) != (p[:, 1] > 0.5)).astype("float32")[:, None] * 0.8 + 0.1


def test_binary_regions_with_the_half_contour(tmp_path, check_png):
    path = tmp_path / "xor.png"
    fig = baro.plot.decision_boundary(xor_probability, XOR_X, XOR_Y, resolution=50,
                                      path=path)
    pixels = check_png(path)
    ax, colorbar = fig.axes
    assert colorbar.get_ylabel() == "P(class 1)"
    assert "accuracy 1.000" in ax.get_title()
    points = ax.collections[-1]
    assert points.get_offsets().tolist() == XOR_X.tolist()
    # Both colours of the background appear: red-ish and blue-ish pixels.
    rgb = pixels[..., :3]
    assert np.any(rgb[..., 0] > rgb[..., 2] + 0.2)
    assert np.any(rgb[..., 2] > rgb[..., 0] + 0.2)


def test_accuracy_in_the_title_counts_wrong_points():
    fig = baro.plot.decision_boundary(xor_probability, XOR_X, [0, 1, 1, 1],
                                      resolution=10)
    assert "accuracy 0.750" in fig.axes[0].get_title()


def test_multiclass_softmax_model(tmp_path, check_png, rng):
    x = rng.standard_normal((30, 2)).astype("float32")
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    model = Sequential([Input((2,)), layers.Dense(3, activation="softmax")])
    fig = baro.plot.decision_boundary(model, x, np.eye(3)[y], resolution=40,
                                      path=tmp_path / "three.png")
    check_png(tmp_path / "three.png")
    assert len(fig.axes) == 1  # discrete regions: no colour bar
    guess = np.argmax(model.predict(x, verbose=0), axis=1)
    assert f"accuracy {np.mean(guess == y):.3f}" in fig.axes[0].get_title()


def test_only_two_features():
    with pytest.raises(ValueError, match=r"shape \(N, 2\); received \(4, 3\)"):
        baro.plot.decision_boundary(xor_probability, np.zeros((4, 3)), XOR_Y)
    with pytest.raises(ValueError, match="resolution"):
        baro.plot.decision_boundary(xor_probability, XOR_X, XOR_Y, resolution=1)
    with pytest.raises(ValueError, match="4 points but 3 labels"):
        baro.plot.decision_boundary(xor_probability, XOR_X, [0, 1, 1])
