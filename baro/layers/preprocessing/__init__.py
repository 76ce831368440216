"""Preprocessing layers: value scaling (Rescaling, Normalization), image
resizing and cropping (Resizing, CenterCrop) and random augmentation
(RandomFlip, RandomRotation, RandomTranslation, RandomZoom, RandomContrast).

The random layers transform their inputs only when called with
`training=True` (as `fit` does) and pass them through otherwise; each draws
from its own `SeedGenerator`, so `seed=` makes a run reproducible.
"""
