"""Monthly temperatures and the polynomial features of the curve-fit exercise."""

import numpy as np
import pytest

from baro.datasets.embedded import load_temperatures, polynomial_features


def test_values_and_dtypes():
    months, temps = load_temperatures()
    assert months.dtype == np.float32 and temps.dtype == np.float32
    assert months.tolist() == list(range(1, 13))
    np.testing.assert_allclose(
        temps, [5.2, 5.7, 8.6, 14.9, 18.2, 20.4, 25.5, 26.4, 22.8, 17.5, 11.1, 6.6],
        rtol=1e-6)


def test_polynomial_features_are_powers():
    x = np.array([[2.0], [-1.0], [0.5]])
    features = polynomial_features(x, degree=4)
    assert features.shape == (3, 4) and features.dtype == np.float32
    np.testing.assert_allclose(features[0], [2, 4, 8, 16])
    np.testing.assert_allclose(features[1], [-1, 1, -1, 1])
    np.testing.assert_allclose(features[2], [0.5, 0.25, 0.125, 0.0625])


def test_a_quartic_fits_the_year_and_a_line_does_not():
    months, temps = load_temperatures()
    scaled = (months - 6.5) / 5.5

    def rmse(features):
        design = np.hstack([np.ones((12, 1)), features]).astype(np.float64)
        coef, *_ = np.linalg.lstsq(design, temps, rcond=None)
        return float(np.sqrt(np.mean((design @ coef - temps) ** 2)))

    assert rmse(polynomial_features(scaled, 1)) > 5.0
    assert rmse(polynomial_features(scaled, 4)) < 1.5


@pytest.mark.parametrize("degree", [0, -1, 2.0, True])
def test_bad_degree_is_refused(degree):
    with pytest.raises(ValueError, match="degree"):
        polynomial_features([1.0], degree=degree)


def test_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(n,\) or \(n, 1\)"):
        polynomial_features(np.ones((3, 2)))
