"""Real Keras 3 (torch backend, in a subprocess) reads baro's files and writes its own.

One subprocess run (keras_side.py) serves every test here: it loads the files
baro wrote (and the Keras 2 fixtures, through Keras's own legacy loader) and
saves the same zoo built by Keras. Skipped when keras, torch or h5py is missing.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import baro.keras as K
from baro.interop import load_keras, save_keras
from baro.interop.graph import keras_layer_order
from tests.interop import keras2_files as files
from tests.interop import keras_zoo as zoo

pytest.importorskip("h5py", exc_type=ImportError)
# Importing keras here would pick a backend for this process; only look.
for _name in ("keras", "torch"):
    if importlib.util.find_spec(_name) is None:
        pytest.skip(f"{_name} is not installed", allow_module_level=True)

FUNCTIONAL = ["recurrent_extra", "two_inputs", "sequence_layers", "image_layers",
              "nested", "other_layers"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("keras")
    models = zoo.build(K)
    for name, model in models.items():
        save_keras(model, workdir / f"baro_{name}.keras")
    trained = zoo.build(K, ["mlp"])["mlp"]
    trained.fit(zoo.feed("mlp"), zoo.targets("mlp"), epochs=1, batch_size=4,
                shuffle=False, verbose=0)
    trained.save(workdir / "trained_mlp.keras")
    for name, make in files.MAKERS.items():
        config, weights, _ = make(np.random.default_rng(0))
        if name == "recurrent":
            # Keras 3's legacy loader rejects tf.keras 2's LSTM(time_major=...),
            # so Keras reads this fixture without it (baro reads it with it).
            del config["config"]["layers"][2]["config"]["time_major"]
        files.write_model(workdir / f"k2_{name}.h5", config, weights)
    script = Path(__file__).with_name("keras_side.py")
    env = {**os.environ, "KERAS_BACKEND": "torch", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, str(script), str(workdir)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    errors = json.loads((workdir / "errors.json").read_text())
    return {"dir": workdir, "models": models, "errors": errors,
            "trained": trained,
            "optimizer_reads": dict(np.load(workdir / "optimizer_reads.npz")),
            "optimizer_wrote": dict(np.load(workdir / "optimizer_wrote.npz")),
            "reads": dict(np.load(workdir / "keras_reads.npz")),
            "wrote": dict(np.load(workdir / "keras_wrote.npz")),
            "orders": json.loads((workdir / "orders.json").read_text()),
            "compiled": json.loads((workdir / "compiled.json").read_text())}


def _baro_predictions(model, name):
    return zoo.as_list(model.predict(zoo.feed(name), verbose=0))


def _keras_predictions(table, key):
    count = sum(1 for k in table if k.startswith(f"{key}/"))
    return [table[f"{key}/{i}"] for i in range(count)]


@pytest.mark.parametrize("name", list(zoo.BUILDERS))
def test_keras_loads_files_baro_wrote(run, name):
    assert f"baro_{name}" not in run["errors"], run["errors"].get(f"baro_{name}")
    want = _baro_predictions(run["models"][name], name)
    got = _keras_predictions(run["reads"], f"baro_{name}")
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(zoo.BUILDERS))
def test_baro_loads_files_keras_wrote(run, name):
    assert f"keras_{name}" not in run["errors"], run["errors"].get(f"keras_{name}")
    model = load_keras(run["dir"] / f"keras_{name}.keras")
    want = _keras_predictions(run["wrote"], name)
    got = _baro_predictions(model, name)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_layer_order_matches_keras(run, name):
    model = load_keras(run["dir"] / f"keras_{name}.keras", compile=False)
    assert [layer.name for layer in keras_layer_order(model)] == run["orders"][name]


def test_compile_settings_cross_both_ways(run):
    for name in zoo.COMPILED:
        optimizer, learning_rate = run["compiled"][f"baro_{name}"]
        assert optimizer == "Adam" and learning_rate == pytest.approx(0.01)
        model = load_keras(run["dir"] / f"keras_{name}.keras")
        assert model.compiled and type(model.optimizer).__name__ == "Adam"
        assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
        x = zoo.feed(name)
        y = zoo.as_list(model.predict(x, verbose=0))
        model.fit(x, y[0] if len(y) == 1 else y, epochs=1, verbose=0)


@pytest.mark.parametrize("name", list(files.MAKERS))
def test_keras_reads_the_keras2_fixtures_like_numpy(run, name):
    """The hand-built Keras 2 files are what Keras's own loader expects."""
    assert f"k2_{name}" not in run["errors"], run["errors"].get(f"k2_{name}")
    _, _, reference = files.MAKERS[name](np.random.default_rng(0))
    want = zoo.as_list(reference(zoo.feed(name)))
    got = _keras_predictions(run["reads"], f"k2_{name}")
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_optimizer_state_crosses_both_ways(run):
    """Adam's iterations, learning rate and interleaved slots, baro -> Keras and
    Keras -> baro (both trained one epoch on the same data)."""
    assert "trained_mlp" not in run["errors"], run["errors"].get("trained_mlp")
    ours = [v.numpy() for v in run["trained"].optimizer.variables]
    read = _keras_predictions(run["optimizer_reads"], "mlp")
    assert len(read) == len(ours) == 2 + 2 * len(run["trained"].trainable_weights)
    for got, want in zip(read, ours, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    loaded = load_keras(run["dir"] / "ktrained_mlp.keras")
    theirs = _keras_predictions(run["optimizer_wrote"], "mlp")
    got = [v.numpy() for v in loaded.optimizer.variables]
    assert len(got) == len(theirs)
    for g, w in zip(got, theirs, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)
    # Same steps and learning rate (the slots differ: Dropout draws differ).
    steps = -(-zoo.BATCH // 4)
    assert int(got[0]) == int(ours[0]) == steps and got[1] == pytest.approx(0.01)
