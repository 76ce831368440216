"""Keras <-> baro layer translation: a table and pure functions, no files needed."""

import json

import pytest

from baro.interop import graph
from baro.interop.layer_map import (
    SUPPORTED,
    baro_layer_class,
    config_from_keras,
    config_to_keras,
    layer_spec_from_keras,
    weight_slots,
)
from baro.keras import Input, Sequential, layers
from baro.models import Functional

KERAS_DENSE = {
    "name": "dense", "trainable": True,
    "dtype": {"module": "keras", "class_name": "DTypePolicy",
              "config": {"name": "float32"}, "registered_name": None,
              "shared_object_id": 1403},
    "units": 3, "activation": "relu", "use_bias": True,
    "kernel_initializer": {"module": "keras.initializers",
                           "class_name": "GlorotUniform",
                           "config": {"seed": 7, "input_axes": None,
                                      "output_axes": None},
                           "registered_name": None},
    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                         "config": {}, "registered_name": None},
    "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2",
                           "config": {"l2": 0.01}, "registered_name": None},
    "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
    "quantization_config": None, "lora_rank": None,
}


def test_every_supported_class_is_a_baro_layer():
    for name in SUPPORTED:
        assert baro_layer_class(name).__name__ == name


def test_keras2_spellings_map_to_the_keras3_class():
    assert baro_layer_class("MaxPool2D") is layers.MaxPooling2D
    assert baro_layer_class("Convolution1D") is layers.Conv1D


def test_keras3_dense_config_builds_the_same_layer():
    cls, config = config_from_keras("Dense", KERAS_DENSE)
    layer = cls.from_config(config)
    assert config["dtype"] == "float32"
    assert "quantization_config" not in config and "lora_rank" not in config
    assert layer.units == 3 and layer.kernel_initializer.seed == 7
    assert type(layer.kernel_regularizer).__name__ == "L2"


def test_config_survives_baro_to_keras_to_baro():
    layer = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                          kernel_regularizer="l2")
    keras_config = config_to_keras("Conv2D", layer.get_config())
    assert keras_config["dtype"]["class_name"] == "DTypePolicy"
    assert keras_config["kernel_initializer"]["module"] == "keras.initializers"
    json.dumps(keras_config)  # plain JSON
    cls, back = config_from_keras("Conv2D", keras_config)
    assert cls.from_config(back).get_config() == layer.get_config()


def test_wrapped_layers_translate_recursively():
    bidi = layers.Bidirectional(layers.LSTM(3, return_sequences=True))
    spec = {"class_name": "Bidirectional",
            "config": config_to_keras("Bidirectional", bidi.get_config())}
    assert spec["config"]["layer"]["module"] == "keras.layers"
    rebuilt = layer_spec_from_keras(spec)
    assert rebuilt["config"]["layer"]["class_name"] == "LSTM"


def test_keras2_batchnorm_axis_list_becomes_an_int():
    _, config = config_from_keras("BatchNormalization", {"name": "bn",
                                                         "axis": [3]})
    assert config["axis"] == 3


def test_an_option_baro_lacks_is_an_error_naming_layer_and_key():
    with pytest.raises(ValueError, match=r"'dense'.*lora_rank=4"):
        config_from_keras("Dense", {**KERAS_DENSE, "lora_rank": 4})


def test_mixed_precision_policy_is_refused():
    policy = {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}
    with pytest.raises(ValueError, match="mixed precision"):
        config_from_keras("Dense", {"name": "d", "units": 2, "dtype": policy})


def test_lambda_is_refused_even_with_custom_function_names():
    config = {"name": "lambda", "function": {"class_name": "__lambda__", "config": {
        "code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}
    with pytest.raises(ValueError, match="bytecode"):
        config_from_keras("Lambda", config)


def test_a_class_named_after_a_callable_is_only_a_name(monkeypatch):
    import os

    ran = []
    monkeypatch.setattr(os, "system", lambda *a: ran.append(a))
    spec = {"module": "os", "class_name": "system", "config": {"command": "true"}}
    with pytest.raises(ValueError, match="Unsupported Keras layer class 'system'"):
        graph.model_from_keras({"class_name": "Sequential",
                                "config": {"name": "m", "layers": [spec]}})
    assert ran == []


def _tensor(name):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 3], "dtype": "float32",
                       "keras_history": [name, 0, 0]}}


