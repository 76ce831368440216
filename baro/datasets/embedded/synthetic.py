"""Toy datasets drawn on demand: XOR, a noisy sine, two moons, spirals, blobs.

Every generator is seeded (`seed=0` by default), so a call returns the same
arrays every time; `seed=None` draws the seed from NumPy's global generator,
which `baro.utils.set_random_seed` seeds. Inputs are float32; class labels are
int32 class indices, except XOR's, which is the float32 target column a
`Dense(1, activation="sigmoid")` model is trained on.
"""

from __future__ import annotations

import numpy as np


def _rng(seed) -> np.random.Generator:
    if seed is None:
        # Follows baro.utils.set_random_seed, which seeds NumPy's global state.
        seed = int(np.random.randint(2**31 - 1))
    return np.random.default_rng(seed)


def _check_count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, received "
                         f"{value!r}.")
    return int(value)


def _check_noise(noise) -> float:
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, received {noise!r}.")
    return float(noise)


def make_xor(n: int | None = None, noise: float = 0.0, seed: int | None = 0):
    """The XOR truth table: the classic problem a linear model cannot solve.

    Args:
        n: None (default) for the four corners (0, 0), (0, 1), (1, 0), (1, 1)
            in that order; an integer for that many corners drawn at random.
        noise: Standard deviation of Gaussian noise added to the inputs.
        seed: Seed of the draw (corners and noise).

    Returns:
        `(x, y)`: x float32 of shape (n, 2), y float32 of shape (n, 1) holding
        `x0 XOR x1` of the noise-free corner (0.0 or 1.0).

    Raises:
        ValueError: For n < 1 or negative noise.

    Example:
        >>> from baro.datasets.embedded import make_xor
        >>> x, y = make_xor()
        >>> x.tolist(), y[:, 0].tolist()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
        >>> make_xor(100, noise=0.1)[0].shape
        (100, 2)
    """
    noise = _check_noise(noise)
    rng = _rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    if n is None:
        pick = np.arange(4)
    else:
        pick = rng.integers(0, 4, size=_check_count("make_xor: n", n))
    x = corners[pick]
    y = (x[:, 0] != x[:, 1]).astype(np.float32)[:, None]
    if noise:
        x = x + rng.normal(0.0, noise, size=x.shape)
    return x.astype(np.float32), y


