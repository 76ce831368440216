"""Keras 2 `.h5` files built with h5py from known arrays, with NumPy references.

The layout follows tf.keras 2's `hdf5_format.save_model_to_hdf5`: root attributes
`keras_version`, `backend`, `model_config` (JSON bytes) and `training_config`;
group `model_weights` with `layer_names`, `backend`, `keras_version`; a group per
layer with `weight_names` (b"dense/kernel:0", ...) whose datasets sit at those
paths below it. Configs are what tf.keras 2.12 writes (no "module" keys,
`batch_input_shape`, BatchNormalization's axis as a list, LSTM's
`time_major`/`implementation`, Keras 2 inbound-node lists).
Each `make_*` returns `(config, weights, reference)`: `weights` is
`[(layer name, [(weight name, array)])]` for every layer in `model.layers` order,
`reference(inputs)` the predictions computed with NumPy.
"""

import json

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _init(name):
    return {"class_name": name, "config": {"seed": None}}


def _dense(name, units, activation, input_shape=None):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": units,
              "activation": activation, "use_bias": True,
              "kernel_initializer": _init("GlorotUniform"),
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    if input_shape is not None:
        config["batch_input_shape"] = [None, *input_shape]
    return {"class_name": "Dense", "config": config}


def _input(name, shape, dtype="float32"):
    return {"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, *shape], "dtype": dtype, "sparse": False,
        "ragged": False, "name": name}}


def _sequential(layers):
    return {"class_name": "Sequential", "config": {"name": "sequential",
                                                   "layers": layers}}


def _w(rng, *shape, positive=False, scale=0.4):
    value = rng.normal(0.0, scale, shape).astype("float32")
    return np.abs(value) + 0.5 if positive else value


