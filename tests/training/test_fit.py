"""compile / fit / evaluate / predict, the *_on_batch calls and their errors."""

import numpy as np
import pytest

import baro
from baro.keras import Input, Model, Sequential, callbacks, layers, losses, metrics
from baro.keras.optimizers import SGD, Adam
from baro.testing import assert_allclose
from baro.training import NaNLossWarning

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([[0], [1], [1], [0]], np.float32)


def classification_data(n=200, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype(np.float32)
    w = rng.standard_normal((features, classes))
    y = (x @ w).argmax(axis=1)
    return x, y


def test_sequential_learns_xor_4_of_4():
    baro.utils.set_random_seed(0)
    model = Sequential([layers.Dense(8, activation="relu"),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, epochs=300, batch_size=4, verbose=0)
    predictions = (model.predict(XOR_X, verbose=0) > 0.5).astype(int)
    assert predictions.ravel().tolist() == [0, 1, 1, 0]
    assert history.history["accuracy"][-1] == 1.0
    assert history.epoch == list(range(300))


def test_history_has_loss_metrics_and_validation_keys():
    x, y = classification_data()
    model = Sequential([layers.Dense(8, activation="relu"), layers.Dense(3)])
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.metrics_names == ["loss", "accuracy"]


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x, y = classification_data(n=100)
    model = Sequential([layers.Dense(3, input_dim=4)])
    model.compile(SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    expected = model.evaluate(x[80:], y[80:], verbose=0)
    assert_allclose(history.history["val_loss"][0], expected, rtol=1e-6)


def test_evaluate_returns_scalar_list_or_dict():
    x, y = classification_data()
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model.compile("sgd", "sparse_categorical_crossentropy",
                  metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    loss, acc, top_k = model.evaluate(x, y, verbose=0)
    probs = model.predict(x, verbose=0)
    nll = -np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean()
    assert_allclose(loss, nll, rtol=1e-5)
    assert_allclose(acc, (probs.argmax(1) == y).mean(), rtol=1e-6)
    assert top_k == 1.0  # k=5 > 3 classes
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == model.metrics_names


def test_accuracy_resolves_by_label_and_prediction_shapes():
    x, y = classification_data()
    onehot = np.eye(3, dtype=np.float32)[y]
    for labels, loss, name in [(y, "sparse_categorical_crossentropy", "sparse"),
                               (onehot, "categorical_crossentropy", "categorical")]:
        model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
        model.compile("adam", loss, metrics=["acc"])
        _, acc = model.evaluate(x, labels, verbose=0)
        expected = (model.predict(x, verbose=0).argmax(1) == y).mean()
        assert_allclose(acc, expected, rtol=1e-6, err_msg=name)
    binary = Sequential([layers.Dense(1, input_dim=4, activation="sigmoid")])
    binary.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    labels = (y > 0).astype(np.float32)
    _, acc = binary.evaluate(x, labels, verbose=0)
    expected = ((binary.predict(x, verbose=0)[:, 0] > 0.5) == labels).mean()
    assert_allclose(acc, expected, rtol=1e-6)


def test_compile_with_functions_like_course_code():
    x, y = classification_data()
    onehot = baro.keras.utils.to_categorical(y)
    inp = Input(shape=(4,))
    hidden = layers.Dense(16, activation="relu")(inp)
    out = layers.Dense(3, activation="softmax")(hidden)
    model = Model(inputs=[inp], outputs=[out])
    model.compile(loss=losses.categorical_crossentropy,
                  optimizer=Adam(learning_rate=0.01),
                  metrics=[metrics.categorical_accuracy])
    history = model.fit(x, onehot, validation_split=0.2, epochs=5, batch_size=32,
                        verbose=0)
    assert "categorical_accuracy" in history.history
    assert "val_categorical_accuracy" in history.history


def test_functional_two_input_model_trains():
    rng = np.random.default_rng(1)
    xa = rng.standard_normal((128, 3)).astype(np.float32)
    xb = rng.standard_normal((128, 2)).astype(np.float32)
    target = (xa[:, :1] - 2 * xb[:, 1:]).astype(np.float32)
    a = Input(shape=(3,), name="a")
    b = Input(shape=(2,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    model = Model([a, b], out)
    model.compile(Adam(0.05), "mse")
    history = model.fit({"a": xa, "b": xb}, target, epochs=40, batch_size=32,
                        verbose=0)
    assert history.history["loss"][-1] < 0.01


def test_multi_output_losses_and_loss_weights():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    inp = Input(shape=(3,))
    reg = layers.Dense(1, name="reg")(inp)
    cls = layers.Dense(2, activation="softmax", name="cls")(inp)
    model = Model(inp, [reg, cls])
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 2.0, "cls": 1.0}, metrics={"cls": ["accuracy"]})
    y_reg = x[:, :1]
    y_cls = (x[:, 1] > 0).astype(np.int64)
    logs = model.evaluate(x, [y_reg, y_cls], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "reg_loss", "cls_loss", "cls_accuracy"}
    assert_allclose(logs["loss"], 2 * logs["reg_loss"] + logs["cls_loss"], rtol=1e-5)
    outputs = model.predict(x, verbose=0)
    assert [o.shape for o in outputs] == [(64, 1), (64, 2)]


class Regressor(Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def test_subclassed_model_trains():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (256, 1)).astype(np.float32)
    y = np.sin(3 * x)
    model = Regressor()
    model.compile(Adam(0.02), "mse")
    history = model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.02


def test_early_stopping_restores_the_best_weights():
    x, y = classification_data()
    model = Sequential([layers.Dense(3, input_dim=4)])
    model.compile(SGD(0.5), losses.SparseCategoricalCrossentropy(from_logits=True))
    snapshots = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(
            (logs["val_loss"], model.get_weights())))
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                   restore_best_weights=True)
    # Validation labels disagree with training labels, so val_loss gets worse.
    model.fit(x[:150], y[:150], validation_data=(x[150:], (y[150:] + 1) % 3),
              epochs=30, verbose=0, callbacks=[record, stop])
    assert len(snapshots) < 30
    best_loss, best_weights = min(snapshots, key=lambda item: item[0])
    for got, want in zip(model.get_weights(), best_weights, strict=True):
        assert_allclose(got, want)


def test_same_seed_gives_bit_identical_runs():
    def run():
        baro.utils.set_random_seed(42)
        x, y = classification_data()
        model = Sequential([layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                            layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
        return history.history["loss"], model.get_weights()

    loss_a, weights_a = run()
    loss_b, weights_b = run()
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b, strict=True):
        assert np.array_equal(a, b)


def test_sample_weight_and_class_weight_enter_the_loss():
    x = np.array([[1.0], [2.0], [3.0]], np.float32)
    y = np.array([[0.0], [0.0], [0.0]], np.float32)
    model = Sequential([layers.Dense(1, input_dim=1, kernel_initializer="ones",
                                     use_bias=False)])
    model.compile(SGD(0.0), "mse")
    weighted = model.test_on_batch(x, y, sample_weight=np.array([1.0, 0.0, 2.0]))
    assert_allclose(weighted, (1 * 1 + 0 * 4 + 2 * 9) / 3, rtol=1e-6)
    labels = np.array([0, 1, 1])
    model2 = Sequential([layers.Dense(2, input_dim=1, kernel_initializer="zeros")])
    model2.compile(SGD(0.0), losses.SparseCategoricalCrossentropy(from_logits=True))
    loss = model2.train_on_batch(x, labels, class_weight={0: 3.0, 1: 0.0})
    assert_allclose(loss, 3.0 * np.log(2.0) / 3, rtol=1e-6)


def test_generators_and_pydatasets():
    x, y = classification_data(n=64)

    def generator():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]

    class Data(baro.keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

        def on_epoch_end(self):
            self.epochs_ended += 1

    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(generator(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    data = Data()
    model.fit(data, epochs=3, verbose=0)
    assert data.epochs_ended == 3
    assert model.predict(Data(), verbose=0).shape == (64, 3)


def test_single_batch_calls_and_initial_epoch_and_validation_freq():
    x, y = classification_data(n=32)
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, acc = model.train_on_batch(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1
    logs = model.test_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (32, 3)
    history = model.fit(x, y, epochs=5, initial_epoch=2, validation_data=(x, y),
                        validation_freq=2, verbose=0)
    assert history.epoch == [2, 3, 4]
    assert len(history.history["val_loss"]) == 1  # only epoch 4 (1-based) ran it


def test_callback_can_stop_training():
    x, y = classification_data(n=32)
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")

    def stop(epoch, logs):
        if epoch == 1:
            model.stop_training = True

    history = model.fit(x, y, epochs=10, verbose=0,
                        callbacks=[callbacks.LambdaCallback(on_epoch_end=stop)])
    assert history.epoch == [0, 1]


def test_bad_input_fails_before_training():
    x, y = classification_data()
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="cardinality.*x sizes: \\[200\\].*y sizes: "
                                         "\\[190\\]"):
        model.fit(x, y[:190], verbose=0)
    image_model = Sequential([layers.Dense(10, input_dim=784)])
    image_model.compile("adam", "mse")
    with pytest.raises(ValueError, match="784.*Flatten"):
        image_model.fit(np.ones((8, 28, 28)), np.ones((8, 10)), verbose=0)
    with pytest.raises(ValueError, match="Unknown optimizer.*adam"):
        model.compile("adamm", "mse")
    categorical = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    categorical.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        categorical.fit(x, y, verbose=0)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_nan_loss_stops_training_and_names_epoch_and_batch():
    x = np.ones((8, 1), np.float32)
    y = np.zeros((8, 1), np.float32)
    model = Sequential([layers.Dense(1, input_dim=1, kernel_initializer="ones")])
    model.compile(SGD(1e30), "mse")
    with pytest.warns(NaNLossWarning, match="epoch 1, batch [0-9]+"):
        history = model.fit(x, y, epochs=5, batch_size=2, verbose=0)
    assert len(history.epoch) == 1


def test_progress_bar_output(capsys):
    x, y = classification_data(n=64)
    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "loss:" in out and "accuracy:" in out
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_fit_on_a_generator_without_steps_runs_until_it_is_exhausted():
    x, y = classification_data(n=64)

    def batches():
        for i in range(0, 64, 16):
            yield x[i:i + 16], y[i:i + 16]

    model = Sequential([layers.Dense(3, input_dim=4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(batches(), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