def _functional(extra_layers, output):
    x = {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
         "config": {"batch_shape": [None, 3], "name": "x"}, "inbound_nodes": []}
    return {"class_name": "Functional", "config": {
        "name": "f", "layers": [x] + extra_layers, "input_layers": ["x", 0, 0],
        "output_layers": [output, 0, 0]}}


def test_keras_ops_recorded_as_nodes_are_refused():
    op = {"module": "keras.src.ops.numpy", "class_name": "Add", "name": "add",
          "config": {"name": "add"},
          "inbound_nodes": [{"args": [_tensor("x"), _tensor("x")], "kwargs": {}}]}
    dense = {"module": "keras.layers", "class_name": "Dense", "name": "d",
             "config": {"name": "d", "units": 2},
             "inbound_nodes": [{"args": [_tensor("add")], "kwargs": {}}]}
    with pytest.raises(ValueError, match="keras.src.ops.numpy.Add .* not a layer"):
        graph.model_from_keras(_functional([op, dense], "d"))


def test_mask_computed_by_keras_ops_is_left_to_baro_layers():
    op = {"module": "keras.src.ops.numpy", "class_name": "NotEqual",
          "name": "not_equal", "config": {"name": "not_equal"},
          "inbound_nodes": [{"args": [_tensor("x"), 0.0], "kwargs": {}}]}
    dense = {"module": "keras.layers", "class_name": "Dense", "name": "d",
             "config": {"name": "d", "units": 2}, "inbound_nodes": [
                 {"args": [_tensor("x")], "kwargs": {"mask": _tensor("not_equal")}}]}
    model = graph.model_from_keras(_functional([op, dense], "d"))
    assert [layer.name for layer in model.layers] == ["x", "d"]


def test_a_graph_referring_to_missing_outputs_is_an_error():
    dense = {"module": "keras.layers", "class_name": "Dense", "name": "d",
             "config": {"name": "d", "units": 2},
             "inbound_nodes": [{"args": [_tensor("nowhere")], "kwargs": {}}]}
    with pytest.raises(ValueError, match="never appear"):
        graph.model_from_keras(_functional([dense], "d"))


def test_unknown_initializer_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown initializer 'Mystery'"):
        config_from_keras("Dense", {"name": "d", "units": 2, "kernel_initializer": {
            "class_name": "Mystery", "config": {}}})


def test_custom_objects_supply_layers_outside_the_table():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

    cls, config = config_from_keras("MyScale", {"name": "s", "factor": 3.0},
                                    custom_objects={"MyScale": Scale})
    assert cls is Scale and cls.from_config(config).factor == 3.0


def test_weight_slots_follow_keras_attribute_paths():
    model = Sequential([Input((5, 3)), layers.Bidirectional(layers.LSTM(2)),
                        layers.Dense(1)])
    bidi, dense = model.layers
    paths = [path for path, _ in weight_slots(bidi)]
    assert paths == ["forward_layer/cell/vars", "backward_layer/cell/vars"]
    assert [len(v) for _, v in weight_slots(bidi)] == [3, 3]
    assert weight_slots(dense)[0][1] == dense.weights


def test_keras_layer_order_sorts_by_depth_then_first_visit():
    a, b = Input((3,), name="a"), Input((3,), name="b")
    d = layers.Dense(3, name="d")
    y = layers.Add(name="sum")([d(a), layers.Dense(3, name="e")(b)])
    model = Functional([a, b], y)
    names = [layer.name for layer in graph.keras_layer_order(model)]
    assert names == ["a", "b", "d", "e", "sum"]
