"""Raw-array special functions NumPy lacks (erf), accurate to float64 rounding."""

from __future__ import annotations

import math

import numpy as np

from baro.backend.arrays import get_array_module

# Taylor series of erf around 0: erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) /
# (n! (2n+1)). 40 terms reach float64 rounding for |x| <= 2.5, where the largest
# term is ~16, so cancellation costs under two digits.
_SERIES = [(-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(40)]
_SERIES_LIMIT = 2.5


def erf(x):
    """Elementwise error function of a float array.

    |x| <= 2.5 uses the Taylor series; beyond, erfc(|x|) comes from its continued
    fraction (evaluated bottom-up over 60 levels, converged for |x| > 2.5).
    """
    xp = get_array_module(x)
    work = x.astype(np.float64)
    ax = xp.abs(work)
    small = ax <= _SERIES_LIMIT
    result = xp.empty_like(work)
    if small.any():
        s = work[small]
        s2 = s * s
        acc = xp.full_like(s, _SERIES[-1])
        for c in reversed(_SERIES[:-1]):
            acc = acc * s2 + c
        result[small] = (2.0 / math.sqrt(math.pi)) * s * acc
    large = ~small
    if large.any():
        a = ax[large]
        # erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))).
        frac = a.copy()
        for k in range(60, 0, -1):
            frac = a + (k / 2.0) / frac
        erfc = xp.exp(-a * a) / (math.sqrt(math.pi) * frac)
        result[large] = xp.sign(work[large]) * (1.0 - erfc)
    return result.astype(x.dtype, copy=False)
