"""Mutated Keras files: every case loads correctly or fails with a ValueError.

Structural mutations replace or delete any value of config.json (Keras 3) or of
the model_config attribute (Keras 2); byte mutations damage the HDF5 weights.
Hypothesis runs derandomized (seeded) examples; each case must finish quickly.
"""

import io
import json
import time
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", exc_type=ImportError)
h5py = pytest.importorskip("h5py", exc_type=ImportError)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import baro.keras as K  # noqa: E402
from baro.interop import load_keras, load_keras2_h5, save_keras  # noqa: E402
from tests.interop import keras2_files as files  # noqa: E402

# Damaged compile settings only warn (the model loads uncompiled).
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
PER_CASE_SECONDS = 10.0

json_values = st.recursive(
    st.none() | st.booleans()
    | st.sampled_from([0, -1, 1, 2, 3, 10**12, 2**63, -(10**9)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "relu", "os.system", "Lambda", "Dense", "Functional",
                       "__keras_tensor__", "keras.src.ops.numpy", "float64",
                       "mixed_float16", "../x", "same", "int8"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["class_name", "config", "module", "name",
                                       "units", "keras_history", "layers",
                                       "inbound_nodes", "dtype"]), children,
                      max_size=3),
    max_leaves=6)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _replace(value, path, new, delete):
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if delete and not rest:
        del copy[head]
        return copy
    copy[head] = _replace(value[head], rest, new, delete)
    return copy


def _mutate(data, document, times):
    for _ in range(times):
        paths = list(_paths(document))
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        delete = bool(path) and data.draw(st.booleans())
        document = _replace(document, path, data.draw(json_values), delete)
    return document


def _check(load, path) -> None:
    start = time.perf_counter()
    try:
        model = load(path)
    except ValueError:
        pass
    else:
        assert isinstance(model, K.Model)
    assert time.perf_counter() - start < PER_CASE_SECONDS


class Saved(tuple):
    """(folder, entries) with a short repr for failure reports."""

    def __repr__(self):
        return "<saved .keras entries>"


@pytest.fixture(scope="module")
def keras3_entries(tmp_path_factory):
    a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
    shared = K.layers.Dense(3, name="shared")
    h = K.layers.Concatenate()([shared(a), shared(b)])
    h = K.layers.BatchNormalization()(h)
    model = K.Model([a, b], K.layers.Dense(2, activation="softmax")(h))
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path_factory.mktemp("fuzz") / "m.keras"
    save_keras(model, path)
    with zipfile.ZipFile(path) as archive:
        return Saved((path.parent, {n: archive.read(n)
                                    for n in archive.namelist()}))


def _zip(folder, entries) -> object:
    path = folder / "case.keras"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    path.write_bytes(buffer.getvalue())
    return path


@settings(max_examples=300, **SETTINGS)
@given(st.data())
def test_mutated_keras3_config(keras3_entries, data):
    folder, entries = keras3_entries
    config = _mutate(data, json.loads(entries["config.json"]),
                     data.draw(st.integers(1, 3)))
    _check(load_keras, _zip(folder, {**entries,
                                     "config.json": json.dumps(config)}))


@settings(max_examples=150, **SETTINGS)
@given(st.data())
def test_damaged_keras3_weights(keras3_entries, data):
    folder, entries = keras3_entries
    raw = bytearray(entries["model.weights.h5"])
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    _check(load_keras, _zip(folder, {**entries, "model.weights.h5": bytes(raw)}))


@settings(max_examples=200, **SETTINGS)
@given(st.data(), st.sampled_from(["mlp", "two_inputs", "recurrent"]))
def test_mutated_keras2_model_config(tmp_path_factory, data, name):
    config, weights, _ = files.MAKERS[name](np.random.default_rng(0))
    config = _mutate(data, config, data.draw(st.integers(1, 3)))
    path = tmp_path_factory.getbasetemp() / "case.h5"
    files.write_model(path, config, weights)
    _check(load_keras2_h5, path)
