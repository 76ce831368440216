"""Keras 2 module paths and `keras.preprocessing`: ImageDataGenerator (random
parameters, geometry, standardization, flows), sequence and text helpers."""

import hashlib
import os

import numpy as np
import pytest

import baro
from baro.keras.preprocessing import image, sequence, text
from baro.keras.preprocessing.image import (
    ImageDataGenerator,
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
)


def ramp(size=11):
    """f(x, y) = x + 100 y: bilinear interpolation reproduces it exactly."""
    y, x = np.mgrid[0:size, 0:size].astype("float32")
    return (x + 100 * y)[..., None]


def keras_matrix(theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, size=11):
    """Keras 2's apply_affine_transform matrix, written as Keras writes it."""
    m = np.eye(3)
    t = np.deg2rad(theta)
    m = m @ [[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]
    m = m @ [[1, 0, tx], [0, 1, ty], [0, 0, 1]]
    s = np.deg2rad(shear)
    m = m @ [[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]
    m = m @ [[zx, 0, 0], [0, zy, 0], [0, 0, 1]]
    o = size / 2 - 0.5
    return np.array([[1, 0, o], [0, 1, o], [0, 0, 1]]) @ m @ \
        np.array([[1, 0, -o], [0, 1, -o], [0, 0, 1]])


# -- random parameters ---------------------------------------------------------------
def test_random_parameters_follow_keras_draw_order_for_a_seed():
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=0.2,
                             height_shift_range=[-2, 2], shear_range=5,
                             zoom_range=[0.8, 1.2], horizontal_flip=True,
                             vertical_flip=True, channel_shift_range=10,
                             brightness_range=(0.5, 1.5))
    params = gen.get_random_transform((20, 30, 3), seed=5)
    r = np.random.RandomState(5)  # what np.random.seed(5) gives Keras
    theta = r.uniform(-30, 30)
    vertical = r.choice([-2, 2]) * r.choice([-1, 1])  # pixels: max >= 1
    horizontal = r.uniform(-0.2, 0.2) * 30  # a fraction of the 30 columns
    shear = r.uniform(-5, 5)
    zx, zy = r.uniform(0.8, 1.2, 2)
    flips = (r.random_sample() < 0.5, r.random_sample() < 0.5)
    expected = {"theta": theta, "tx": horizontal, "ty": vertical, "shear": shear,
                "zx": zx, "zy": zy, "flip_horizontal": flips[0],
                "flip_vertical": flips[1],
                "channel_shift_intensity": r.uniform(-10, 10),
                "brightness": r.uniform(0.5, 1.5)}
    assert params == pytest.approx(expected)
    assert gen.get_random_transform((20, 30, 3), seed=5) == params


def test_disabled_augmentations_give_identity_parameters():
    params = ImageDataGenerator().get_random_transform((8, 8, 1))
    assert (params["theta"], params["tx"], params["ty"], params["shear"]) == \
        (0, 0, 0, 0)
    assert (params["zx"], params["zy"]) == (1, 1)
    assert params["flip_horizontal"] is False and params["brightness"] is None


def test_int_shift_range_draws_whole_pixels_below_it():
    gen = ImageDataGenerator(width_shift_range=3)
    shifts = {gen.get_random_transform((9, 9, 1), seed=s)["tx"] for s in range(200)}
    assert shifts == {-2, -1, 0, 1, 2}


# -- geometry -------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"theta": 90}, {"theta": -37.0}, {"tx": 2.5, "ty": -1.0}, {"shear": 12.0},
    {"zx": 0.6, "zy": 0.8},
    {"theta": 20, "tx": 1, "ty": 2, "shear": 5, "zx": 0.9, "zy": 0.7},
])
def test_apply_transform_matches_keras_matrix(params):
    gen = ImageDataGenerator(fill_mode="nearest")
    out = gen.apply_transform(ramp(), params)[..., 0]
    m = keras_matrix(**params)
    y, x = np.mgrid[0:11, 0:11]
    src_x = m[0, 0] * x + m[0, 1] * y + m[0, 2]
    src_y = m[1, 0] * x + m[1, 1] * y + m[1, 2]
    inside = (src_x >= 0) & (src_x <= 10) & (src_y >= 0) & (src_y <= 10)
    assert inside.sum() > 40
    np.testing.assert_allclose(out[inside], (src_x + 100 * src_y)[inside],
                               atol=2e-3)


def test_rotation_by_90_degrees_is_counter_clockwise_and_exact():
    x = np.arange(25, dtype="float32").reshape(5, 5, 1)
    out = ImageDataGenerator().apply_transform(x, {"theta": 90})
    np.testing.assert_array_equal(out[..., 0], np.rot90(x[..., 0]))


