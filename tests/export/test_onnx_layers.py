"""Each supported layer, alone in a tiny model, exported and run in onnxruntime:
outputs match `predict` to 1e-5 (float32) at batch 1 and 7."""

import numpy as np
import pytest

from baro.keras import Input, Model, Sequential, layers
from tests.export.conftest import assert_exports, randomize

pytest.importorskip("onnx", exc_type=ImportError)
pytest.importorskip("onnxruntime", exc_type=ImportError)


def floats(*shape, low=-2.0, high=2.0, seed=0):
    """make_inputs for one float input of per-sample `shape`."""
    def make(batch):
        rng = np.random.default_rng([batch, seed])
        return rng.uniform(low, high, (batch,) + shape).astype("float32")
    return make


def seq(*stack, shape, dtype=None):
    return Sequential([Input(shape=shape, dtype=dtype), *stack])


ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu",
               "leaky_relu", "softplus", "softsign", "swish", "silu",
               "hard_sigmoid", "relu6", "linear", "exponential", "hard_silu",
               "mish", "log_softmax", "celu", "log_sigmoid", "hard_tanh",
               "tanh_shrink", None]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_argument_and_layer(name, tmp_path):
    model = seq(layers.Dense(6, activation=name), layers.Dense(5),
                layers.Activation(name or "linear"), shape=(4,))
    randomize(model)
    assert_exports(model, floats(4), tmp_path)


