"""inspect: per-layer statistics from one forward/backward pass on a sample."""

import numpy as np
import pytest

import baro
from baro.diagnostics import inspect
from baro.diagnostics.statistics import activation_name, sample
from baro.keras import Input, Model, Sequential, initializers, layers


@pytest.fixture
def data(rng):
    x = rng.normal(size=(64, 6)).astype("float32")
    return x, rng.integers(0, 3, 64)


def classifier(*hidden, inputs=6):
    model = Sequential([Input((inputs,)), *hidden, layers.Dense(3, "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def test_rows_follow_the_layers_with_their_activations(data):
    model = classifier(layers.Dense(8, "relu"), layers.Dense(8, "tanh"),
                       layers.Dropout(0.5))
    report = inspect(model, *data)
    assert [r.name for r in report.rows] == [layer.name for layer in model.layers]
    assert [r.activation for r in report.rows] == ["relu", "tanh", None, "softmax"]
    assert [r.params for r in report.rows] == [56, 72, 0, 27]
    assert report.rows[2].grad_norm is None and report.rows[2].activation_std > 0


def test_gradient_norms_match_a_gradient_tape(data):
    x, y = data
    model = classifier(layers.Dense(8, "relu"))
    report = inspect(model, x, y)
    with baro.GradientTape() as tape:
        loss = model.compute_loss(x, y, model(x, training=False))
    grads = tape.gradient(loss, model.trainable_weights)
    for i, row in enumerate(report.rows):
        kernel, bias = grads[2 * i].numpy(), grads[2 * i + 1].numpy()
        expected = np.sqrt(np.sum(kernel ** 2) + np.sum(bias ** 2))
        weights = np.sqrt(sum(np.sum(w ** 2) for w in
                              model.layers[i].get_weights()))
        np.testing.assert_allclose(row.grad_norm, expected, rtol=1e-5)
        np.testing.assert_allclose(row.grad_rms, expected / np.sqrt(kernel.size
                                                                   + bias.size),
                                   rtol=1e-5)
        np.testing.assert_allclose(row.grad_weight_ratio, expected / weights,
                                   rtol=1e-5)
    np.testing.assert_allclose(report.loss, float(loss), rtol=1e-6)


def test_dead_and_saturated_fractions_are_counted_per_unit(rng):
    # Units 0-1 of the ReLU layer get bias -100 (dead for any input), 2-3 get 0.
    x = rng.normal(size=(32, 2)).astype("float32")
    relu = layers.Dense(4, "relu", kernel_initializer="ones",
                        bias_initializer=initializers.Constant([-100, -100, 0, 0]))
    # The sigmoid units always see -40 (saturated) and 0 (not): half saturated.
    squash = layers.Dense(2, "sigmoid", kernel_initializer="zeros",
                          bias_initializer=initializers.Constant([-40.0, 0.0]))
    model = classifier(relu, squash, inputs=2)
    rows = inspect(model, x, rng.integers(0, 3, 32)).rows
    assert rows[0].dead_fraction == 0.5
    assert rows[1].saturated_fraction == 0.5
    assert rows[0].saturated_fraction is None and rows[1].dead_fraction is None


def test_probing_leaves_the_model_untouched(data):
    x, y = data
    model = classifier(layers.Dense(8, "relu"), layers.BatchNormalization(),
                       layers.Dropout(0.5))
    model.fit(x, y, epochs=1, verbose=0)
    before = [w.copy() for w in model.get_weights()]
    inspect(model, x, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(),
                                                    strict=True))
    assert all(v.grad is None for v in model.trainable_weights)
    assert all("call" not in vars(layer) for layer in model.layers)


def test_functional_and_subclassed_models_are_probed(data):
    x, y = data
    inputs = Input((6,))
    a = layers.Dense(5, "tanh", name="a")(inputs)
    b = layers.Dense(5, "relu", name="b")(a)
    out = layers.Dense(3, "softmax", name="out")(layers.Concatenate(name="c")([a, b]))
    functional = Model(inputs, out)
    functional.compile("adam", "sparse_categorical_crossentropy")
    assert [r.name for r in inspect(functional, x, y).rows] == ["a", "b", "c", "out"]

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(4, "sigmoid", name="hidden")
            self.head = layers.Dense(1, name="head")

        def call(self, inputs, training=None):
            return self.head(self.hidden(inputs))

    net = Net()
    net.compile("sgd", "mse")
    rows = inspect(net, x, y.astype("float32")[:, None]).rows
    assert [(r.name, r.activation) for r in rows] == [("hidden", "sigmoid"),
                                                      ("head", None)]
    assert all(r.grad_norm > 0 for r in rows)


def test_a_loss_can_be_given_instead_of_compiling(data):
    x, y = data
    model = Sequential([Input((6,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="compile the model first"):
        inspect(model, x, y)
    report = inspect(model, x, y, loss="sparse_categorical_crossentropy")
    assert report.rows[0].grad_norm > 0


def test_sampling_is_private_and_bounded(rng):
    x, y = rng.normal(size=(100, 3)), np.arange(100)
    state = np.random.get_state()[1].copy()
    xs, ys = sample(x, y, 10, seed=1)
    assert xs.shape == (10, 3) and np.array_equal(xs, x[ys])
    assert np.array_equal(np.random.get_state()[1], state)
    assert sample({"a": x}, y, 500)[0]["a"].shape == (100, 3)
    with pytest.raises(ValueError, match="array inputs"):
        inspect(Sequential([layers.Dense(1)]), iter([x]), y)


def test_table_and_activation_names(data):
    model = classifier(layers.Dense(4), layers.ReLU(), layers.LeakyReLU())
    text = str(inspect(model, *data))
    assert "dense" in text and "|dW|/|W|" in text and "Loss on 64 samples" in text
    assert [activation_name(layer) for layer in model.layers] == \
        [None, "relu", "leaky_relu", "softmax"]


def test_plot_writes_a_png(data, tmp_path):
    pytest.importorskip("matplotlib", exc_type=ImportError)
    report = inspect(classifier(layers.Dense(4, "relu")), *data)
    figure = report.plot(tmp_path / "stats.png")
    assert (tmp_path / "stats.png").read_bytes()[:4] == b"\x89PNG"
    assert len(figure.axes) == 3