@pytest.mark.parametrize("fill_mode, cval, row", [
    ("nearest", 0.0, [2, 3, 4, 4, 4]), ("constant", 9.0, [2, 3, 4, 9, 9]),
    ("wrap", 0.0, [2, 3, 4, 0, 1]), ("reflect", 0.0, [2, 3, 4, 4, 3]),
])
def test_fill_modes_on_a_shift(fill_mode, cval, row):
    x = np.tile(np.arange(5, dtype="float32"), (3, 1))[..., None]
    gen = ImageDataGenerator(fill_mode=fill_mode, cval=cval)
    out = gen.apply_transform(x, {"tx": 2})  # reads 2 columns further right
    np.testing.assert_array_equal(out[1, :, 0], row)


def test_flips_channel_shift_and_brightness():
    x = np.arange(12, dtype="float32").reshape(2, 3, 2)
    gen = ImageDataGenerator()
    np.testing.assert_array_equal(gen.apply_transform(x, {"flip_horizontal": True}),
                                  x[:, ::-1])
    np.testing.assert_array_equal(gen.apply_transform(x, {"flip_vertical": True}),
                                  x[::-1])
    shifted = gen.apply_transform(x, {"channel_shift_intensity": 5.0})
    np.testing.assert_array_equal(shifted, np.clip(x + 5, 0, 11))
    # Pillow's brightness on 8 bits: trunc(factor * value), clipped to 255.
    pixels = np.array([[[0.0], [10.7], [200.0]]], "float32")
    np.testing.assert_array_equal(apply_brightness_shift(pixels, 1.5, False)[0, :, 0],
                                  [0, 15, 255])
    # Outside 0..255 the image is stretched to 8 bits and mapped back.
    wide = np.array([[[-100.0], [0.0], [410.0]]], "float32")
    out = apply_brightness_shift(wide, 1.0, scale=False)[0, :, 0]
    np.testing.assert_allclose(out, [-100, 0, 410], atol=2.0)
    stretched = apply_brightness_shift(pixels, 1.0, scale=True)[0, :, 0]
    np.testing.assert_array_equal(stretched, [0, 13, 255])
    assert apply_channel_shift(x, -100.0).min() == 0


def test_channels_first_matches_channels_last():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (6, 9, 7, 3)).astype("float32")
    kwargs = {"rotation_range": 25, "width_shift_range": 0.2, "zoom_range": 0.2,
              "horizontal_flip": True}
    last = ImageDataGenerator(**kwargs).flow(x, batch_size=6, seed=3)[0]
    first = ImageDataGenerator(data_format="channels_first", **kwargs).flow(
        x.transpose(0, 3, 1, 2), batch_size=6, seed=3)[0]
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, atol=1e-4)


def test_apply_affine_transform_with_keras_default_axes():
    x = ramp(7)[..., 0][None]  # channels first: (1, 7, 7)
    out = apply_affine_transform(x, ty=1.0, fill_mode="nearest")
    np.testing.assert_array_equal(out[0, :-1], x[0, 1:])
    with pytest.raises(ValueError, match="permutation"):
        apply_affine_transform(x, row_axis=0, col_axis=0, channel_axis=2)
    with pytest.raises(ValueError, match="fill_mode"):
        apply_affine_transform(x, tx=1, fill_mode="mirror")


# -- standardization -----------------------------------------------------------------
def test_featurewise_statistics_from_fit():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 255, (20, 4, 5, 3)).astype("float32")
    gen = ImageDataGenerator(featurewise_center=True,
                             featurewise_std_normalization=True, rescale=1 / 255)
    gen.fit(x)
    scaled = x / 255
    mean = scaled.mean(axis=(0, 1, 2))
    std = (scaled - mean).std(axis=(0, 1, 2))
    np.testing.assert_allclose(gen.mean.ravel(), mean, rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), std, rtol=1e-5)
    out = gen.standardize(x[0].copy())
    np.testing.assert_allclose(out, (scaled[0] - mean) / (std + 1e-6), rtol=1e-4,
                               atol=1e-5)


def test_samplewise_and_preprocessing_function():
    gen = ImageDataGenerator(samplewise_center=True,
                             samplewise_std_normalization=True,
                             preprocessing_function=lambda img: img * 2.0 + 1.0)
    out = gen.standardize(np.arange(12, dtype="float32").reshape(2, 2, 3))
    assert abs(out.mean()) < 1e-6 and out.std() == pytest.approx(1.0, abs=1e-5)


