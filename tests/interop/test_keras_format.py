"""Keras 3 `.keras` files written and read by baro (no Keras needed)."""

import io
import json
import zipfile

import numpy as np
import pytest

import baro.keras as K
from baro.interop import (
    load_keras,
    load_keras_weights,
    save_keras,
    save_keras_weights,
)
from baro.interop.keras_format import slots_from_model
from tests.interop import keras_zoo as zoo

h5py = pytest.importorskip("h5py", exc_type=ImportError)


@pytest.fixture(scope="module")
def models():
    return zoo.build(K)


def _predict(model, name):
    return zoo.as_list(model.predict(zoo.feed(name), verbose=0))


@pytest.mark.parametrize("name", list(zoo.BUILDERS))
def test_round_trip_gives_identical_predictions(models, name, tmp_path):
    model = models[name]
    save_keras(model, tmp_path / "m.keras")
    loaded = load_keras(tmp_path / "m.keras")
    assert type(loaded) is type(model)
    for got, want in zip(_predict(loaded, name), _predict(model, name), strict=True):
        np.testing.assert_array_equal(got, want)


def test_file_has_keras_layout(models, tmp_path):
    save_keras(models["batchnorm"], tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert set(archive.namelist()) == {"config.json", "metadata.json",
                                           "model.weights.h5"}
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        weights = archive.read("model.weights.h5")
    assert metadata["keras_version"].startswith("3.")
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    dense = config["config"]["layers"][1]
    assert dense["module"] == "keras.layers" and dense["registered_name"] is None
    assert dense["build_config"] == {"input_shape": [None, 6]}
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["layers/dense/vars/0"].shape == (6, 8)
        assert f["layers/dense_1/vars/1"].shape == (2,)
        assert f["layers/batch_normalization/vars/3"].shape == (8,)
        assert "layers/activation/vars" in f


def test_compile_settings_round_trip(models, tmp_path):
    save_keras(models["mlp"], tmp_path / "m.keras")
    loaded = load_keras(tmp_path / "m.keras")
    assert loaded.compiled and type(loaded.optimizer).__name__ == "Adam"
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.01)
    x = zoo.feed("mlp")
    y = np.eye(3, dtype="float32")[[0, 1, 2]]
    loaded.fit(x, y, epochs=1, verbose=0)
    assert not load_keras(tmp_path / "m.keras", compile=False).compiled


def test_weights_only_file_round_trip(models, tmp_path):
    save_keras_weights(models["two_inputs"], tmp_path / "w.weights.h5")
    fresh = zoo.build(K, ["two_inputs"])["two_inputs"]
    zoo.randomize(fresh, seed=99)
    load_keras_weights(fresh, tmp_path / "w.weights.h5")
    for got, want in zip(_predict(fresh, "two_inputs"),
                         _predict(models["two_inputs"], "two_inputs"), strict=True):
        np.testing.assert_array_equal(got, want)


def test_shared_layer_weights_are_stored_once(models):
    paths = [path for path, _, _ in slots_from_model(models["two_inputs"])]
    assert len(paths) == len(set(paths))


def test_existing_file_is_kept_unless_overwrite(models, tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")
    with pytest.raises(FileExistsError):
        save_keras(models["mlp"], path, overwrite=False)
    assert path.read_bytes() == b"previous"


def test_failed_save_leaves_the_previous_file(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"previous")
    x = K.Input((3,))
    bad = K.Model(x, x * 2.0)  # an operator node: no Keras class
    with pytest.raises(ValueError, match="layers.Add"):
        save_keras(bad, path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]


def test_subclassed_and_unbuilt_models_are_refused(tmp_path):
    class Net(K.Model):
        def __init__(self):
            super().__init__()
            self.dense = K.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match="subclassed"):
        save_keras(net, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="subclassed"):
        save_keras_weights(net, tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="not built"):
        save_keras(K.Sequential([K.layers.Dense(2)]), tmp_path / "m.keras")


