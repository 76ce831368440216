"""Loading files from strangers: nothing runs, nothing explodes, errors are clear."""

import io
import json
import os
import struct
import zipfile

import numpy as np
import pytest

from baro import layers
from baro.models import Model, Sequential, load_model, model_from_json
from baro.saving import register_serializable, safetensors
from baro.saving.archive import SafeArchive


def saved(tmp_path, name="m.baro"):
    model = Sequential([layers.Input(shape=(4,)), layers.Dense(3),
                        layers.Dense(1)])
    model.compile("adam", "mse")
    path = tmp_path / name
    model.save(path)
    return model, path


def entries(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path, **changes):
    """Rewrites a saved archive with some entries replaced (bytes or objects)."""
    content = entries(path)
    for name, value in changes.items():
        name = name.replace("__", ".")
        content[name] = value if isinstance(value, bytes) else \
            json.dumps(value).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("spec", [
    {"module": "os", "class_name": "system", "config": {"command": "{cmd}"}},
    {"module": "builtins", "class_name": "eval", "config": {"source": "{cmd}"}},
    {"class_name": "os.system", "config": {}},
    {"module": "subprocess", "class_name": "Popen", "config": {"args": "{cmd}"}},
])
def test_file_naming_os_system_runs_nothing(tmp_path, spec):
    _, path = saved(tmp_path)
    marker = tmp_path / "pwned"
    spec = json.loads(json.dumps(spec).replace("{cmd}", f"touch {marker}"))
    config = json.loads(entries(path)["config.json"])
    config["config"]["layers"][1] = spec
    rewrite(path, config__json=config)
    with pytest.raises(ValueError, match="Unknown layer class|cannot rebuild"):
        load_model(path)
    assert not marker.exists()
    whole = {**spec}
    rewrite(path, config__json=whole)
    with pytest.raises(ValueError):
        load_model(path)
    assert not marker.exists()


@register_serializable("safety_tests")
def add_one(x):
    return x + 1.0


def test_lambda_needs_unsafe_mode_and_registration(tmp_path):
    model = Sequential([layers.Input(shape=(3,)), layers.Lambda(add_one)])
    model.save(tmp_path / "lam.baro")
    with pytest.raises(ValueError, match="refused in safe mode"):
        load_model(tmp_path / "lam.baro")
    with pytest.raises(ValueError, match="refused in safe mode"):
        model_from_json(model.to_json())
    restored = load_model(tmp_path / "lam.baro", safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(restored.predict(x, verbose=0), x + 1)
    anonymous = Sequential([layers.Input(shape=(3,)),
                            layers.Lambda(lambda t: t * 3)])
    anonymous.save(tmp_path / "anon.baro")
    with pytest.raises(ValueError, match="cannot be restored"):
        load_model(tmp_path / "anon.baro", safe_mode=False)


def test_huge_weight_claim_in_config_is_refused_before_allocation(tmp_path):
    _, path = saved(tmp_path)
    config = json.loads(entries(path)["config.json"])
    config["config"]["layers"][1]["config"]["units"] = 10**12
    rewrite(path, config__json=config)
    with pytest.raises(ValueError, match="more than the file's weights hold"):
        load_model(path)


def test_huge_input_shape_is_refused(tmp_path):
    # `x * 2.0` infers its output shape by running on zeros of the input shape.
    x = layers.Input(shape=(4,))
    model = Model(x, x * 2.0)
    model.save(tmp_path / "m.baro")
    config = json.loads(entries(tmp_path / "m.baro")["config.json"])
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, 10**11]
    rewrite(tmp_path / "m.baro", config__json=config)
    with pytest.raises(ValueError, match="implausibly large"):
        load_model(tmp_path / "m.baro")


def test_safetensors_header_claiming_1e12_elements():
    header = json.dumps({"w": {"dtype": "F32", "shape": [10**6, 10**6],
                               "data_offsets": [0, 4 * 10**12]}}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0" * 16
    with pytest.raises(ValueError, match="claims shape"):
        safetensors.loads(data)


@pytest.mark.parametrize("header, message", [
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, "claims shape"),
    ({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, "bad shape"),
    ({"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, "bad shape"),
    ({"w": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}, "unknown dtype"),
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8]}}, "data_offsets"),
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "v": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, "overlaps"),
    ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, "trailing"),
    ({"w": [1, 2]}, "not an object"),
    ({"__metadata__": {"a": 1}}, "__metadata__"),
    ([1, 2], "not a JSON object"),
])
def test_safetensors_rejects(header, message):
    head = json.dumps(header).encode()
    data = struct.pack("<Q", len(head)) + head + b"\0" * 8
    with pytest.raises(ValueError, match=message):
        safetensors.loads(data)