def test_zca_whitening_decorrelates_the_fitted_images():
    rng = np.random.default_rng(2)
    mixing = rng.normal(size=(16, 16))
    x = (rng.normal(size=(400, 16)) @ mixing).reshape(400, 4, 4, 1)
    with pytest.warns(UserWarning, match="overrides setting of `featurewise_center`"):
        gen = ImageDataGenerator(zca_whitening=True)
    gen.fit(x)
    white = np.stack([gen.standardize(img.astype("float32"))
                      for img in x]).reshape(400, 16)
    np.testing.assert_allclose(white.T @ white / 400, np.eye(16), atol=2e-3)


def test_unfitted_featurewise_settings_warn():
    with pytest.warns(UserWarning, match="overrides setting"):
        gen = ImageDataGenerator(featurewise_std_normalization=True)
    assert gen.featurewise_center
    with pytest.warns(UserWarning, match="hasn't been fit"):
        gen.standardize(np.ones((2, 2, 1), "float32"))


def test_invalid_generator_arguments():
    for kwargs, message in [({"fill_mode": "mirror"}, "fill_mode"),
                            ({"validation_split": 1.5}, "validation_split"),
                            ({"zoom_range": [0.5, 1, 2]}, "zoom_range"),
                            ({"brightness_range": 0.5}, "brightness_range"),
                            ({"interpolation_order": 3}, "interpolation_order"),
                            ({"data_format": "NHWC"}, "data_format")]:
        with pytest.raises(ValueError, match=message):
            ImageDataGenerator(**kwargs)


# -- flow -------------------------------------------------------------------------
def test_flow_keeps_images_and_labels_together():
    x = np.arange(10, dtype="uint8")[:, None, None, None] * np.ones((1, 2, 2, 1),
                                                                    "uint8")
    it = ImageDataGenerator().flow(x, np.arange(10), batch_size=4, seed=0,
                                   sample_weight=np.arange(10) / 10)
    assert isinstance(it, baro.utils.PyDataset) and len(it) == 3
    seen = []
    for i in range(len(it)):
        images, labels, weights = it[i]
        assert images.dtype == np.float32
        np.testing.assert_array_equal(images[:, 0, 0, 0], labels)
        np.testing.assert_allclose(weights, labels / 10)
        seen += labels.tolist()
    assert sorted(seen) == list(range(10)) and seen != list(range(10))
    assert [len(next(it)) for _ in range(1)] == [3]
    sizes = [len(next(it)[1]) for _ in range(6)]  # endless, 4 4 2 per pass
    assert sizes == [4, 2, 4, 4, 2, 4]
    only_x = ImageDataGenerator().flow(x, batch_size=5, shuffle=False)
    np.testing.assert_array_equal(only_x[1][:, 0, 0, 0], [5, 6, 7, 8, 9])


def test_flow_is_reproducible_by_seed_and_reshuffles_each_epoch():
    x = np.random.default_rng(0).uniform(0, 255, (12, 6, 6, 1)).astype("float32")
    gen = ImageDataGenerator(rotation_range=40, zoom_range=0.3)
    a, b = gen.flow(x, batch_size=12, seed=4), gen.flow(x, batch_size=12, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], gen.flow(x, batch_size=12, seed=5)[0])
    order = a.index_array.copy()
    a.on_epoch_end()
    assert sorted(a.index_array) == sorted(order)
    assert not np.array_equal(a.index_array, order)


def test_flow_subsets_extras_and_errors():
    x = np.zeros((10, 2, 2, 1))
    y = np.array([0, 1] * 5)
    gen = ImageDataGenerator(validation_split=0.3)
    valid = gen.flow(x, y, subset="validation", shuffle=False)
    train = gen.flow(x, y, subset="training", shuffle=False)
    assert (valid.n, train.n) == (3, 7)  # Keras 2: the first 30% validate
    np.testing.assert_array_equal(valid[0][1], [0, 1, 0])
    with pytest.raises(ValueError, match="different classes"):
        gen.flow(x, np.sort(y), subset="validation")
    gen.flow(x, np.sort(y), subset="validation", ignore_class_split=True)
    extra = np.arange(10)
    (images, extra_batch), labels = ImageDataGenerator().flow(
        (x, extra), y, batch_size=4, shuffle=False)[0]
    np.testing.assert_array_equal(extra_batch, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((10, 2, 2)))
    with pytest.raises(ValueError, match="same length"):
        ImageDataGenerator().flow(x, y[:5])
    with pytest.raises(ValueError, match="subset"):
        gen.flow(x, y, subset="test")


