"""Image ops (`keras.ops.image` names): resize and affine (projective) warps.

Images are channels_last, `(N, H, W, C)` or one image `(H, W, C)`;
`data_format="channels_first"` moves the channel axis on the way in and out.
Coordinates follow Keras, TF and OpenCV: pixel (x, y) = (column, row) has its
centre at integer coordinates, (0, 0) is the top-left pixel's centre.

Both resamplers are linear in the image, so each is one Function: a fixed list
of (source pixel, weight) taps per output pixel, gathered in forward and
scattered back in backward. Gradients flow to the images, not to the
transform parameters (as in Keras).

The code lives in `image_resize.py` (resize), `image_affine.py` (warps and the
transform builders) and `image_common.py` (checks and layout helpers they
share); this module is the public entry point and re-exports them.
"""

from baro.ops.image_affine import (
    FILL_MODES,
    AffineTransform,
    affine_transform,
    rotation_transforms,
    translation_transforms,
    zoom_transforms,
)
from baro.ops.image_common import (
    INTERPOLATIONS,
    batch_and_size,
    check_option,
    factor_range,
)
from baro.ops.image_resize import Resize, resize

__all__ = [
    "FILL_MODES",
    "INTERPOLATIONS",
    "AffineTransform",
    "Resize",
    "affine_transform",
    "batch_and_size",
    "check_option",
    "factor_range",
    "resize",
    "rotation_transforms",
    "translation_transforms",
    "zoom_transforms",
]
