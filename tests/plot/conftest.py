"""Shared checks for the pictures: a real PNG that is not blank."""

import numpy as np
import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def check_png():
    """Asserts `path` is a non-empty, non-blank PNG; returns its pixels."""

    def check(path):
        image = pytest.importorskip("matplotlib.image", exc_type=ImportError)
        data = path.read_bytes()
        assert data[:8] == PNG_SIGNATURE
        pixels = image.imread(path)
        assert pixels.ndim == 3 and min(pixels.shape[:2]) > 50
        assert np.var(pixels[..., :3]) > 1e-3, "the picture is blank"
        return pixels

    return check