def test_flow_saves_augmented_images(tmp_path):
    pytest.importorskip("PIL")
    x = np.random.default_rng(0).uniform(0, 255, (3, 4, 4, 3))
    it = ImageDataGenerator().flow(x, batch_size=3, save_to_dir=str(tmp_path),
                                   save_prefix="aug")
    it[0]
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 3 and all(n.startswith("aug_") and n.endswith(".png")
                                   for n in names)


# -- flow_from_directory -------------------------------------------------------------
@pytest.fixture
def image_folder(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    values = {"cats/a.png": 10, "cats/b.png": 20, "cats/sub/c.png": 30,
              "dogs/d.png": 40, "dogs/e.jpg": 50}
    for name, value in values.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pil.fromarray(np.full((5, 7, 3), value, "uint8")).save(path)
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    return tmp_path


def test_flow_from_directory_reads_classes_in_keras_order(image_folder, capsys):
    it = ImageDataGenerator(rescale=1 / 10).flow_from_directory(
        image_folder, target_size=(5, 7), batch_size=5, shuffle=False)
    assert capsys.readouterr().out == "Found 5 images belonging to 2 classes.\n"
    assert it.class_indices == {"cats": 0, "dogs": 1}
    assert it.classes.tolist() == [0, 0, 0, 1, 1] and it.samples == 5
    assert it.filenames == [os.path.join("cats", "a.png"),
                            os.path.join("cats", "b.png"),
                            os.path.join("cats", "sub", "c.png"),
                            os.path.join("dogs", "d.png"),
                            os.path.join("dogs", "e.jpg")]
    images, labels = it[0]
    assert images.shape == (5, 5, 7, 3)
    np.testing.assert_allclose(images[:, 0, 0, 0], [1, 2, 3, 4, 5], atol=0.11)
    np.testing.assert_array_equal(labels, np.eye(2)[[0, 0, 0, 1, 1]])


@pytest.mark.parametrize("class_mode", ["binary", "sparse", "input", None])
def test_flow_from_directory_class_modes(image_folder, class_mode):
    it = ImageDataGenerator().flow_from_directory(
        image_folder, target_size=(3, 3), color_mode="grayscale",
        class_mode=class_mode, batch_size=5, shuffle=False)
    batch = it[0]
    if class_mode is None:
        assert batch.shape == (5, 3, 3, 1)
        return
    images, targets = batch
    assert images.shape == (5, 3, 3, 1)
    if class_mode == "input":
        np.testing.assert_array_equal(targets, images)
    else:
        assert targets.dtype == np.float32
        assert targets.tolist() == [0, 0, 0, 1, 1]


def test_flow_from_directory_subsets_classes_and_errors(image_folder):
    gen = ImageDataGenerator(validation_split=0.5)
    valid = gen.flow_from_directory(image_folder, target_size=(2, 2),
                                    subset="validation", shuffle=False)
    train = gen.flow_from_directory(image_folder, target_size=(2, 2),
                                    subset="training", shuffle=False)
    # Per class the first int(0.5 * files) validate: cats 1 of 3, dogs 1 of 2.
    assert valid.classes.tolist() == [0, 1] and train.classes.tolist() == [0, 0, 1]
    dogs = gen.flow_from_directory(image_folder, classes=["dogs"],
                                   target_size=(2, 2))
    assert dogs.samples == 2 and dogs.class_indices == {"dogs": 0}
    with pytest.raises(FileNotFoundError):
        gen.flow_from_directory(image_folder / "nowhere")
    with pytest.raises(ValueError, match="class_mode"):
        gen.flow_from_directory(image_folder, class_mode="one-hot")
    with pytest.raises(ValueError, match="color_mode"):
        gen.flow_from_directory(image_folder, color_mode="cmyk")


# -- sequence and text ---------------------------------------------------------------
def test_timeseries_generator_keras_docs_example():
    data = np.array([[i] for i in range(50)])
    targets = np.array([[i] for i in range(50)])
    gen = sequence.TimeseriesGenerator(data, targets, length=10, sampling_rate=2,
                                       batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(x, [[[0], [2], [4], [6], [8]],
                                      [[1], [3], [5], [7], [9]]])
    np.testing.assert_array_equal(y, [[10], [11]])
    x, y = sequence.TimeseriesGenerator(data, targets, length=3, reverse=True,
                                        stride=5, batch_size=4)[0]
    np.testing.assert_array_equal(x[:, :, 0], [[2, 1, 0], [7, 6, 5], [12, 11, 10],
                                               [17, 16, 15]])
    shuffled = sequence.TimeseriesGenerator(data, targets, length=4, shuffle=True,
                                            batch_size=8, seed=0)
    x, y = shuffled[0]
    np.testing.assert_array_equal(x[:, -1, 0] + 1, y[:, 0])
    with pytest.raises(ValueError, match="same length"):
        sequence.TimeseriesGenerator(data, targets[:3], length=2)
    with pytest.raises(ValueError, match="no row would be left"):
        sequence.TimeseriesGenerator(data[:5], targets[:5], length=5)


def test_timeseries_generator_feeds_fit():
    series = np.sin(np.arange(300) * 0.1).astype("float32")[:, None]
    gen = sequence.TimeseriesGenerator(series, series, length=8, batch_size=32)
    baro.utils.set_random_seed(0)
    model = baro.keras.Sequential([baro.keras.layers.Flatten(input_shape=(8, 1)),
                                   baro.keras.layers.Dense(1)])
    model.compile(optimizer=baro.keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(gen, epochs=30, verbose=0)
    assert len(gen) == 10  # rows 8 .. 299: 292 windows in batches of 32
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]


def test_skipgrams_and_sampling_table():
    couples, labels = sequence.skipgrams([1, 2, 0, 3], vocabulary_size=5,
                                         window_size=2, negative_samples=0,
                                         shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]] and labels == [1] * 4
    couples, labels = sequence.skipgrams([1, 2, 3, 4], 10, window_size=1,
                                         negative_samples=2.0, seed=3)
    assert len(couples) == 18 and labels.count(1) == 6 and labels.count(0) == 12
    assert all(1 <= pair[1] <= 9 for pair, label in zip(couples, labels,
                                                         strict=True) if not label)
    assert sequence.skipgrams([1, 2, 3, 4], 10, seed=3) == \
        sequence.skipgrams([1, 2, 3, 4], 10, seed=3)
    _, labels = sequence.skipgrams([1, 2], 4, negative_samples=0, categorical=True)
    assert labels == [[0, 1], [0, 1]]
    table = sequence.make_sampling_table(1000)
    assert np.all(np.diff(table) >= 0) and table.max() <= 1.0
    rank = 500
    expected = np.sqrt(1e-5 * (rank * (np.log(rank) + 0.577) + 0.5 - 1 / (12 * rank)))
    assert table[rank] == pytest.approx(expected)
    assert sequence.pad_sequences is baro.utils.pad_sequences


def test_hashing_trick_and_one_hot():
    codes = text.hashing_trick("The cat, the hat!", 100, hash_function="md5")
    expected = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 99 + 1
                for w in ["the", "cat", "the", "hat"]]
    assert codes == expected
    assert text.hashing_trick("a b", 7, hash_function=len) == [2, 2]
    one_hot = text.one_hot("Dog bites dog", 20)
    assert one_hot[0] == one_hot[2] and all(1 <= c < 20 for c in one_hot)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        text.hashing_trick("a", 1)
    assert text.Tokenizer is baro.utils.Tokenizer