# -- malformed and hostile files --------------------------------------------------
def _rewrite(source, target, replace):
    """Copies a .keras archive, replacing entries (name -> bytes or None)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            if name not in replace:
                dst.writestr(name, src.read(name))
        for name, data in replace.items():
            if data is not None:
                dst.writestr(name, data)


def _weights_with(source, edit) -> bytes:
    with zipfile.ZipFile(source) as archive:
        raw = io.BytesIO(archive.read("model.weights.h5"))
    with h5py.File(raw, "a") as f:
        edit(f)
    return raw.getvalue()


@pytest.fixture
def saved_mlp(models, tmp_path):
    path = tmp_path / "good.keras"
    save_keras(models["mlp"], path)
    return path


def test_zip_entries_outside_the_archive_are_rejected(saved_mlp, tmp_path):
    for bad_name in ("../evil.txt", "/etc/evil.txt"):
        target = tmp_path / "bad.keras"
        _rewrite(saved_mlp, target, {bad_name: b"x"})
        with pytest.raises(ValueError, match="refusing zip entry"):
            load_keras(target)


def test_wrong_shape_is_caught_before_reading(saved_mlp, tmp_path):
    def edit(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(8, 17), dtype="f4")

    _rewrite(saved_mlp, tmp_path / "bad.keras",
             {"model.weights.h5": _weights_with(saved_mlp, edit)})
    with pytest.raises(ValueError, match=r"layers/dense/vars/0 has shape \(8, 17\)"):
        load_keras(tmp_path / "bad.keras")


def test_a_dataset_claiming_a_trillion_elements_is_an_error(saved_mlp, tmp_path):
    def edit(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(10**12,), dtype="f4",
                                              chunks=(1024,))

    _rewrite(saved_mlp, tmp_path / "bad.keras",
             {"model.weights.h5": _weights_with(saved_mlp, edit)})
    with pytest.raises(ValueError, match="has shape"):
        load_keras(tmp_path / "bad.keras")


def test_missing_or_extra_weights_are_errors(saved_mlp, tmp_path):
    def drop(f):
        del f["layers/dense_1/vars/1"]

    def extra(f):
        f["layers/dense/vars"].create_dataset("2", data=np.zeros(3, "f4"))

    for edit, message in ((drop, "has 2 weights"), (extra, "has 2 weights")):
        _rewrite(saved_mlp, tmp_path / "bad.keras",
                 {"model.weights.h5": _weights_with(saved_mlp, edit)})
        with pytest.raises(ValueError, match=message):
            load_keras(tmp_path / "bad.keras")


def test_weights_that_are_not_hdf5_are_a_value_error(saved_mlp, tmp_path):
    _rewrite(saved_mlp, tmp_path / "bad.keras",
             {"model.weights.h5": b"\0" * (4 * 2**20)})
    with pytest.raises(ValueError, match="not a readable HDF5 file"):
        load_keras(tmp_path / "bad.keras")


def test_a_config_claiming_more_weights_than_the_file_holds(saved_mlp, tmp_path):
    with zipfile.ZipFile(saved_mlp) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][1]["config"]["units"] = 10**9  # 32 GB of kernel
    _rewrite(saved_mlp, tmp_path / "bad.keras",
             {"config.json": json.dumps(config).encode()})
    with pytest.raises(ValueError, match="more than the file's weights hold"):
        load_keras(tmp_path / "bad.keras")


def test_config_naming_a_lambda_is_refused(saved_mlp, tmp_path):
    with zipfile.ZipFile(saved_mlp) as archive:
        config = json.loads(archive.read("config.json"))
    config["config"]["layers"][2] = {
        "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
        "config": {"name": "lambda", "function": {"class_name": "__lambda__",
                                                  "config": {"code": "4wEAAA=="}}}}
    _rewrite(saved_mlp, tmp_path / "bad.keras",
             {"config.json": json.dumps(config).encode()})
    with pytest.raises(ValueError, match="Lambda layer stores Python bytecode"):
        load_keras(tmp_path / "bad.keras")


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'{"class_name": 3}'])
def test_broken_configs_are_value_errors(saved_mlp, tmp_path, content):
    _rewrite(saved_mlp, tmp_path / "bad.keras", {"config.json": content})
    with pytest.raises(ValueError, match="config.json"):
        load_keras(tmp_path / "bad.keras")


def test_not_a_zip_points_to_the_keras2_loader(tmp_path):
    (tmp_path / "m.keras").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match="load_keras2_h5"):
        load_keras(tmp_path / "m.keras")


# -- through baro's own save/load entry points ----------------------------------
def test_model_save_and_load_model_use_the_keras_format(models, tmp_path):
    from baro.models import load_model

    model = models["two_inputs"]
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert "model.weights.h5" in archive.namelist()
    loaded = load_model(tmp_path / "m.keras")
    for got, want in zip(_predict(loaded, "two_inputs"),
                         _predict(model, "two_inputs"), strict=True):
        np.testing.assert_array_equal(got, want)


def test_save_weights_and_load_weights_with_h5_names(models, tmp_path):
    model = models["recurrent"]
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert f["layers/lstm/cell/vars/0"].shape == (6, 20)
    fresh = zoo.build(K, ["recurrent"])["recurrent"]
    zoo.randomize(fresh, seed=7)
    fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(_predict(fresh, "recurrent")[0],
                                  _predict(model, "recurrent")[0])
