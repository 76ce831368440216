"""PyDataset: the base class for data that arrives batch by batch (Keras's
`keras.utils.PyDataset`, formerly `Sequence`)."""

from __future__ import annotations


class PyDataset:
    """Subclass it with `__len__` (number of batches) and `__getitem__(index)`
    returning one batch `(x, y)` or `(x, y, sample_weight)`; `fit` calls
    `on_epoch_end` after every epoch (shuffle your index there).

    The `workers`/`use_multiprocessing`/`max_queue_size` arguments are accepted
    for compatibility; baro loads batches in the training thread.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_end(self) -> None:
        """Called by fit after each epoch."""


Sequence = PyDataset
