"""Level 0: helpers that know nothing of tensors: seeding, naming, progress bar,
downloads, batches of data, one-hot labels, splitting, padding, images, text."""

from baro.utils.data_utils import split_dataset, train_test_split
from baro.utils.dataset import PyDataset, Sequence
from baro.utils.file_utils import get_file
from baro.utils.image_utils import (
    array_to_img,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    save_img,
)
from baro.utils.numerical_utils import normalize, to_categorical
from baro.utils.progbar import Progbar
from baro.utils.seeding import get_random_seed, set_random_seed
from baro.utils.sequence_utils import pad_sequences, timeseries_dataset_from_array
from baro.utils.text import Tokenizer, text_to_word_sequence

__all__ = [
    "Progbar", "PyDataset", "Sequence", "Tokenizer", "array_to_img", "get_file",
    "get_random_seed", "image_dataset_from_directory", "img_to_array", "load_img",
    "normalize", "pad_sequences", "save_img", "set_random_seed", "split_dataset",
    "text_to_word_sequence", "timeseries_dataset_from_array", "to_categorical",
    "train_test_split",
]