CASES = {
    # core
    "dense_rank3_no_bias": lambda: (seq(layers.Dense(3, use_bias=False),
                                        shape=(5, 4)), floats(5, 4)),
    "relu_cap": lambda: (seq(layers.ReLU(max_value=1.0), shape=(6,)), floats(6)),
    "relu_slope": lambda: (seq(layers.ReLU(negative_slope=0.1), shape=(6,)),
                           floats(6)),
    "relu_all": lambda: (seq(layers.ReLU(max_value=1.5, negative_slope=0.1,
                                         threshold=0.5), shape=(6,)), floats(6)),
    "leaky_relu": lambda: (seq(layers.LeakyReLU(0.3), shape=(6,)), floats(6)),
    "elu_layer": lambda: (seq(layers.ELU(0.5), shape=(6,)), floats(6)),
    "softmax_axis1": lambda: (seq(layers.Softmax(axis=1), shape=(3, 4)),
                              floats(3, 4)),
    "softmax_two_axes": lambda: (seq(layers.Softmax(axis=[1, 2]), shape=(3, 4)),
                                 floats(3, 4)),
    "prelu_shared": lambda: (seq(layers.PReLU(shared_axes=[1, 2]),
                                 shape=(4, 5, 3)), floats(4, 5, 3)),
    "dropouts": lambda: (seq(layers.Dropout(0.5), layers.GaussianNoise(1.0),
                             layers.GaussianDropout(0.3),
                             layers.SpatialDropout1D(0.4),
                             layers.ActivityRegularization(0.1),
                             layers.Dense(2), shape=(5, 3)), floats(5, 3)),
    "masking_alone": lambda: (seq(layers.Masking(0.0), shape=(4, 3)),
                              _with_zero_steps),
    # convolutions
    "conv1d_valid": lambda: (seq(layers.Conv1D(4, 3), shape=(9, 2)), floats(9, 2)),
    "conv1d_same_stride2": lambda: (seq(layers.Conv1D(4, 4, strides=2,
                                                      padding="same"),
                                        shape=(9, 2)), floats(9, 2)),
    "conv1d_causal_dilated": lambda: (seq(layers.Conv1D(3, 3, padding="causal",
                                                        dilation_rate=2),
                                          shape=(10, 2)), floats(10, 2)),
    "conv1d_groups": lambda: (seq(layers.Conv1D(4, 3, groups=2,
                                                activation="tanh"),
                                  shape=(8, 4)), floats(8, 4)),
    "conv1d_channels_first": lambda: (seq(layers.Conv1D(3, 2,
                                                        data_format="channels_first"),
                                          shape=(2, 7)), floats(2, 7)),
    "conv2d_same_stride2_odd": lambda: (seq(layers.Conv2D(5, 3, strides=2,
                                                          padding="same"),
                                            shape=(7, 8, 3)), floats(7, 8, 3)),
    "conv2d_dilated_same": lambda: (seq(layers.Conv2D(2, 3, dilation_rate=2,
                                                      padding="same",
                                                      use_bias=False),
                                        shape=(9, 9, 2)), floats(9, 9, 2)),
    "conv2d_groups_relu": lambda: (seq(layers.Conv2D(6, (2, 3), groups=3,
                                                     activation="relu"),
                                       shape=(6, 6, 3)), floats(6, 6, 3)),
    "conv2d_softmax": lambda: (seq(layers.Conv2D(4, 1, activation="softmax"),
                                   shape=(3, 3, 2)), floats(3, 3, 2)),
    "conv2d_channels_first": lambda: (seq(layers.Conv2D(3, 2, padding="same",
                                                        data_format="channels_first"),
                                          shape=(2, 5, 5)), floats(2, 5, 5)),
    "conv2d_unknown_size_same": lambda: (seq(layers.Conv2D(3, 3, strides=2,
                                                           padding="same"),
                                             layers.GlobalMaxPooling2D(),
                                             shape=(None, None, 2)),
                                         floats(7, 6, 2)),
    "depthwise_conv2d": lambda: (seq(layers.DepthwiseConv2D(3, strides=2,
                                                            padding="same",
                                                            depth_multiplier=2),
                                     shape=(7, 7, 3)), floats(7, 7, 3)),
    "depthwise_conv1d": lambda: (seq(layers.DepthwiseConv1D(3, activation="elu"),
                                     shape=(8, 3)), floats(8, 3)),
    "separable_conv2d": lambda: (seq(layers.SeparableConv2D(4, 3, padding="same",
                                                            depth_multiplier=2),
                                     shape=(6, 6, 3)), floats(6, 6, 3)),
    "separable_conv1d": lambda: (seq(layers.SeparableConv1D(4, 3), shape=(8, 3)),
                                 floats(8, 3)),
    # pooling
    "maxpool2d_same": lambda: (seq(layers.MaxPooling2D(3, strides=2,
                                                       padding="same"),
                                   shape=(7, 8, 2)), floats(7, 8, 2)),
    "avgpool2d_same_excludes_pad": lambda: (seq(layers.AveragePooling2D(
        3, strides=2, padding="same"), shape=(7, 8, 2)), floats(7, 8, 2)),
    "avgpool2d_valid": lambda: (seq(layers.AveragePooling2D(2), shape=(6, 6, 2)),
                                floats(6, 6, 2)),
    "maxpool1d": lambda: (seq(layers.MaxPooling1D(2), shape=(9, 3)), floats(9, 3)),
    "avgpool1d_same": lambda: (seq(layers.AveragePooling1D(3, strides=2,
                                                           padding="same"),
                                   shape=(8, 3)), floats(8, 3)),
    "pool2d_channels_first": lambda: (seq(layers.MaxPooling2D(
        2, data_format="channels_first"), shape=(2, 6, 6)), floats(2, 6, 6)),
    "global_pools": lambda: (_global_pools(), floats(6, 5, 3)),
    "global_pools_1d_keepdims": lambda: (seq(layers.GlobalAveragePooling1D(
        keepdims=True), shape=(6, 3)), floats(6, 3)),
    # normalization
    "batchnorm_dense": lambda: (seq(layers.Dense(5), layers.BatchNormalization(),
                                    shape=(4,)), floats(4)),
    "batchnorm_conv": lambda: (seq(layers.Conv2D(4, 3), layers.BatchNormalization(),
                                   layers.ReLU(), shape=(6, 6, 2)), floats(6, 6, 2)),
    "batchnorm_axis1_plain": lambda: (seq(layers.BatchNormalization(
        axis=1, center=False, scale=False, epsilon=0.01), shape=(3, 4)),
        floats(3, 4)),
    "layernorm": lambda: (seq(layers.LayerNormalization(), shape=(3, 6)),
                          floats(3, 6)),
    "layernorm_two_axes": lambda: (seq(layers.LayerNormalization(axis=[1, 2]),
                                       shape=(3, 6)), floats(3, 6)),
    "layernorm_rms": lambda: (seq(layers.LayerNormalization(rms_scaling=True),
                                  shape=(6,)), floats(6)),
    # reshaping
    "flatten_after_conv_nhwc_order": lambda: (seq(layers.Conv2D(3, 2),
                                                  layers.Flatten(),
                                                  layers.Dense(4),
                                                  shape=(4, 5, 2)),
                                              floats(4, 5, 2)),
    "flatten_channels_first": lambda: (seq(layers.Flatten(
        data_format="channels_first"), shape=(2, 3, 4)), floats(2, 3, 4)),
    "reshape_permute": lambda: (seq(layers.Reshape((3, -1)), layers.Permute((2, 1)),
                                    shape=(12,)), floats(12)),
    "repeat_vector": lambda: (seq(layers.RepeatVector(3), shape=(4,)), floats(4)),
    "zero_padding": lambda: (seq(layers.ZeroPadding2D(((1, 2), (0, 3))),
                                 layers.Reshape((-1, 2)),
                                 layers.ZeroPadding1D((2, 1)), shape=(3, 3, 2)),
                             floats(3, 3, 2)),
    "cropping": lambda: (seq(layers.Cropping2D(((1, 0), (1, 2))),
                             layers.Reshape((-1, 2)), layers.Cropping1D((1, 1)),
                             shape=(5, 6, 2)), floats(5, 6, 2)),
    "upsampling_nearest": lambda: (seq(layers.UpSampling2D((2, 3)),
                                       layers.Reshape((-1, 2)),
                                       layers.UpSampling1D(2), shape=(2, 3, 2)),
                                   floats(2, 3, 2)),
    "upsampling_bilinear": lambda: (seq(layers.UpSampling2D(
        2, interpolation="bilinear"), shape=(3, 4, 2)), floats(3, 4, 2)),
    "rescaling": lambda: (seq(layers.Rescaling(1 / 127.5, offset=-1.0),
                              shape=(5,)), floats(5, low=0, high=255)),
    # recurrent
    "simple_rnn_relu_sequences": lambda: (seq(layers.SimpleRNN(
        4, activation="relu", return_sequences=True), shape=(6, 3)), floats(6, 3)),
    "lstm_backwards_sequences": lambda: (seq(layers.LSTM(
        4, go_backwards=True, return_sequences=True), shape=(6, 3)), floats(6, 3)),
    "lstm_hard_sigmoid": lambda: (seq(layers.LSTM(
        4, recurrent_activation="hard_sigmoid"), shape=(5, 3)), floats(5, 3)),
    "gru_reset_before": lambda: (seq(layers.GRU(4, reset_after=False),
                                     shape=(5, 3)), floats(5, 3)),
    "gru_backwards_no_bias": lambda: (seq(layers.GRU(4, use_bias=False,
                                                     go_backwards=True),
                                          shape=(5, 3)), floats(5, 3)),
    "rnn_of_lstm_cell": lambda: (seq(layers.RNN(layers.LSTMCell(3)),
                                     shape=(5, 2)), floats(5, 2)),
    "bidirectional_concat_sequences": lambda: (seq(layers.Bidirectional(
        layers.LSTM(3, return_sequences=True)), shape=(5, 2)), floats(5, 2)),
    "bidirectional_sum_gru": lambda: (seq(layers.Bidirectional(
        layers.GRU(3), merge_mode="sum"), shape=(5, 2)), floats(5, 2)),
    "bidirectional_ave_mul": lambda: (seq(
        layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True),
                             merge_mode="ave"),
        layers.Bidirectional(layers.SimpleRNN(2), merge_mode="mul"),
        shape=(5, 2)), floats(5, 2)),
    "time_distributed": lambda: (seq(layers.TimeDistributed(layers.Conv2D(2, 2)),
                                     layers.TimeDistributed(layers.Flatten()),
                                     layers.TimeDistributed(layers.Dense(3)),
                                     shape=(4, 3, 3, 2)), floats(4, 3, 3, 2)),
    # embedding
    "embedding_int": lambda: (seq(layers.Embedding(10, 3), shape=(5,),
                                  dtype="int32"),
                              _indices),
}


