"""Every registered layer type survives save -> load with bit-identical outputs.

The table below must name every layer class baro registers: a new layer fails
`test_table_covers_every_layer` until it gets a round-trip case here.
"""

import json

import numpy as np
import pytest

from baro import layers
from baro.layers.layer import Layer
from baro.models import Model, Sequential, load_model
from baro.saving import deserialize, register_serializable, serialize
from baro.saving.registry import _REGISTRY
from baro.saving.scope import SafeModeScope

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.normal(size=shape).astype("float32")


def seq(layer, shape, x=None):
    """A Sequential model with an explicit input, and data for it."""
    model = Sequential([layers.Input(shape=shape), layer])
    return model, _x(2, *shape) if x is None else x


def two_inputs(layer, shape_a, shape_b=None, **call_kwargs):
    a = layers.Input(shape=shape_a)
    b = layers.Input(shape=shape_b or shape_a)
    model = Model([a, b], layer([a, b], **call_kwargs))
    return model, [_x(2, *shape_a), _x(2, *(shape_b or shape_a))]


@register_serializable("roundtrip_tests")
def double_it(x):
    return x * 2.0


def _normalization():
    layer = layers.Normalization()
    layer.adapt(_x(20, 3) * 3 + 1)
    return seq(layer, (3,))


def _text_vectorization():
    # It runs eagerly on strings, before the model (as documented): round-trip
    # the layer alone through the same JSON a model file holds.
    layer = layers.TextVectorization(max_tokens=10, output_sequence_length=4)
    layer.adapt(np.array(["the cat sat", "the dog ran far away"]))
    return layer, np.array(["the cat ran", "a dog"])


def _operator():
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    return Model([a, b], (a + b) * 2.0 - b[:, :1]), [_x(2, 3), _x(2, 3)]


