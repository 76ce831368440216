"""Keras 2 `.h5` files, built with h5py from known arrays, against NumPy."""

import numpy as np
import pytest

import baro.keras as K
from baro.interop import load_keras2_h5, load_keras2_weights
from tests.interop import keras2_files as files
from tests.interop import keras_zoo as zoo

h5py = pytest.importorskip("h5py", exc_type=ImportError)


def _made(name, seed=0):
    return files.MAKERS[name](np.random.default_rng(seed))


@pytest.mark.parametrize("name", list(files.MAKERS))
def test_model_file_predicts_like_numpy(name, tmp_path):
    config, weights, reference = _made(name)
    files.write_model(tmp_path / "m.h5", config, weights)
    model = load_keras2_h5(tmp_path / "m.h5")
    got = zoo.as_list(model.predict(zoo.feed(name), verbose=0))
    want = zoo.as_list(reference(zoo.feed(name)))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_training_config_compiles_the_model(tmp_path):
    config, weights, _ = _made("mlp")
    files.write_model(tmp_path / "m.h5", config, weights, files.TRAINING_CONFIG)
    model = load_keras2_h5(tmp_path / "m.h5")
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    x = zoo.feed("mlp")
    history = model.fit(x, np.eye(3, dtype="float32")[[0, 1, 2]], epochs=1,
                        verbose=0).history
    assert set(history) == {"loss", "accuracy"}
    assert not load_keras2_h5(tmp_path / "m.h5", compile=False).compiled


def test_unknown_optimizer_warns_and_leaves_model_uncompiled(tmp_path):
    config, weights, _ = _made("mlp")
    training = {**files.TRAINING_CONFIG,
                "optimizer_config": {"class_name": "Shampoo", "config": {}}}
    files.write_model(tmp_path / "m.h5", config, weights, training)
    with pytest.warns(UserWarning, match="not compiled"):
        model = load_keras2_h5(tmp_path / "m.h5")
    assert not model.compiled


def _baro_mlp():
    return K.Sequential([
        K.Input((8,)), K.layers.Dense(16, activation="relu", name="dense"),
        K.layers.BatchNormalization(name="batch_normalization"),
        K.layers.Dropout(0.5, name="dropout"),
        K.layers.Dense(3, activation="softmax", name="dense_1")])


@pytest.mark.parametrize("by_name", [False, True])
def test_weights_file_loads_by_order_or_name(by_name, tmp_path):
    _, weights, reference = _made("mlp")
    files.write_weights_file(tmp_path / "w.h5", weights)
    model = _baro_mlp()
    load_keras2_weights(model, tmp_path / "w.h5", by_name=by_name)
    np.testing.assert_allclose(model.predict(zoo.feed("mlp"), verbose=0),
                               reference(zoo.feed("mlp")), rtol=1e-5, atol=1e-6)


def test_chunked_layer_names_are_read(tmp_path):
    _, weights, reference = _made("mlp")
    files.write_weights_file(tmp_path / "w.h5", weights)
    with h5py.File(tmp_path / "w.h5", "a") as f:
        names = list(f.attrs.pop("layer_names"))
        f.attrs["layer_names0"], f.attrs["layer_names1"] = names[:2], names[2:]
    model = _baro_mlp()
    load_keras2_weights(model, tmp_path / "w.h5")
    np.testing.assert_allclose(model.predict(zoo.feed("mlp"), verbose=0),
                               reference(zoo.feed("mlp")), rtol=1e-5, atol=1e-6)


def test_layer_count_mismatch_names_both_sides(tmp_path):
    _, weights, _ = _made("mlp")
    files.write_weights_file(tmp_path / "w.h5", weights[:2])
    with pytest.raises(ValueError, match=r"file has 2 layers.*has 3"):
        load_keras2_weights(_baro_mlp(), tmp_path / "w.h5")


def test_shape_mismatch_is_an_error_or_skipped(tmp_path):
    _, weights, _ = _made("mlp")
    weights[0] = ("dense", [("dense/kernel:0", np.zeros((8, 15), "float32")),
                            ("dense/bias:0", np.zeros(15, "float32"))])
    files.write_weights_file(tmp_path / "w.h5", weights)
    model = _baro_mlp()
    with pytest.raises(ValueError, match=r"shape \(8, 15\)"):
        load_keras2_weights(model, tmp_path / "w.h5")
    before = model.layers[0].get_weights()
    load_keras2_weights(model, tmp_path / "w.h5", skip_mismatch=True)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], before[0])


def test_weights_only_file_is_not_a_model(tmp_path):
    _, weights, _ = _made("mlp")
    files.write_weights_file(tmp_path / "w.h5", weights)
    with pytest.raises(ValueError, match="load_keras2_weights"):
        load_keras2_h5(tmp_path / "w.h5")


def test_lambda_layer_in_model_config_is_refused(tmp_path):
    config, weights, _ = _made("mlp")
    config["config"]["layers"][3] = {"class_name": "Lambda", "config": {
        "name": "dropout", "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAA==",
                                        None, None], "function_type": "lambda"}}
    files.write_model(tmp_path / "m.h5", config, weights)
    with pytest.raises(ValueError, match="bytecode"):
        load_keras2_h5(tmp_path / "m.h5")


def test_bad_json_and_missing_datasets_are_value_errors(tmp_path):
    config, weights, _ = _made("mlp")
    files.write_model(tmp_path / "m.h5", config, weights)
    with h5py.File(tmp_path / "m.h5", "a") as f:
        del f["model_weights/dense/dense/bias:0"]
    with pytest.raises(ValueError, match="'dense/bias:0' of layer 'dense'"):
        load_keras2_h5(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as f:
        f.attrs["model_config"] = b"{not json"
    with pytest.raises(ValueError, match="model_config is not valid JSON"):
        load_keras2_h5(tmp_path / "m.h5")


def test_files_are_opened_read_only(tmp_path, monkeypatch):
    config, weights, _ = _made("two_inputs")
    files.write_model(tmp_path / "m.h5", config, weights)
    modes, original = [], h5py.File

    def recording(*args, **kwargs):
        modes.append(args[1] if len(args) > 1 else kwargs.get("mode"))
        return original(*args, **kwargs)

    monkeypatch.setattr(h5py, "File", recording)
    load_keras2_h5(tmp_path / "m.h5")
    load_keras2_weights(load_keras2_h5(tmp_path / "m.h5"), tmp_path / "m.h5")
    assert modes == ["r", "r", "r"]


def test_load_model_and_load_weights_read_keras2_files(tmp_path):
    from baro.models import load_model

    config, weights, reference = _made("mlp")
    files.write_model(tmp_path / "m.h5", config, weights)
    files.write_weights_file(tmp_path / "w.h5", weights)
    want = reference(zoo.feed("mlp"))
    model = load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(model.predict(zoo.feed("mlp"), verbose=0), want,
                               rtol=1e-5, atol=1e-6)
    fresh = _baro_mlp()
    fresh.load_weights(tmp_path / "w.h5")
    np.testing.assert_allclose(fresh.predict(zoo.feed("mlp"), verbose=0), want,
                               rtol=1e-5, atol=1e-6)
