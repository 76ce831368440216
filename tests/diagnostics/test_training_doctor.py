"""TrainingDoctor: each condition provoked for real in a small seeded fit, and
a healthy model that gets no findings."""

import warnings

import numpy as np
import pytest

import baro
import baro.diagnostics  # noqa: F401 - registers the examination
from baro.callbacks import TrainingDoctor, training_doctor
from baro.keras import Input, Sequential, initializers, layers, optimizers
from baro.training.trainer import NaNLossWarning


def blobs(n=256, features=20, classes=3, seed=0):
    """Standardized features, labels from a random linear rule (learnable)."""
    rng = np.random.default_rng(seed)
    rule = rng.normal(size=(features, classes))
    x = rng.normal(size=(n, features)).astype("float32")
    return x, np.argmax(x @ rule, axis=1)


def mlp(depth=2, activation="relu", init="he_normal", units=32, features=20,
        optimizer="adam", loss="sparse_categorical_crossentropy", first=None):
    stack = [Input((features,))] + ([first] if first is not None else [])
    stack += [layers.Dense(units, activation, kernel_initializer=init)
              for _ in range(depth)]
    model = Sequential(stack + [layers.Dense(3, "softmax")])
    model.compile(optimizer, loss)
    return model


def diagnose(model, x, y, epochs=3, batch_size=32, patience=5, **fit_kwargs):
    """fit with a doctor; returns {code: Finding}."""
    doctor = TrainingDoctor(verbose=0, patience=patience)
    doctor.set_training_data(x, y)  # what fit does for wants_training_data
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
              callbacks=[doctor], **fit_kwargs)
    return {f.code: f for f in doctor.findings}


def test_a_healthy_model_gets_no_findings():
    x, y = blobs(384)
    found = diagnose(mlp(), x[:256], y[:256], epochs=10,
                     validation_data=(x[256:], y[256:]))
    assert found == {}


def test_ten_sigmoid_layers_have_vanishing_gradients():
    x, y = blobs()
    found = diagnose(mlp(10, "sigmoid", "glorot_uniform"), x, y, epochs=1)
    assert list(found) == ["vanishing_gradients"]
    finding = found["vanishing_gradients"]
    assert finding.epoch is None  # seen before the first step
    assert finding.data["ratio"] < 1e-4
    assert "ReLU" in finding.message and "he_normal" in finding.message


def test_sgd_with_learning_rate_10_diverges():
    x, y = blobs()
    found = diagnose(mlp(optimizer=optimizers.SGD(10.0)), x, y, epochs=3)
    assert "learning_rate_too_high" in found
    assert "rose from" in found["learning_rate_too_high"].message


def test_sgd_with_learning_rate_10_on_a_regression_explodes_to_nan():
    x, _ = blobs()
    y = x @ np.random.default_rng(1).normal(size=(20, 1)).astype("float32")
    model = Sequential([Input((20,)), layers.Dense(32, "relu"), layers.Dense(1)])
    model.compile(optimizers.SGD(10.0), "mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # fit's own float32 overflow too
        found = diagnose(model, x, y, epochs=3)
    assert NaNLossWarning in {w.category for w in caught}
    assert found["exploding_gradients"].severity == "error"
    assert found["learning_rate_too_high"].severity == "error"
    assert found["learning_rate_too_high"].epoch == 0


def test_a_large_negative_bias_kills_the_relus():
    x, y = blobs()
    dead = layers.Dense(32, "relu", bias_initializer=initializers.Constant(-10.0),
                        name="biased")
    found = diagnose(mlp(1, first=dead), x, y, epochs=2)
    assert list(found) == ["dead_relus"]
    assert next(iter(found["dead_relus"].data["layers"].items())) == ("biased", 1.0)
    assert "LeakyReLU" in found["dead_relus"].message


def test_a_tiny_dataset_trained_long_overfits():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 20)).astype("float32")
    y = rng.integers(0, 3, 32)  # nothing to learn but the samples themselves
    found = diagnose(mlp(units=64, optimizer=optimizers.Adam(0.01)), x[:16], y[:16],
                     epochs=40, batch_size=16, patience=3,
                     validation_data=(x[16:], y[16:]))
    assert list(found) == ["overfitting"]
    assert "Dropout" in found["overfitting"].message
    assert found["overfitting"].data["val_loss"] > \
        found["overfitting"].data["best_val_loss"]


def test_a_linear_model_on_circles_underfits():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(256, 2)).astype("float32")
    y = (np.linalg.norm(x, axis=1) > 1.18).astype("float32")
    model = Sequential([Input((2,)), layers.Dense(1, "sigmoid")])
    model.compile(optimizers.Adam(0.05), "binary_crossentropy")
    found = diagnose(model, x, y, epochs=12, patience=4)
    assert list(found) == ["underfitting"]


def test_a_tiny_learning_rate_leaves_the_loss_flat():
    x, y = blobs()
    found = diagnose(mlp(optimizer=optimizers.SGD(1e-6)), x, y, epochs=4,
                     patience=3)
    assert list(found) == ["learning_rate_too_low"]
    assert "(1e-06)" in found["learning_rate_too_low"].message


def test_raw_pixels_are_unscaled_unless_the_model_rescales_them():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(256, 20)).astype("uint8")  # raw pixels
    y = np.argmax(x @ rng.normal(size=(20, 3)), axis=1)
    found = diagnose(mlp(), x, y, epochs=1)
    assert found["unscaled_inputs"].data["input_scale"] > 200
    assert "255" in found["unscaled_inputs"].message
    rescaled = mlp(first=layers.Rescaling(1 / 255))
    assert "unscaled_inputs" not in diagnose(rescaled, x, y, epochs=1)