CASES = {
    "Activation": lambda: seq(layers.Activation("tanh"), (4,)),
    "ActivityRegularization": lambda: seq(layers.ActivityRegularization(0.1), (4,)),
    "Add": lambda: two_inputs(layers.Add(), (3,)),
    "AdditiveAttention": lambda: two_inputs(layers.AdditiveAttention(), (4, 3),
                                            (5, 3)),
    "Attention": lambda: two_inputs(layers.Attention(use_scale=True), (4, 3),
                                    (5, 3)),
    "Average": lambda: two_inputs(layers.Average(), (3,)),
    "AveragePooling1D": lambda: seq(layers.AveragePooling1D(2, padding="same"),
                                    (5, 2)),
    "AveragePooling2D": lambda: seq(layers.AveragePooling2D(2), (4, 4, 2)),
    "BatchNormalization": lambda: seq(layers.BatchNormalization(momentum=0.9),
                                      (4,)),
    "Bidirectional": lambda: seq(layers.Bidirectional(layers.LSTM(3)), (5, 2)),
    "CenterCrop": lambda: seq(layers.CenterCrop(2, 3), (4, 5, 1)),
    "Concatenate": lambda: two_inputs(layers.Concatenate(), (3,), (2,)),
    "Conv1D": lambda: seq(layers.Conv1D(3, 2, dilation_rate=2), (6, 2)),
    "Conv1DTranspose": lambda: seq(layers.Conv1DTranspose(3, 2, strides=2), (4, 2)),
    "Conv2D": lambda: seq(layers.Conv2D(3, 3, padding="same", activation="relu"),
                          (5, 5, 2)),
    "Conv2DTranspose": lambda: seq(layers.Conv2DTranspose(2, 3, strides=2),
                                   (3, 3, 2)),
    "Cropping1D": lambda: seq(layers.Cropping1D((1, 2)), (6, 2)),
    "Cropping2D": lambda: seq(layers.Cropping2D(((1, 0), (0, 1))), (4, 4, 1)),
    "Dense": lambda: seq(layers.Dense(3, activation="relu",
                                      kernel_regularizer="l2"), (4,)),
    "DepthwiseConv1D": lambda: seq(layers.DepthwiseConv1D(3, depth_multiplier=2),
                                   (6, 2)),
    "DepthwiseConv2D": lambda: seq(layers.DepthwiseConv2D(3, padding="same"),
                                   (4, 4, 2)),
    "Dot": lambda: two_inputs(layers.Dot(axes=1, normalize=True), (3,)),
    "Dropout": lambda: seq(layers.Dropout(0.5), (4,)),
    "ELU": lambda: seq(layers.ELU(0.5), (4,)),
    "Embedding": lambda: seq(layers.Embedding(10, 3, mask_zero=True), (5,),
                             rng.integers(0, 10, (2, 5))),
    "Flatten": lambda: seq(layers.Flatten(), (2, 3, 2)),
    "GRU": lambda: seq(layers.GRU(3, return_sequences=True, go_backwards=True),
                       (4, 2)),
    "GRUCell": lambda: seq(layers.RNN(layers.GRUCell(3)), (4, 2)),
    "GaussianDropout": lambda: seq(layers.GaussianDropout(0.3), (4,)),
    "GaussianNoise": lambda: seq(layers.GaussianNoise(0.3), (4,)),
    "GlobalAveragePooling1D": lambda: seq(layers.GlobalAveragePooling1D(), (5, 2)),
    "GlobalAveragePooling2D": lambda: seq(layers.GlobalAveragePooling2D(),
                                          (3, 3, 2)),
    "GlobalMaxPooling1D": lambda: seq(layers.GlobalMaxPooling1D(), (5, 2)),
    "GlobalMaxPooling2D": lambda: seq(layers.GlobalMaxPooling2D(keepdims=True),
                                      (3, 3, 2)),
    "GroupNormalization": lambda: seq(layers.GroupNormalization(groups=2), (3, 4)),
    "InputLayer": lambda: seq(layers.Dense(2), (3,)),
    "LSTM": lambda: seq(layers.LSTM(3, return_state=False, unit_forget_bias=True),
                        (4, 2)),
    "LSTMCell": lambda: seq(layers.RNN(layers.LSTMCell(3)), (4, 2)),
    "Lambda": lambda: seq(layers.Lambda(double_it), (3,)),
    "LayerNormalization": lambda: seq(layers.LayerNormalization(), (4,)),
    "LeakyReLU": lambda: seq(layers.LeakyReLU(0.2), (4,)),
    "Masking": lambda: seq(layers.Masking(0.0), (4, 2)),
    "MaxPooling1D": lambda: seq(layers.MaxPooling1D(2), (6, 2)),
    "MaxPooling2D": lambda: seq(layers.MaxPooling2D(2, padding="same"), (5, 5, 1)),
    "Maximum": lambda: two_inputs(layers.Maximum(), (3,)),
    "Minimum": lambda: two_inputs(layers.Minimum(), (3,)),
    "MultiHeadAttention": lambda: _mha(),
    "Multiply": lambda: two_inputs(layers.Multiply(), (3,)),
    "Normalization": _normalization,
    "OperatorLayer": _operator,
    "PReLU": lambda: seq(layers.PReLU(), (4,)),
    "Permute": lambda: seq(layers.Permute((2, 1)), (3, 2)),
    "RNN": lambda: seq(layers.RNN(layers.SimpleRNNCell(3), return_sequences=True),
                       (4, 2)),
    "RandomContrast": lambda: seq(layers.RandomContrast(0.2), (4, 4, 1)),
    "RandomFlip": lambda: seq(layers.RandomFlip(), (4, 4, 1)),
    "RandomRotation": lambda: seq(layers.RandomRotation(0.1), (4, 4, 1)),
    "RandomTranslation": lambda: seq(layers.RandomTranslation(0.1, 0.1),
                                     (4, 4, 1)),
    "RandomZoom": lambda: seq(layers.RandomZoom(0.1), (4, 4, 1)),
    "ReLU": lambda: seq(layers.ReLU(max_value=1.0), (4,)),
    "RepeatVector": lambda: seq(layers.RepeatVector(3), (2,)),
    "Rescaling": lambda: seq(layers.Rescaling(1 / 255, offset=-1), (4,)),
    "Reshape": lambda: seq(layers.Reshape((2, -1)), (6,)),
    "Resizing": lambda: seq(layers.Resizing(3, 5), (4, 4, 1)),
    "SeparableConv1D": lambda: seq(layers.SeparableConv1D(3, 2), (5, 2)),
    "SeparableConv2D": lambda: seq(layers.SeparableConv2D(3, 2), (4, 4, 2)),
    "SimpleRNN": lambda: seq(layers.SimpleRNN(3), (4, 2)),
    "SimpleRNNCell": lambda: seq(layers.RNN(layers.SimpleRNNCell(2)), (4, 2)),
    "Softmax": lambda: seq(layers.Softmax(axis=1), (4,)),
    "SpatialDropout1D": lambda: seq(layers.SpatialDropout1D(0.3), (4, 2)),
    "SpatialDropout2D": lambda: seq(layers.SpatialDropout2D(0.3), (3, 3, 2)),
    "Subtract": lambda: two_inputs(layers.Subtract(), (3,)),
    "TextVectorization": _text_vectorization,
    "TimeDistributed": lambda: seq(layers.TimeDistributed(layers.Dense(2)), (3, 4)),
    "UnitNormalization": lambda: seq(layers.UnitNormalization(), (4,)),
    "UpSampling1D": lambda: seq(layers.UpSampling1D(2), (3, 2)),
    "UpSampling2D": lambda: seq(layers.UpSampling2D(2), (2, 2, 1)),
    "ZeroPadding1D": lambda: seq(layers.ZeroPadding1D(1), (3, 2)),
    "ZeroPadding2D": lambda: seq(layers.ZeroPadding2D(((1, 0), (0, 2))), (2, 2, 1)),
}
NOT_STANDALONE = {"Layer"}  # the abstract base: every case above subclasses it


