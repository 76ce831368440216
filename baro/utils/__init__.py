"""Level 0: helpers that know nothing of tensors (seeding, naming, progress bar,
datasets of batches, one-hot labels, summary tables)."""

from baro.utils.dataset import PyDataset, Sequence
from baro.utils.numerical_utils import normalize, to_categorical
from baro.utils.progbar import Progbar
from baro.utils.seeding import get_random_seed, set_random_seed

__all__ = ["Progbar", "PyDataset", "Sequence", "get_random_seed", "normalize",
           "set_random_seed", "to_categorical"]
