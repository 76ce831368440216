"""Models written once against the Keras API, built by Keras 3 or by `baro.keras`.

`build(K)` takes a module with Keras's names (`keras` or `baro.keras`) and returns
`{name: model}`; `randomize` gives every weight seeded values (BatchNormalization
statistics included, so they matter) and `inputs` the arrays each model is fed.
Imported by the tests and by keras_side.py, which runs under real Keras.
"""

import numpy as np

BATCH = 3


def _mlp(K):
    L = K.layers
    return K.Sequential([K.Input((8,)), L.Dense(16, activation="relu"),
                         L.Dropout(0.5), L.Dense(3, activation="softmax")],
                        name="mlp")


def _convnet(K):
    L = K.layers
    return K.Sequential([
        K.Input((28, 28, 1)), L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
        L.Dropout(0.5), L.Dense(10, activation="softmax")], name="convnet")


def _batchnorm(K):
    L = K.layers
    return K.Sequential([K.Input((6,)), L.Dense(8), L.BatchNormalization(),
                         L.Activation("relu"), L.Dense(2)], name="batchnorm")


def _recurrent(K):
    L = K.layers
    return K.Sequential([K.Input((7,), dtype="int32"),
                         L.Embedding(20, 6, mask_zero=True),
                         L.LSTM(5, return_sequences=True), L.GRU(4),
                         L.Dense(1)], name="recurrent")


def _recurrent_extra(K):
    L = K.layers
    x = K.Input((5, 3))
    h = L.Bidirectional(L.SimpleRNN(4, return_sequences=True))(x)
    h = L.TimeDistributed(L.Dense(2))(h)
    y = L.GRU(3, reset_after=False)(h)
    return K.Model(x, y, name="recurrent_extra")


def _two_inputs(K):
    L = K.layers
    a, b = K.Input((4,), name="a"), K.Input((4,), name="b")
    shared = L.Dense(5, activation="tanh")
    s = L.Add()([shared(a), shared(b)])
    c = L.Concatenate()([s, L.Dense(3)(b)])
    out1 = L.Dense(2, name="out1")(c)
    out2 = L.Dense(1, name="out2")(s)
    return K.Model([a, b], [out1, out2], name="two_inputs")


def _sequence_layers(K):
    L = K.layers
    x = K.Input((8, 4))
    branches = [
        L.Conv1D(3, 3, padding="same", activation="relu")(x),
        L.SeparableConv1D(3, 2, padding="same")(x),
        L.DepthwiseConv1D(3, padding="same")(x),
        L.LayerNormalization()(x),
        L.GroupNormalization(2)(x),
        L.PReLU()(x),
        L.MultiHeadAttention(2, 3)(x, x),
        L.UpSampling1D(2)(L.AveragePooling1D(2)(x)),
        L.Cropping1D(1)(L.ZeroPadding1D(1)(x)),
        L.Conv1DTranspose(2, 1)(x),
    ]
    h = L.Concatenate()(branches)
    y = L.Dense(2)(L.GlobalAveragePooling1D()(h))
    return K.Model(x, y, name="sequence_layers")


def _image_layers(K):
    L = K.layers
    x = K.Input((8, 8, 3))
    h = L.Conv2D(4, 3, padding="same")(x)
    h = L.BatchNormalization()(h)
    h = L.LeakyReLU(0.2)(h)
    branches = [
        L.DepthwiseConv2D(3, padding="same")(h),
        L.SeparableConv2D(4, 3, padding="same", activation="elu")(h),
        L.Conv2DTranspose(4, 3, padding="same")(h),
        L.UpSampling2D(2)(L.AveragePooling2D(2)(h)),
        L.Cropping2D(1)(L.ZeroPadding2D(1)(h)),
        L.ReLU()(h),
    ]
    h = L.Multiply()([L.Add()(branches[:3]), L.Maximum()(branches[3:])])
    y = L.Softmax()(L.Dense(3)(L.GlobalMaxPooling2D()(h)))
    return K.Model(x, y, name="image_layers")


def _nested(K):
    L = K.layers
    inner = K.Sequential([K.Input((4,)), L.Dense(6, activation="relu"),
                          L.Dense(3)], name="inner")
    z = K.Input((4,))
    inner_functional = K.Model(z, L.Dense(2, activation="tanh")(z),
                               name="inner_functional")
    x = K.Input((4,))
    shared = [inner_functional(x), inner_functional(L.Dense(4)(x))]
    y = L.Dense(2)(L.Concatenate()([inner(x), x] + shared))
    return K.Model(x, [y, shared[1]], name="nested")