def _mha():
    query, value = layers.Input(shape=(4, 6)), layers.Input(shape=(3, 6))
    out = layers.MultiHeadAttention(num_heads=2, key_dim=3)(query, value)
    return Model([query, value], out), [_x(2, 4, 6), _x(2, 3, 6)]


def test_table_covers_every_layer():
    registered = {cls.__name__ for key, cls in _REGISTRY.items()
                  if isinstance(cls, type) and issubclass(cls, Layer)
                  and ">" not in key and cls.__module__.startswith("baro.layers")}
    assert registered - NOT_STANDALONE - set(CASES) == set()


def _perturb(model):
    # Fresh layers often start at zeros/ones: randomize so a lost weight shows.
    for variable in model.weights:
        if variable.dtype.kind == "f":
            variable.assign(rng.normal(size=variable.shape).astype(variable.dtype))


def test_text_vectorization_round_trip():
    layer, x = _text_vectorization()
    text = json.dumps(serialize(layer))
    with SafeModeScope(True):
        restored = deserialize(json.loads(text), family="layer")
    assert restored.get_config() == layer.get_config()
    np.testing.assert_array_equal(restored(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("name", sorted(set(CASES) - {"TextVectorization"}))
def test_layer_round_trip(name, tmp_path):
    model, x = CASES[name]()
    if name not in ("BatchNormalization", "Normalization"):
        _perturb(model)
    else:  # variances must stay positive
        for v in model.weights:
            v.assign(np.abs(rng.normal(size=v.shape)).astype(v.dtype) + 0.5)
    expected = model.predict(x, verbose=0)
    path = tmp_path / f"{name}.baro"
    model.save(path)
    restored = load_model(path, safe_mode=name != "Lambda")
    assert type(restored) is type(model)
    assert restored.get_config() == model.get_config()
    assert [w.path for w in restored.weights] == [w.path for w in model.weights]
    for a, b in zip(restored.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), expected)
