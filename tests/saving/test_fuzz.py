"""Fuzzing saved model files: thousands of mutated files, each must load
correctly or fail with a ValueError; never a crash, a hang or a memory blow-up.

Mutations hit the raw zip bytes, the bytes of each entry (re-zipped with valid
CRCs so the parsers see them) and, structurally, any value in config.json or
in the safetensors header. Hypothesis runs derandomized (seeded) examples.
"""

import io
import json
import resource
import time
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", exc_type=ImportError)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from baro import layers  # noqa: E402
from baro.models import Model, load_model  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # mutated configs
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
PER_CASE_SECONDS = 10.0


def _model():
    tokens = layers.Input(shape=(5,), dtype="int32", name="tokens")
    image = layers.Input(shape=(6, 6, 1), name="image")
    seq = layers.LSTM(3)(layers.Embedding(12, 4)(tokens))
    conv = layers.Conv2D(2, 3, activation="relu")(image)
    conv = layers.Flatten()(layers.MaxPooling2D(2)(conv))
    joined = layers.Concatenate()([seq, layers.BatchNormalization()(conv)])
    out = layers.Dense(2, activation="softmax")(layers.Dropout(0.2)(joined))
    model = Model([tokens, image], out)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    model.fit([rng.integers(0, 12, (8, 5)), rng.normal(size=(8, 6, 6, 1))],
              rng.integers(0, 2, 8), epochs=1, verbose=0)
    return model


class Saved(tuple):
    """(folder, file bytes, entries) with a short repr for failure reports."""

    def __repr__(self):
        return "<saved model file>"


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "model.baro"
    _model().save(path)
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return Saved((path.parent, data, entries))


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return buffer.getvalue()


def _check_load(folder, data: bytes) -> None:
    path = folder / "case.baro"
    path.write_bytes(data)
    start = time.perf_counter()
    try:
        model = load_model(path)
    except ValueError:
        pass
    else:
        assert isinstance(model, Model)
    assert time.perf_counter() - start < PER_CASE_SECONDS


# -- byte-level mutations -----------------------------------------------------------
@st.composite
def byte_edits(draw, size):
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        position = draw(st.integers(0, max(size - 1, 0)))
        edits.append((kind, position, draw(st.integers(0, 255))))
    return edits


def _apply(data: bytes, edits) -> bytes:
    data = bytearray(data)
    for kind, position, value in edits:
        position = min(position, max(len(data) - 1, 0))
        if not data:
            break
        if kind == "flip":
            data[position] ^= 1 << (value % 8)
        elif kind == "set":
            data[position] = value
        elif kind == "insert":
            data[position:position] = bytes([value]) * (1 + value % 9)
        elif kind == "delete":
            del data[position:position + 1 + value % 9]
        else:
            del data[position:]
    return bytes(data)


@settings(max_examples=600, **SETTINGS)
@given(st.data())
def test_mutated_zip_bytes(original, data):
    folder, raw, _ = original
    _check_load(folder, _apply(raw, data.draw(byte_edits(len(raw)))))


@settings(max_examples=1200, **SETTINGS)
@given(st.data(), st.sampled_from(["config.json", "model.weights.safetensors",
                                   "metadata.json"]))
def test_mutated_entry_bytes(original, data, name):
    folder, _, entries = original
    # Most edits land in the header/config, where the parsing happens.
    target = entries[name]
    window = len(target) if name != "model.weights.safetensors" else \
        8 + int.from_bytes(target[:8], "little") + 64
    edits = data.draw(byte_edits(min(window, len(target))))
    _check_load(folder, _zip({**entries, name: _apply(target, edits)}))


# -- structural mutations -----------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans()
    | st.sampled_from([0, -1, 1, 2, 3, 10**12, 2**63, -(10**9)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "relu", "os.system", "Dense", "__import__", "float64",
                       "../x", "same", "valid", "int8"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["class_name", "config", "module", "name",
                                       "units", "shape", "dtype"]), children,
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


def _json_mutation(data, document):
    paths = list(_paths(document))
    path = paths[data.draw(st.integers(0, len(paths) - 1))]
    delete = bool(path) and data.draw(st.booleans())
    return _replace(document, path, data.draw(json_values), delete)


@settings(max_examples=1200, **SETTINGS)
@given(st.data())
def test_mutated_config_values(original, data):
    folder, _, entries = original
    config = json.loads(entries["config.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        config = _json_mutation(data, config)
    _check_load(folder, _zip({**entries, "config.json": json.dumps(config)}))


@settings(max_examples=400, **SETTINGS)
@given(st.data())
def test_mutated_safetensors_header(original, data):
    folder, _, entries = original
    raw = entries["model.weights.safetensors"]
    length = int.from_bytes(raw[:8], "little")
    header = _json_mutation(data, json.loads(raw[8:8 + length]))
    head = json.dumps(header).encode()
    weights = len(head).to_bytes(8, "little") + head + raw[8 + length:]
    _check_load(folder, _zip({**entries, "model.weights.safetensors": weights}))


def test_fuzzing_stayed_within_memory():
    # Runs after the fuzz cases above (file order): the peak resident size of
    # the whole test process stays far below what a honoured 1e12 claim takes.
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_kib < 4 * 1024 * 1024
