"""baro.plot.model: one box per layer, one arrow per graph edge, laid out by depth."""

import pytest

pytest.importorskip("matplotlib", exc_type=ImportError)

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

import baro.plot  # noqa: E402
from baro.keras import Input, Model, Sequential, layers  # noqa: E402


def boxes(fig) -> list:
    return [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]


def arrows(fig) -> list:
    return [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def box_centre(fig, name: str) -> tuple[float, float]:
    (label,) = [t for t in fig.axes[0].texts if t.get_text() == name]
    return label.get_position()


def test_sequential_is_a_vertical_chain(tmp_path, check_png):
    model = Sequential([Input((28, 28, 1)), layers.Conv2D(4, 3, name="conv"),
                        layers.Flatten(name="flat"), layers.Dense(10, name="out")])
    path = tmp_path / "model.png"
    fig = baro.plot.model(model, path=path)
    check_png(path)
    assert len(boxes(fig)) == 4
    assert len(arrows(fig)) == 3
    for expected in ("conv", "Conv2D", "(None, 26, 26, 4)", "flat", "(None, 2704)",
                     "out", "Dense", "(None, 10)", "InputLayer",
                     "(None, 28, 28, 1)"):
        assert expected in texts(fig)
    xs = {round(box_centre(fig, name)[0], 6) for name in ("conv", "flat", "out")}
    assert len(xs) == 1
    ys = [box_centre(fig, name)[1] for name in ("conv", "flat", "out")]
    assert ys == sorted(ys, reverse=True)


def test_functional_with_two_inputs_two_outputs_and_a_shared_layer(tmp_path,
                                                                   check_png):
    image = Input((8,), name="image")
    meta = Input((8,), name="meta")
    shared = layers.Dense(4, name="shared")
    a, b = shared(image), shared(meta)
    merged = layers.Concatenate(name="merge")([a, b])
    out1 = layers.Dense(3, name="label")(merged)
    out2 = layers.Dense(1, name="score")(merged)
    model = Model([image, meta], [out1, out2])
    fig = baro.plot.model(model, path=tmp_path / "graph.png")
    check_png(tmp_path / "graph.png")
    # image, meta, shared (one box for two calls), merge, label, score
    assert len(boxes(fig)) == 6
    # image->shared, meta->shared, shared->merge (once), merge->label, merge->score
    assert len(arrows(fig)) == 5
    assert box_centre(fig, "image")[1] == box_centre(fig, "meta")[1]
    assert box_centre(fig, "label")[1] == box_centre(fig, "score")[1] < \
        box_centre(fig, "merge")[1] < box_centre(fig, "shared")[1]
    assert "(None, 8)" in texts(fig)


def test_an_input_used_deep_sits_above_its_consumer():
    x = Input((4,), name="x")
    extra = Input((2,), name="extra")
    h = layers.Dense(4, name="h1")(x)
    h = layers.Dense(4, name="h2")(h)
    out = layers.Concatenate(name="join")([h, extra])
    fig = baro.plot.model(Model([x, extra], out))
    assert box_centre(fig, "extra")[1] == box_centre(fig, "h2")[1]
    assert len(arrows(fig)) == 4


def test_a_subclassed_model_is_refused():
    class Net(Model):
        def call(self, inputs):
            return inputs

    with pytest.raises(ValueError, match="subclassed model"):
        baro.plot.model(Net())
