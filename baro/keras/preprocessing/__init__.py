"""`keras.preprocessing` (tf.keras / Keras 2): `image` (ImageDataGenerator,
load_img, ...), `sequence` (pad_sequences, TimeseriesGenerator, skipgrams) and
`text` (Tokenizer, one_hot, ...), for code that imports them from here.

Keras 3 moved these to `keras.utils` and preprocessing layers; the functions
behave as in Keras 2.
"""

from baro.keras.preprocessing import image, sequence, text

__all__ = ["image", "sequence", "text"]