def test_binary_labels_1_and_2_are_out_of_range():
    x, y = blobs()
    model = Sequential([Input((20,)), layers.Dense(1, "sigmoid")])
    model.compile("adam", "binary_crossentropy")
    found = diagnose(model, x, (y % 2 + 1).astype("float32"), epochs=1)
    assert found["labels_out_of_range"].data == {
        "loss": "binary_crossentropy", "min": 1.0, "max": 2.0}


@pytest.mark.parametrize("loss, labels, code", [
    ("sparse_categorical_crossentropy", "one_hot", "label_format_mismatch"),
    ("categorical_crossentropy", "ids", "label_format_mismatch"),
    ("sparse_categorical_crossentropy", "ids_plus_one", "labels_out_of_range"),
])
def test_label_problems_are_named_before_the_loss_fails(loss, labels, code):
    x, y = blobs(64)
    y = {"one_hot": np.eye(3)[y], "ids": y, "ids_plus_one": y + 1}[labels]
    doctor = TrainingDoctor(verbose=0)
    doctor.set_training_data(x, y)
    with pytest.raises(ValueError):  # the loss's own error still stops fit
        mlp(1, loss=loss).fit(x, y, verbose=0, callbacks=[doctor])
    assert [f.code for f in doctor.findings] == [code]


def test_regression_targets_beyond_a_sigmoid_output():
    x, _ = blobs()
    model = Sequential([Input((20,)), layers.Dense(8, "relu"),
                        layers.Dense(1, "sigmoid")])
    model.compile("adam", "mse")
    found = diagnose(model, x, x[:, :1] * 50 + 100, epochs=1)
    assert "sigmoid only produces values in [0, 1]" in \
        found["labels_out_of_range"].message


def test_a_rare_class_never_predicted():
    x, _ = blobs()
    rng = np.random.default_rng(4)
    y = np.where(rng.random(256) < 0.9, 0, rng.integers(1, 3, 256))
    found = diagnose(mlp(1, optimizer=optimizers.SGD(0.01)), x * 0.01, y, epochs=2)
    assert list(found) == ["class_never_predicted"]
    assert found["class_never_predicted"].data["classes"] == [1, 2]


def test_findings_print_once_and_reset_per_fit(capsys):
    x, y = blobs()
    model = mlp(10, "sigmoid", "glorot_uniform")
    doctor = TrainingDoctor(probe_every=2)
    for _ in range(2):
        doctor.set_training_data(x, y)
        model.fit(x, y, epochs=4, verbose=0, callbacks=[doctor])
        assert [f.code for f in doctor.findings] == ["vanishing_gradients"]
    printed = capsys.readouterr().out
    assert printed.count("TrainingDoctor [warning] vanishing_gradients") == 2
    # Probes before training, after epochs 2 and 4; the end reuses the last.
    assert [e for e, _ in doctor.examination.reports] == [None, 1, 3]
    assert "vanishing_gradients" in doctor.summary()


def test_without_array_data_the_loss_trends_are_still_watched():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(32, 20)).astype("float32"), rng.integers(0, 3, 32)
    doctor = TrainingDoctor(verbose=0, patience=3)
    batches = baro.data.Dataset.from_tensor_slices((x[:16], y[:16])).batch(16)
    doctor.set_training_data(batches)  # nothing to sample from a dataset
    mlp(units=64, optimizer=optimizers.Adam(0.01)).fit(
        batches, epochs=40, verbose=0, callbacks=[doctor],
        validation_data=(x[16:], y[16:]))
    assert [f.code for f in doctor.findings] == ["overfitting"]
    assert doctor.examination.reports == []


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="probe_every to be a positive integer"):
        TrainingDoctor(probe_every=0)
    with pytest.raises(ValueError, match="sample_size"):
        TrainingDoctor(sample_size=2.5)


def test_the_examination_is_provided_from_above(monkeypatch):
    registry = dict(training_doctor._EXAMINATION)
    monkeypatch.setattr(training_doctor, "_EXAMINATION",
                        {"factory": None, "provider": None})
    with pytest.raises(RuntimeError, match="import baro.diagnostics"):
        training_doctor._examination_factory()
    calls = []
    training_doctor.register_provider(
        lambda: calls.append(training_doctor.register_examination(
            registry["factory"])))
    assert training_doctor._examination_factory() is registry["factory"]
    assert training_doctor._examination_factory() is registry["factory"]
    assert len(calls) == 1


def test_probes_do_not_change_training():
    x, y = blobs()
    weights = []
    for callbacks in ([], [TrainingDoctor(verbose=0)]):
        baro.utils.set_random_seed(7)
        model = Sequential([Input((20,)), layers.Dense(16, "relu"),
                            layers.Dropout(0.3), layers.Dense(3, "softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        for callback in callbacks:
            callback.set_training_data(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(x, y, epochs=2, verbose=0, callbacks=callbacks)
        weights.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*weights, strict=True))


def test_epochs_are_counted_from_initial_epoch():
    x, y = blobs(64)
    doctor = TrainingDoctor(verbose=0)
    doctor.set_training_data(x, y)
    mlp(1).fit(x, y, epochs=3, initial_epoch=1, verbose=0, callbacks=[doctor])
    assert [e for e, _ in doctor.examination.reports] == [None, 1, 2]
