"""Monthly mean temperatures: twelve numbers for a first regression.

The values (degrees Celsius, January to December) are those of the TensorFlow
book's polynomial-fit exercise: fit a curve through them, first a straight
line (which cannot), then a polynomial in the month (which can). Twelve
numbers are facts, not a work under copyright; they ship with baro so that the
exercise runs offline.
"""

from __future__ import annotations

import numpy as np

TEMPERATURES = (5.2, 5.7, 8.6, 14.9, 18.2, 20.4, 25.5, 26.4, 22.8, 17.5, 11.1, 6.6)


def load_temperatures() -> tuple[np.ndarray, np.ndarray]:
    """The months 1..12 and their mean temperatures.

    Returns:
        `(months, temperatures)`: two float32 arrays of shape (12,), the
        months 1.0 .. 12.0 and the mean temperature of each in degrees
        Celsius (5.2, 5.7, 8.6, 14.9, 18.2, 20.4, 25.5, 26.4, 22.8, 17.5,
        11.1, 6.6).

    Example:
        >>> from baro.datasets.embedded import load_temperatures
        >>> months, temps = load_temperatures()
        >>> months.shape, months[:3].tolist(), temps.dtype
        ((12,), [1.0, 2.0, 3.0], dtype('float32'))
        >>> round(float(temps.max()), 1)
        26.4
    """
    months = np.arange(1, 13, dtype=np.float32)
    return months, np.array(TEMPERATURES, dtype=np.float32)


def polynomial_features(x, degree: int = 4) -> np.ndarray:
    """The powers x, x^2, ..., x^degree as columns: a linear model on them is a
    polynomial fit.

    Powers of the raw month grow fast (12^4 = 20736), so scale x first, e.g.
    `(months - 6.5) / 5.5`, to keep every column near [-1, 1] and gradient
    descent well conditioned.

    Args:
        x: Values of shape (n,) or (n, 1).
        degree: The highest power (default 4: the course's x..x^4 features).

    Returns:
        float32 array of shape (n, degree); column k holds x^(k+1).

    Raises:
        ValueError: If `degree` < 1 or x is not one value per sample.

    Example:
        >>> from baro.datasets.embedded import polynomial_features
        >>> polynomial_features([1.0, 2.0], degree=3).tolist()
        [[1.0, 1.0, 1.0], [2.0, 4.0, 8.0]]
    """
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) \
            or degree < 1:
        raise ValueError(
            f"polynomial_features: degree must be an integer >= 1, received "
            f"{degree!r}.")
    values = np.asarray(x, dtype=np.float64)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"polynomial_features expects x of shape (n,) or (n, 1), received "
            f"shape {values.shape}.")
    powers = np.arange(1, int(degree) + 1)
    return (values[:, None] ** powers).astype(np.float32)