def _with_zero_steps(batch):
    x = floats(4, 3)(batch)
    x[:, 1] = 0.0
    return x


def _indices(batch):
    return np.random.default_rng(batch).integers(0, 10, (batch, 5)).astype("int32")


def _global_pools():
    x = Input(shape=(6, 5, 3))
    flat = layers.Reshape((30, 3))(x)
    outputs = [layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D(
        keepdims=True)(x), layers.GlobalAveragePooling1D()(flat),
        layers.GlobalMaxPooling1D()(flat)]
    return Model(x, outputs)


@pytest.mark.filterwarnings("ignore:LayerNormalization:UserWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_exports(case, tmp_path):
    model, make_inputs = CASES[case]()
    randomize(model)
    assert_exports(model, make_inputs, tmp_path)


@pytest.mark.parametrize("layer", [layers.Add, layers.Subtract, layers.Multiply,
                                   layers.Average, layers.Maximum, layers.Minimum,
                                   layers.Concatenate])
def test_merge_layers(layer, tmp_path):
    count = 2 if layer is layers.Subtract else 3
    inputs = [Input(shape=(4,), name=f"in_{i}") for i in range(count)]
    model = Model(inputs, layer()(inputs))

    def make(batch):
        return [floats(4, seed=i)(batch) for i in range(count)]

    assert_exports(model, make, tmp_path)


def test_int_inputs_are_cast_like_baro(tmp_path):
    model = seq(layers.Flatten(), layers.Dense(3), shape=(2, 2), dtype="int32")
    randomize(model)
    assert_exports(model, lambda b: (_indices(b)[:, :4] - 5).reshape(b, 2, 2),
                   tmp_path)


def test_embedding_with_float_indices(tmp_path):
    model = seq(layers.Embedding(10, 3), layers.Flatten(), shape=(4,))
    randomize(model)
    assert_exports(model, lambda b: _indices(b)[:, :4].astype("float32"), tmp_path)


def test_operators_on_symbolic_tensors(tmp_path):
    a, b = Input(shape=(3, 4), name="a"), Input(shape=(4, 2), name="b")
    y = (a * 2.0 + 1.0) / 3.0 - a ** 2
    y = 1.0 - y
    z = -(y @ b)
    outputs = [z, y[:, 1:3], y[:, 0], y[..., None], y[:, ::-1, ::2]]
    model = Model([a, b], outputs)
    assert_exports(model, lambda n: [floats(3, 4)(n), floats(4, 2, seed=1)(n)],
                   tmp_path)


def test_lstm_with_initial_state_and_return_state(tmp_path):
    x = Input(shape=(5, 3), name="x")
    h0, c0 = Input(shape=(4,), name="h0"), Input(shape=(4,), name="c0")
    seq_out, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(
        x, initial_state=[h0, c0])
    gru_out = layers.GRU(4)(seq_out, initial_state=[h])
    model = Model([x, h0, c0], [gru_out, h, c])
    randomize(model)
    assert_exports(model, lambda n: [floats(5, 3)(n), floats(4, seed=1)(n),
                                     floats(4, seed=2)(n)], tmp_path)


def test_bidirectional_return_state_and_no_merge(tmp_path):
    x = Input(shape=(5, 2))
    outputs = layers.Bidirectional(layers.GRU(3, return_sequences=True,
                                              return_state=True),
                                   merge_mode=None)(x)
    model = Model(x, outputs)
    randomize(model)
    assert_exports(model, floats(5, 2), tmp_path)