def test_safetensors_header_length_beyond_file():
    with pytest.raises(ValueError, match="header length"):
        safetensors.loads(struct.pack("<Q", 2**60) + b"{}")


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a/../../b",
                                  "C:\\windows\\x"])
def test_zip_entries_with_unsafe_names_are_rejected(tmp_path, name):
    _, path = saved(tmp_path)
    content = entries(path)
    with zipfile.ZipFile(path, "w") as archive:
        for key, data in content.items():
            archive.writestr(key, data)
        archive.writestr(name, b"x")
    with pytest.raises(ValueError, match="refusing zip entry"):
        load_model(path)


def test_zip_claiming_huge_entries_is_rejected(tmp_path):
    _, path = saved(tmp_path)
    data = bytearray(path.read_bytes())
    # Forge the uncompressed size (offset 24) of the first central-directory
    # record: a zip bomb's signature is a tiny file claiming gigabytes.
    record = data.index(b"PK\x01\x02")
    data[record + 24:record + 28] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="claim"):
        SafeArchive(path)


def test_not_a_zip_and_missing_entries(tmp_path):
    (tmp_path / "junk.baro").write_bytes(b"hello")
    with pytest.raises(ValueError, match="not a readable model archive"):
        load_model(tmp_path / "junk.baro")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.json", "{}")
    (tmp_path / "empty.baro").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="lacks"):
        load_model(tmp_path / "empty.baro")


def test_deeply_nested_config_is_a_value_error(tmp_path):
    _, path = saved(tmp_path)
    rewrite(path, config__json=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError):
        load_model(path)


def test_file_from_a_newer_format(tmp_path):
    _, path = saved(tmp_path)
    config = json.loads(entries(path)["config.json"])
    config["format_version"] = 99
    rewrite(path, config__json=config)
    with pytest.raises(ValueError, match="upgrade baro"):
        load_model(path)


def test_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model, path = saved(tmp_path)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    model.layers[0].kernel.assign(np.zeros((4, 3), "float32"))
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.baro"]  # no temp left


def test_weights_that_do_not_fit_name_both_shapes(tmp_path):
    _, path = saved(tmp_path)
    other = Sequential([layers.Input(shape=(5,)), layers.Dense(3), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"shape \(4, 3\).*\(5, 3\)"):
        other.load_weights(path)


def test_enable_unsafe_deserialization(tmp_path, monkeypatch):
    from baro.keras import config
    from baro.saving import scope

    monkeypatch.setattr(scope, "_UNSAFE_GLOBALLY", [False])
    model = Sequential([layers.Input(shape=(3,)), layers.Lambda(add_one)])
    model.save(tmp_path / "lam.baro")
    with pytest.raises(ValueError, match="refused in safe mode"):
        load_model(tmp_path / "lam.baro")
    config.enable_unsafe_deserialization()
    restored = load_model(tmp_path / "lam.baro")
    x = np.zeros((1, 3), "float32")
    np.testing.assert_array_equal(restored.predict(x, verbose=0), x + 1)


def test_keras_saving_namespace(tmp_path):
    from baro.keras import saving, utils

    @saving.register_keras_serializable("ns_tests")
    class Twice(layers.Layer):
        def call(self, x):
            return 2.0 * x

    assert saving.get_registered_name(Twice) == "ns_tests>Twice"
    assert saving.get_registered_object("ns_tests>Twice") is Twice
    model = Sequential([layers.Input(shape=(2,)), Twice()])
    saving.save_model(model, tmp_path / "t.baro")
    restored = saving.load_model(tmp_path / "t.baro")
    assert isinstance(restored.layers[0], Twice)
    with utils.custom_object_scope({"Thing": Twice}):
        assert saving.get_custom_objects() == {"Thing": Twice}
    assert saving.get_custom_objects() == {}
