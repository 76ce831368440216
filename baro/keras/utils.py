"""`keras.utils`."""

from baro.utils import (
    Progbar,
    PyDataset,
    Sequence,
    array_to_img,
    get_file,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    normalize,
    pad_sequences,
    save_img,
    set_random_seed,
    split_dataset,
    timeseries_dataset_from_array,
    to_categorical,
)


def plot_model(model, to_file: str = "model.png", **kwargs):
    """Draws the layer graph to `to_file` (matplotlib, no Graphviz needed)."""
    from baro.plot import model as draw

    return draw(model, path=to_file)


__all__ = [
    "Progbar", "PyDataset", "Sequence", "array_to_img", "get_file",
    "image_dataset_from_directory", "img_to_array", "load_img", "normalize",
    "pad_sequences", "plot_model", "save_img", "set_random_seed", "split_dataset",
    "timeseries_dataset_from_array", "to_categorical",
]