def relu(x):
    return np.maximum(x, 0.0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def make_mlp(rng):
    """Dense(16, relu) -> BatchNormalization -> Dropout -> Dense(3, softmax)."""
    bn = {"name": "batch_normalization", "trainable": True, "dtype": "float32",
          "axis": [1], "momentum": 0.99, "epsilon": 0.001, "center": True,
          "scale": True, "beta_initializer": {"class_name": "Zeros", "config": {}},
          "gamma_initializer": {"class_name": "Ones", "config": {}},
          "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
          "moving_variance_initializer": {"class_name": "Ones", "config": {}},
          "beta_regularizer": None, "gamma_regularizer": None,
          "beta_constraint": None, "gamma_constraint": None}
    dropout = {"name": "dropout", "trainable": True, "dtype": "float32",
               "rate": 0.5, "noise_shape": None, "seed": None}
    config = _sequential([
        _input("dense_input", (8,)), _dense("dense", 16, "relu", (8,)),
        {"class_name": "BatchNormalization", "config": bn},
        {"class_name": "Dropout", "config": dropout},
        _dense("dense_1", 3, "softmax")])
    k1, b1, k2, b2 = _w(rng, 8, 16), _w(rng, 16), _w(rng, 16, 3), _w(rng, 3)
    gamma, beta, mean, var = (_w(rng, 16), _w(rng, 16), _w(rng, 16),
                              _w(rng, 16, positive=True))
    weights = [
        ("dense", [("dense/kernel:0", k1), ("dense/bias:0", b1)]),
        ("batch_normalization", [
            ("batch_normalization/gamma:0", gamma),
            ("batch_normalization/beta:0", beta),
            ("batch_normalization/moving_mean:0", mean),
            ("batch_normalization/moving_variance:0", var)]),
        ("dropout", []),
        ("dense_1", [("dense_1/kernel:0", k2), ("dense_1/bias:0", b2)])]

    def reference(x):
        h = relu(x @ k1 + b1)
        h = (h - mean) / np.sqrt(var + 1e-3) * gamma + beta
        return softmax(h @ k2 + b2)

    return config, weights, reference


def make_convnet(rng):
    """Conv2D(8, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dropout -> Dense(10)."""
    common = {"trainable": True, "dtype": "float32"}
    conv = {"name": "conv2d", **common, "batch_input_shape": [None, 28, 28, 1],
            "filters": 8, "kernel_size": [3, 3], "strides": [1, 1],
            "padding": "valid", "data_format": "channels_last",
            "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
            "use_bias": True, "kernel_initializer": _init("GlorotUniform"),
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None,
            "bias_constraint": None}
    pool = {"name": "max_pooling2d", **common, "pool_size": [2, 2],
            "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}
    config = _sequential([
        _input("conv2d_input", (28, 28, 1)),
        {"class_name": "Conv2D", "config": conv},
        {"class_name": "MaxPooling2D", "config": pool},
        {"class_name": "Flatten", "config": {"name": "flatten", **common,
                                             "data_format": "channels_last"}},
        {"class_name": "Dropout", "config": {"name": "dropout", **common,
                                             "rate": 0.5, "noise_shape": None,
                                             "seed": None}},
        _dense("dense", 10, "softmax")])
    kc, bc = _w(rng, 3, 3, 1, 8), _w(rng, 8)
    kd, bd = _w(rng, 13 * 13 * 8, 10, scale=0.05), _w(rng, 10)
    weights = [("conv2d", [("conv2d/kernel:0", kc), ("conv2d/bias:0", bc)]),
               ("max_pooling2d", []), ("flatten", []), ("dropout", []),
               ("dense", [("dense/kernel:0", kd), ("dense/bias:0", bd)])]

    def reference(x):
        windows = sliding_window_view(x, (3, 3), axis=(1, 2))  # n,h,w,c,i,j
        h = relu(np.einsum("nhwcij,ijcf->nhwf", windows, kc) + bc)
        n, hh, ww, c = h.shape
        h = h[:, :hh // 2 * 2, :ww // 2 * 2].reshape(
            n, hh // 2, 2, ww // 2, 2, c).max(axis=(2, 4))
        return softmax(h.reshape(n, -1) @ kd + bd)

    return config, weights, reference


def make_recurrent(rng):
    """Embedding(20, 6) -> LSTM(5) -> Dense(1), as tf.keras 2.12 names them."""
    embedding = {"name": "embedding", "trainable": True,
                 "batch_input_shape": [None, 7], "dtype": "float32",
                 "input_dim": 20, "output_dim": 6,
                 "embeddings_initializer": {"class_name": "RandomUniform", "config": {
                     "minval": -0.05, "maxval": 0.05, "seed": None}},
                 "embeddings_regularizer": None, "activity_regularizer": None,
                 "embeddings_constraint": None, "mask_zero": False,
                 "input_length": 7}
    lstm = {"name": "lstm", "trainable": True, "dtype": "float32",
            "return_sequences": False, "return_state": False,
            "go_backwards": False, "stateful": False, "unroll": False,
            "time_major": False, "units": 5, "activation": "tanh",
            "recurrent_activation": "sigmoid", "use_bias": True,
            "kernel_initializer": _init("GlorotUniform"),
            "recurrent_initializer": {"class_name": "Orthogonal",
                                      "config": {"gain": 1.0, "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "unit_forget_bias": True, "kernel_regularizer": None,
            "recurrent_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None,
            "recurrent_constraint": None, "bias_constraint": None,
            "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2}
    config = _sequential([
        _input("embedding_input", (7,)),
        {"class_name": "Embedding", "config": embedding},
        {"class_name": "LSTM", "config": lstm}, _dense("dense", 1, "linear")])
    emb, k, rk, b = _w(rng, 20, 6), _w(rng, 6, 20), _w(rng, 5, 20), _w(rng, 20)
    kd, bd = _w(rng, 5, 1), _w(rng, 1)
    weights = [("embedding", [("embedding/embeddings:0", emb)]),
               ("lstm", [("lstm/lstm_cell/kernel:0", k),
                         ("lstm/lstm_cell/recurrent_kernel:0", rk),
                         ("lstm/lstm_cell/bias:0", b)]),
               ("dense", [("dense/kernel:0", kd), ("dense/bias:0", bd)])]

    def reference(tokens):
        x = emb[tokens]
        h = c = np.zeros((x.shape[0], 5))
        for t in range(x.shape[1]):
            i, f, g, o = np.split(x[:, t] @ k + h @ rk + b, 4, axis=-1)  # Keras
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        return h @ kd + bd

    return config, weights, reference


def _node(*refs):
    return [[name, node, 0, {}] for name, node in refs]


def make_two_inputs(rng):
    """Functional: a shared Dense on two inputs, Add, Concatenate, two outputs."""
    def layer(spec, name, nodes):
        return {**spec, "name": name, "inbound_nodes": nodes}

    merge = {"trainable": True, "dtype": "float32"}
    layers = [
        {**_input("a", (4,)), "name": "a", "inbound_nodes": []},
        {**_input("b", (4,)), "name": "b", "inbound_nodes": []},
        layer(_dense("shared", 5, "tanh"), "shared",
              [_node(("a", 0)), _node(("b", 0))]),
        layer({"class_name": "Add", "config": {"name": "add", **merge}}, "add",
              [_node(("shared", 0), ("shared", 1))]),
        layer(_dense("dense", 3, "linear"), "dense", [_node(("b", 0))]),
        layer({"class_name": "Concatenate", "config": {"name": "concatenate",
                                                       "axis": -1, **merge}},
              "concatenate", [_node(("add", 0), ("dense", 0))]),
        layer(_dense("out1", 2, "linear"), "out1", [_node(("concatenate", 0))]),
        layer(_dense("out2", 1, "linear"), "out2", [_node(("add", 0))]),
    ]
    config = {"class_name": "Functional", "config": {
        "name": "two_inputs", "layers": layers,
        "input_layers": [["a", 0, 0], ["b", 0, 0]],
        "output_layers": [["out1", 0, 0], ["out2", 0, 0]]}}
    ks, bs, kd, bd = _w(rng, 4, 5), _w(rng, 5), _w(rng, 4, 3), _w(rng, 3)
    k1, b1, k2, b2 = _w(rng, 8, 2), _w(rng, 2), _w(rng, 5, 1), _w(rng, 1)
    weights = [("a", []), ("b", []),
               ("shared", [("shared/kernel:0", ks), ("shared/bias:0", bs)]),
               ("add", []), ("dense", [("dense/kernel:0", kd), ("dense/bias:0", bd)]),
               ("concatenate", []),
               ("out1", [("out1/kernel:0", k1), ("out1/bias:0", b1)]),
               ("out2", [("out2/kernel:0", k2), ("out2/bias:0", b2)])]

    def reference(inputs):
        a, b = inputs
        s = np.tanh(a @ ks + bs) + np.tanh(b @ ks + bs)
        c = np.concatenate([s, b @ kd + bd], axis=-1)
        return [c @ k1 + b1, s @ k2 + b2]

    return config, weights, reference


MAKERS = {"mlp": make_mlp, "convnet": make_convnet, "recurrent": make_recurrent,
          "two_inputs": make_two_inputs}
TRAINING_CONFIG = {
    "loss": "categorical_crossentropy",
    "metrics": [[{"class_name": "MeanMetricWrapper", "config": {
        "name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]],
    "weighted_metrics": None, "loss_weights": None,
    "optimizer_config": {"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.01, "decay": 0.0, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}


def write_weights(group, weights) -> None:
    """`save_weights_to_hdf5_group`: layer_names, then one group per layer."""
    group.attrs["layer_names"] = [name.encode("utf8") for name, _ in weights]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.12.0"
    for name, arrays in sorted(weights, key=lambda item: item[0]):
        layer_group = group.create_group(name)
        layer_group.attrs["weight_names"] = [w.encode("utf8") for w, _ in arrays]
        for weight_name, value in arrays:
            layer_group.create_dataset(weight_name, data=value)


def write_model(path, config, weights, training_config=None) -> None:
    """A whole-model file, as `model.save("m.h5")` in tf.keras 2."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        write_weights(f.create_group("model_weights"), weights)


def write_weights_file(path, weights) -> None:
    """A weights-only file, as `model.save_weights("w.h5")` in tf.keras 2."""
    import h5py

    with h5py.File(path, "w") as f:
        write_weights(f, weights)