def make_sine(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Samples of sin(x) on one period, with Gaussian noise on y.

    Args:
        n: Number of samples, evenly spaced over [0, 2 pi].
        noise: Standard deviation of the noise added to sin(x).
        seed: Seed of the noise.

    Returns:
        `(x, y)`: float32 arrays of shape (n, 1), x in increasing order.

    Raises:
        ValueError: For n < 2 or negative noise.

    Example:
        >>> from baro.datasets.embedded import make_sine
        >>> x, y = make_sine(50, noise=0.0)
        >>> x.shape, float(abs(y - np.sin(x)).max()) < 1e-6
        ((50, 1), True)
    """
    n = _check_count("make_sine: n", n, minimum=2)
    noise = _check_noise(noise)
    x = np.linspace(0.0, 2.0 * np.pi, n)
    y = np.sin(x) + _rng(seed).normal(0.0, noise, size=n)
    return x[:, None].astype(np.float32), y[:, None].astype(np.float32)


def make_moons(n: int = 200, noise: float = 0.1, seed: int | None = 0):
    """Two interleaving half circles, the classic non-linear 2-D problem.

    Class 0 is the upper half circle of radius 1 around (0, 0), class 1 the
    lower one around (1, 0.5) (scikit-learn's layout); points are shuffled.

    Args:
        n: Number of points (class 0 gets n // 2, class 1 the rest).
        noise: Standard deviation of Gaussian noise added to the points.
        seed: Seed of the noise and the shuffle.

    Returns:
        `(x, y)`: x float32 of shape (n, 2), y int32 of shape (n,) in {0, 1}.

    Raises:
        ValueError: For n < 2 or negative noise.

    Example:
        >>> from baro.datasets.embedded import make_moons
        >>> x, y = make_moons(100)
        >>> x.shape, y.dtype, int(y.sum())
        ((100, 2), dtype('int32'), 50)
    """
    n = _check_count("make_moons: n", n, minimum=2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    n_upper = n // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n - n_upper)
    x = np.concatenate([
        np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
        np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)])
    y = np.concatenate([np.zeros(n_upper), np.ones(n - n_upper)]).astype(np.int32)
    if noise:
        x = x + rng.normal(0.0, noise, size=x.shape)
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order]


def make_spirals(n: int = 200, noise: float = 0.2, classes: int = 2,
                 seed: int | None = 0):
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Arm k starts at the angle 2 pi k / classes and turns 1.5 times while its
    radius grows from 0 to 1; the noise perturbs the angle, in radians.

    Args:
        n: Total number of points, shared as evenly as possible by the arms.
        noise: Standard deviation of Gaussian noise on each point's angle.
        classes: Number of arms (classes), at least 2.
        seed: Seed of the noise and the shuffle.

    Returns:
        `(x, y)`: x float32 of shape (n, 2) inside the unit disc (up to
        noise), y int32 of shape (n,) in 0 .. classes - 1.

    Raises:
        ValueError: For n < classes, classes < 2 or negative noise.

    Example:
        >>> from baro.datasets.embedded import make_spirals
        >>> x, y = make_spirals(300, classes=3)
        >>> x.shape, np.bincount(y).tolist()
        ((300, 2), [100, 100, 100])
    """
    classes = _check_count("make_spirals: classes", classes, minimum=2)
    n = _check_count("make_spirals: n", n, minimum=classes)
    noise = _check_noise(noise)
    rng = _rng(seed)
    counts = [n // classes + (k < n % classes) for k in range(classes)]
    points, labels = [], []
    for k, count in enumerate(counts):
        radius = np.linspace(0.0, 1.0, count)
        angle = 2.0 * np.pi * (k / classes + 1.5 * radius)
        angle = angle + rng.normal(0.0, noise, size=count)
        points.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1))
        labels.append(np.full(count, k, dtype=np.int32))
    order = rng.permutation(n)
    return np.concatenate(points)[order].astype(np.float32), \
        np.concatenate(labels)[order]


def make_blobs(n: int = 200, centers=3, cluster_std: float = 1.0,
               seed: int | None = 0):
    """Gaussian clusters around given or random centres.

    Args:
        n: Total number of points, shared as evenly as possible by the blobs.
        centers: An integer (that many centres drawn uniformly in the box
            [-10, 10]^2) or an array of shape (k, d) of centres.
        cluster_std: Standard deviation of each blob.
        seed: Seed of the centres, the points and the shuffle.

    Returns:
        `(x, y)`: x float32 of shape (n, d) (d = 2 for integer centres), y
        int32 of shape (n,), the index of each point's centre.

    Raises:
        ValueError: For n smaller than the number of centres, bad centres or a
            negative standard deviation.

    Example:
        >>> from baro.datasets.embedded import make_blobs
        >>> x, y = make_blobs(90, centers=[[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]])
        >>> x.shape, np.bincount(y).tolist()
        ((90, 2), [30, 30, 30])
    """
    rng = _rng(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        means = rng.uniform(-10.0, 10.0, size=(_check_count(
            "make_blobs: centers", centers), 2))
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or len(means) < 1:
            raise ValueError(
                "make_blobs: centers must be an integer or an array of shape "
                f"(k, d), received shape {means.shape}.")
    k = len(means)
    n = _check_count("make_blobs: n", n, minimum=k)
    std = _check_noise(cluster_std)
    counts = [n // k + (i < n % k) for i in range(k)]
    y = np.repeat(np.arange(k, dtype=np.int32), counts)
    x = means[y] + rng.normal(0.0, std, size=(n, means.shape[1]))
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order]
