"""UnitNormalization: unit L2 norm over the axes, zero rows stay zero."""

import numpy as np
import pytest

from baro.layers.normalization.unit_normalization import UnitNormalization
from baro.testing import assert_allclose, run_layer_test


@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_harness_and_numpy_reference(rng, axis):
    run_layer_test(UnitNormalization, {"axis": axis}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_params=0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    axes = tuple(axis) if isinstance(axis, list) else axis
    ref = x / np.sqrt((x**2).sum(axis=axes, keepdims=True))
    y = UnitNormalization(axis=axis)(x)
    assert_allclose(y, ref, rtol=1e-5)
    norms = (y.numpy() ** 2).sum(axis=axes)
    assert_allclose(norms, np.ones_like(norms), rtol=1e-5)


def test_zero_rows_stay_zero_and_finite():
    from baro.testing import analytic_grad

    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert_allclose(UnitNormalization()(x), [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)
    grad = analytic_grad(lambda t: UnitNormalization(dtype="float64")(t), x)
    assert np.isfinite(grad).all()


def test_bad_axis():
    with pytest.raises(TypeError, match="axis must be an int"):
        UnitNormalization(axis=1.5)