def _other_layers(K):
    L = K.layers
    x = K.Input((6, 4))
    a = L.RNN(L.LSTMCell(3), return_sequences=True)(L.Masking(0.0)(x))
    b = L.AdditiveAttention()([a, a])
    c = L.Attention(use_scale=True)([a, a])
    f = L.Minimum()([L.Subtract()([b, c]), L.Average()([b, c])])
    h = L.Reshape((36,))(L.Dot(axes=(2, 2))([f, a]))
    h = L.Flatten()(L.Permute((2, 1))(L.RepeatVector(2)(h)))
    h = L.UnitNormalization()(L.Normalization()(h))
    h = L.GaussianDropout(0.1)(L.GaussianNoise(0.1)(h))
    h = L.Rescaling(2.0, offset=0.5)(L.ActivityRegularization(0.01)(h))
    s = L.GlobalMaxPooling1D()(L.SpatialDropout1D(0.3)(x))
    y = L.Dense(2)(L.Concatenate()([h, s]))
    return K.Model(x, y, name="other_layers")


def _preprocessing(K):
    L = K.layers
    return K.Sequential([
        K.Input((10, 10, 3)), L.Resizing(8, 8), L.CenterCrop(6, 6),
        L.RandomFlip(), L.RandomRotation(0.1), L.RandomZoom(0.1),
        L.RandomTranslation(0.1, 0.1), L.RandomContrast(0.1),
        L.SpatialDropout2D(0.2), L.Conv2D(2, 3), L.GlobalAveragePooling2D(),
        L.Dense(2)], name="preprocessing")


BUILDERS = {"mlp": _mlp, "convnet": _convnet, "batchnorm": _batchnorm,
            "recurrent": _recurrent, "recurrent_extra": _recurrent_extra,
            "two_inputs": _two_inputs, "sequence_layers": _sequence_layers,
            "image_layers": _image_layers, "nested": _nested,
            "other_layers": _other_layers, "preprocessing": _preprocessing}


# compile() arguments of the models saved compiled.
COMPILED = {"mlp": {"loss": "categorical_crossentropy", "metrics": ["accuracy"]},
            "two_inputs": {"loss": ["mse", "mae"]}}


def build(K, names=None) -> dict:
    """`{name: model}` built with the Keras-like module `K`, weights randomized."""
    models = {}
    for i, name in enumerate(names or BUILDERS):
        model = BUILDERS[name](K)
        randomize(model, seed=i)
        if name in COMPILED:
            model.compile(optimizer=K.optimizers.Adam(0.01), **COMPILED[name])
        models[name] = model
    return models


def randomize(model, seed: int) -> None:
    """Seeded weights; variances positive so BatchNormalization stays finite."""
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        shape = tuple(w.shape)
        value = rng.normal(0.0, 0.3, shape)
        if "variance" in w.name:
            value = np.abs(value) + 0.5
        values.append(value.astype("float32"))
    model.set_weights(values)


def inputs(name: str) -> list:
    """The arrays fed to model `name` (a list, one per model input)."""
    rng = np.random.default_rng(100)
    shapes = {"mlp": [(8,)], "convnet": [(28, 28, 1)], "batchnorm": [(6,)],
              "recurrent_extra": [(5, 3)], "two_inputs": [(4,), (4,)],
              "sequence_layers": [(8, 4)], "image_layers": [(8, 8, 3)],
              "nested": [(4,)], "other_layers": [(6, 4)],
              "preprocessing": [(10, 10, 3)]}
    if name == "recurrent":
        tokens = rng.integers(1, 20, (BATCH, 7)).astype("int32")
        tokens[:, 5:] = 0  # padding, masked by Embedding(mask_zero=True)
        return [tokens]
    return [rng.normal(size=(BATCH,) + s).astype("float32") for s in shapes[name]]


def as_list(outputs) -> list:
    """Predictions as a list of float64 arrays, whatever the output structure."""
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o, dtype="float64") for o in outputs]
    if isinstance(outputs, dict):
        return [np.asarray(outputs[k], dtype="float64") for k in sorted(outputs)]
    return [np.asarray(outputs, dtype="float64")]


def feed(name: str):
    """`inputs(name)`, unwrapped when the model has a single input."""
    arrays = inputs(name)
    return arrays[0] if len(arrays) == 1 else arrays


def targets(name: str):
    """Fixed one-hot training targets for the compiled "mlp" model."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 3, BATCH)
    return np.eye(3, dtype="float32")[labels]