# -- Keras 2 module paths ------------------------------------------------------------
def test_keras2_layer_modules_alias_baro_layers():
    from baro.keras.layers import (
        advanced_activations,
        convolutional,
        core,
        embeddings,
        merge,
        noise,
        normalization,
        pooling,
        recurrent,
        wrappers,
    )

    for module in (advanced_activations, convolutional, core, embeddings, merge,
                   noise, normalization, pooling, recurrent, wrappers):
        for name in module.__all__:
            expected = "Conv2DTranspose" if name.startswith("Deconv") else name
            assert getattr(module, name) is getattr(baro.layers, expected), name
    from baro.keras.layers.convolutional import Conv2D, MaxPooling2D  # Keras 2
    assert (Conv2D, MaxPooling2D) == (baro.layers.Conv2D, baro.layers.MaxPooling2D)
    assert baro.keras.layers.Dense is baro.layers.Dense


def test_keras2_utils_modules(tmp_path):
    from baro.keras.utils import np_utils, vis_utils

    assert np_utils.to_categorical([1, 0], dtype="int64").dtype == np.int64
    assert baro.keras.utils.to_categorical is np_utils.to_categorical
    np.testing.assert_allclose(np_utils.normalize([[3.0, 4.0]]), [[0.6, 0.8]])
    pytest.importorskip("matplotlib")
    model = baro.keras.Sequential([baro.keras.layers.Dense(2, input_dim=3)])
    vis_utils.plot_model(model, to_file=str(tmp_path / "m.png"), show_shapes=True)
    assert (tmp_path / "m.png").stat().st_size > 0
    assert image.load_img is baro.utils.load_img
