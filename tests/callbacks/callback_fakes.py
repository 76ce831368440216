"""A fake model with the duck-typed surface callbacks use, and a scripted fit loop.

A plain module (not a conftest.py): a second conftest would clash with
tests/conftest.py under --doctest-modules.

The fake's "training" adds 1 to every weight per batch, in place (like
`Variable.assign_add`), so weights tell exactly how many batches have run and
any callback that keeps references instead of copies is caught.
"""

import json

import numpy as np

from baro.callbacks import CallbackList


class FakeOptimizer:
    """Stores the learning rate as float32, as a baro optimizer Variable would."""

    def __init__(self, learning_rate=0.1):
        self._learning_rate = np.float32(learning_rate)

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = np.float32(value)


class FakeModel:
    def __init__(self, learning_rate=0.1):
        self.weights = [np.zeros((2, 2), "float32"), np.zeros(3, "float32")]
        self.optimizer = FakeOptimizer(learning_rate)
        self.stop_training = False
        self.history = None
        self._initial_epoch = 0
        self.metrics = []
        self.saved = []  # (kind, filepath) of every save call

    def train_batch(self):
        for w in self.weights:
            w += 1.0

    def get_weights(self):
        # Live arrays, not copies: callbacks must copy what they keep.
        return self.weights

    def set_weights(self, weights):
        for w, value in zip(self.weights, weights, strict=True):
            w[...] = value

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))
        with open(filepath, "w") as file:
            json.dump([w.tolist() for w in self.weights], file)

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))
        with open(filepath, "w") as file:
            json.dump({"model": [w.tolist() for w in self.weights]}, file)

    def load_weights(self, filepath):
        with open(filepath) as file:
            self.set_weights([np.array(w, "float32") for w in json.load(file)])


def read_weights(filepath):
    with open(filepath) as file:
        data = json.load(file)
    return [np.array(w) for w in (data["model"] if "model" in data else data)]


def run_fit(callbacks, model, epoch_logs, steps=2, batch_loss=None, verbose=0):
    """Drives callbacks like Keras 3's fit; epoch `e` ends with `epoch_logs[e]`.

    `batch_loss(epoch, batch)` gives each batch's logged loss (default 1.0).
    Returns the CallbackList (its History is `model.history`).
    """
    epochs = len(epoch_logs)
    callback_list = CallbackList(callbacks, add_history=True, model=model,
                                 verbose=verbose, epochs=epochs, steps=steps)
    model.stop_training = False
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(model._initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        for batch in range(steps):
            callback_list.on_train_batch_begin(batch)
            model.train_batch()
            loss = 1.0 if batch_loss is None else batch_loss(epoch, batch)
            callback_list.on_train_batch_end(batch, {"loss": loss})
            if model.stop_training:
                break
        logs = dict(epoch_logs[epoch])
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return callback_list
