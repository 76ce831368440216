"""`keras.utils`."""

from baro.utils import set_random_seed
from baro.utils.dataset import PyDataset, Sequence
from baro.utils.numerical_utils import normalize, to_categorical

__all__ = ["PyDataset", "Sequence", "normalize", "set_random_seed", "to_categorical"]
