"""Image files with Pillow: round trips, resizing, and folders of classes."""

import io
import os
import sys

import numpy as np
import pytest

from baro.utils import image_utils
from baro.utils.image_utils import (
    array_to_img,
    image_dataset_from_directory,
    img_to_array,
    load_img,
    save_img,
)


@pytest.fixture(autouse=True)
def _pillow(request):
    """Every test needs Pillow except the one that pretends it is missing."""
    if request.node.name != "test_missing_pillow_names_the_extra":
        pytest.importorskip("PIL", exc_type=ImportError)


def test_missing_pillow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match=r"pip install 'baro\[image\]'"):
        load_img("anything.png")
    with pytest.raises(ImportError, match="Pillow"):
        image_dataset_from_directory(".")


def _rgb(seed: int, shape=(5, 7, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


def test_png_round_trip_is_exact(tmp_path):
    image = _rgb(0)
    save_img(tmp_path / "a.png", image, scale=False)
    loaded = img_to_array(load_img(tmp_path / "a.png"))
    assert loaded.dtype == np.float32 and loaded.shape == (5, 7, 3)
    assert np.array_equal(loaded, image)
    assert os.listdir(tmp_path) == ["a.png"]  # no temporary file left


def test_saved_file_has_ordinary_permissions(tmp_path):
    save_img(tmp_path / "a.png", _rgb(0))
    (tmp_path / "b.txt").write_text("reference")
    mode = os.stat(tmp_path / "a.png").st_mode & 0o777
    assert mode == os.stat(tmp_path / "b.txt").st_mode & 0o777


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path,
                                                                monkeypatch):
    from PIL import Image

    save_img(tmp_path / "a.png", _rgb(0), scale=False)
    before = (tmp_path / "a.png").read_bytes()

    def broken_save(self, fp, format=None, **kwargs):
        fp.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_img(tmp_path / "a.png", _rgb(1))
    assert os.listdir(tmp_path) == ["a.png"]
    assert (tmp_path / "a.png").read_bytes() == before


def test_grayscale_rgba_and_channels_first(tmp_path):
    gray = _rgb(1, (4, 6, 1))
    save_img(str(tmp_path / "g.png"), gray, scale=False)
    img = load_img(tmp_path / "g.png", color_mode="grayscale")
    assert img.mode == "L" and np.array_equal(img_to_array(img), gray)
    rgba = _rgb(2, (4, 6, 4))
    save_img(tmp_path / "c.png", rgba.transpose(2, 0, 1), data_format="channels_first",
             scale=False)
    loaded = img_to_array(load_img(tmp_path / "c.png", color_mode="rgba"),
                          data_format="channels_first")
    assert loaded.shape == (4, 4, 6) and np.array_equal(loaded, rgba.transpose(2, 0, 1))


def test_array_to_img_scales_to_the_full_range():
    x = np.array([[[-1.0], [0.0]], [[1.0], [3.0]]])
    img = array_to_img(x)
    assert img.mode == "L"
    assert np.asarray(img).tolist() == [[0, 63], [127, 255]]
    assert array_to_img(np.full((2, 2, 1), 1000.0), scale=False).mode == "I"
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channels"):
        array_to_img(np.zeros((2, 2, 2)))


def test_load_img_resizes_and_keeps_aspect_ratio(tmp_path):
    # 4 rows x 8 columns: left half 0, right half 255.
    image = np.zeros((4, 8, 3), np.uint8)
    image[:, 4:] = 255
    save_img(tmp_path / "wide.png", image, scale=False)
    resized = img_to_array(load_img(tmp_path / "wide.png", target_size=(2, 4)))
    assert resized.shape == (2, 4, 3)
    assert resized[0, :, 0].tolist() == [0, 0, 255, 255]  # nearest, the default
    # keep_aspect_ratio crops the centre 4x4 (columns 2..5) before resizing.
    cropped = img_to_array(load_img(tmp_path / "wide.png", target_size=(2, 2),
                                    keep_aspect_ratio=True))
    assert cropped[0, :, 0].tolist() == [0, 255]
    with pytest.raises(ValueError, match="interpolation"):
        load_img(tmp_path / "wide.png", target_size=(2, 2), interpolation="cubic")


def test_load_img_from_bytes_and_bad_paths(tmp_path):
    buffer = io.BytesIO()
    array_to_img(_rgb(3), scale=False).save(buffer, format="PNG")
    buffer.seek(0)
    assert np.array_equal(img_to_array(load_img(buffer)), _rgb(3))
    with pytest.raises(TypeError, match="path must be"):
        load_img(42)
    with pytest.raises(FileNotFoundError, match="no image file"):
        load_img(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="color_mode"):
        load_img(io.BytesIO(buffer.getvalue()), color_mode="cmyk")


def test_save_img_formats(tmp_path):
    with pytest.raises(ValueError, match="file_format"):
        save_img(tmp_path / "x.unknown", _rgb(4))
    save_img(tmp_path / "x.bin", _rgb(4), file_format="png", scale=False)
    assert np.array_equal(img_to_array(load_img(tmp_path / "x.bin")), _rgb(4))
    with pytest.warns(UserWarning, match="RGBA"):
        save_img(tmp_path / "x.jpg", _rgb(5, (4, 4, 4)))
    assert load_img(tmp_path / "x.jpg").size == (4, 4)


def _make_folder(root, sizes=None):
    """cats/ (3 images) and dogs/ (2): red-ish cats, blue-ish dogs, so a label
    can be checked against its pixels. Plus files and folders to ignore."""
    sizes = sizes or {}
    for name, count, channel in (("cats", 3, 0), ("dogs", 2, 2)):
        (root / name).mkdir()
        for i in range(count):
            shape = sizes.get((name, i), (6, 8))
            image = np.zeros(shape + (3,), np.uint8)
            image[..., channel] = 200 + i
            ext = ".png" if i % 2 == 0 else ".BMP"
            save_img(root / name / f"img{i}{ext}", image, scale=False)
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    save_img(root / ".hidden" / "x.png", np.zeros((2, 2, 3)), scale=False)
    return root


def _label_from_pixels(images):
    return (images[..., 2].mean(axis=(1, 2)) > images[..., 0].mean(axis=(1, 2))) \
        .astype(int)


def test_inferred_labels_sorted_order_and_resizing(tmp_path, capsys):
    folder = _make_folder(tmp_path)
    ds = image_dataset_from_directory(folder, image_size=(4, 5), batch_size=2,
                                      shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 3
    assert [os.path.basename(p) for p in ds.file_paths] == \
        ["img0.png", "img1.BMP", "img2.png", "img0.png", "img1.BMP"]
    images, labels = ds[0]
    assert images.shape == (2, 4, 5, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0]
    assert images[1, 0, 0].tolist() == [201.0, 0.0, 0.0]
    all_labels = np.concatenate([ds[i][1] for i in range(len(ds))])
    all_images = np.concatenate([ds[i][0] for i in range(len(ds))])
    assert all_labels.tolist() == [0, 0, 0, 1, 1]
    assert np.array_equal(_label_from_pixels(all_images), all_labels)


def test_shuffle_matches_keras_file_order_and_keeps_labels(tmp_path):
    folder = _make_folder(tmp_path)
    ordered = image_dataset_from_directory(folder, shuffle=False, verbose=False)
    shuffled = image_dataset_from_directory(folder, seed=5, batch_size=5,
                                            image_size=(3, 3), verbose=False)
    expected = list(ordered.file_paths)
    np.random.RandomState(5).shuffle(expected)
    assert shuffled.file_paths == expected
    images, labels = shuffled[0]
    assert np.array_equal(_label_from_pixels(images), labels)
    shuffled.on_epoch_end()
    images, labels = shuffled[0]
    assert np.array_equal(_label_from_pixels(images), labels)


def test_label_modes_color_modes_and_unbatched(tmp_path):
    folder = _make_folder(tmp_path)
    common = {"image_size": (3, 3), "shuffle": False, "verbose": False}
    _, onehot = image_dataset_from_directory(folder, label_mode="categorical",
                                             **common)[0]
    assert onehot.dtype == np.float32 and onehot[-1].tolist() == [0.0, 1.0]
    _, binary = image_dataset_from_directory(folder, label_mode="binary",
                                             **common)[0]
    assert binary.shape == (5, 1) and binary[:, 0].tolist() == [0, 0, 0, 1, 1]
    # Without labels the whole tree is read, hidden folder included (Keras).
    images = image_dataset_from_directory(folder, label_mode=None,
                                          color_mode="grayscale", **common)[0]
    assert isinstance(images, np.ndarray) and images.shape == (6, 3, 3, 1)
    single = image_dataset_from_directory(folder, batch_size=None, **common)
    assert len(single) == 5 and single[0][0].shape == (3, 3, 3)
    assert int(single[4][1]) == 1
    first = image_dataset_from_directory(folder, data_format="channels_first",
                                         **common)[0][0]
    assert first.shape == (5, 3, 3, 3)


def test_explicit_labels_class_names_and_no_labels(tmp_path):
    folder = _make_folder(tmp_path)
    common = {"image_size": (2, 2), "shuffle": False, "verbose": False}
    # Explicit labels follow the sorted walk of the whole tree: .hidden/x.png,
    # then cats/, then dogs/ (only inferred classes skip hidden folders).
    ds = image_dataset_from_directory(folder, labels=np.array([9, 4, 4, 4, 7, 7]),
                                      **common)
    assert ds.class_names == ["4", "7", "9"]
    assert ds[0][1].tolist() == [9, 4, 4, 4, 7, 7]
    assert os.path.basename(os.path.dirname(ds.file_paths[0])) == ".hidden"
    only_dogs = image_dataset_from_directory(folder, class_names=["dogs"], **common)
    assert len(only_dogs.file_paths) == 2 and only_dogs[0][1].tolist() == [0, 0]
    no_labels = image_dataset_from_directory(folder, labels=None, **common)
    assert no_labels.class_names is None and no_labels[0].shape == (6, 2, 2, 3)
    with pytest.raises(ValueError, match=r"labels 0 \.\. 2"):
        image_dataset_from_directory(folder, labels=[9, 4, 4, 4, 7, 7],
                                     label_mode="categorical", **common)
    with pytest.raises(ValueError, match="6 image files"):
        image_dataset_from_directory(folder, labels=[0, 1], **common)
    with pytest.raises(ValueError, match="subfolders"):
        image_dataset_from_directory(folder, class_names=["birds"], **common)
    with pytest.raises(ValueError, match="class_names can only"):
        image_dataset_from_directory(folder, labels=None, class_names=["cats"],
                                     **common)


def test_validation_split_subsets_partition_the_files(tmp_path):
    folder = _make_folder(tmp_path)
    common = {"image_size": (2, 2), "seed": 1, "validation_split": 0.4,
              "verbose": False}
    train = image_dataset_from_directory(folder, subset="training", **common)
    val = image_dataset_from_directory(folder, subset="validation", **common)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert sorted(train.file_paths + val.file_paths) == \
        sorted(image_dataset_from_directory(folder, verbose=False).file_paths)
    both = image_dataset_from_directory(folder, subset="both", **common)
    assert both[0].file_paths == train.file_paths
    assert both[1].file_paths == val.file_paths and not both[1].shuffle


def test_crop_and_pad_to_aspect_ratio(tmp_path):
    folder = tmp_path / "data"
    (folder / "only").mkdir(parents=True)
    image = np.zeros((4, 8, 3), np.uint8)
    image[:, 2:6] = 255  # a white centre square in a wide black image
    save_img(folder / "only" / "a.png", image, scale=False)
    common = {"image_size": (2, 2), "interpolation": "nearest", "verbose": False}
    cropped = image_dataset_from_directory(folder, crop_to_aspect_ratio=True,
                                           **common)[0][0]
    assert cropped.min() == 255  # only the white centre survives
    padded = image_dataset_from_directory(folder, pad_to_aspect_ratio=True,
                                          **common)[0][0]
    assert padded.shape == (1, 2, 2, 3)


@pytest.mark.parametrize("kwargs, match", [
    ({"validation_split": 0.2, "subset": "training"}, "pass a seed"),
    ({"validation_split": 0.2}, "together"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, r"in \(0, 1\)"),
    ({"subset": "test", "validation_split": 0.2, "seed": 1}, "subset must be"),
    ({"label_mode": "sparse"}, "label_mode"),
    ({"color_mode": "cmyk"}, "color_mode"),
    ({"image_size": (1, 2, 3)}, "image_size"),
    ({"interpolation": "cubic"}, "interpolation"),
    ({"labels": "folders"}, "labels must be"),
    ({"batch_size": 0}, "batch_size"),
])
def test_invalid_arguments(tmp_path, kwargs, match):
    folder = _make_folder(tmp_path)
    with pytest.raises(ValueError, match=match):
        image_dataset_from_directory(folder, verbose=False, **kwargs)


def test_binary_needs_two_classes_and_folder_must_exist(tmp_path):
    folder = _make_folder(tmp_path)
    (folder / "birds").mkdir()
    save_img(folder / "birds" / "b.png", _rgb(6), scale=False)
    with pytest.raises(ValueError, match="exactly 2"):
        image_dataset_from_directory(folder, label_mode="binary", verbose=False)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        image_dataset_from_directory(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="no images found"):
        image_dataset_from_directory(empty, verbose=False)


def test_allowlist_matches_keras():
    assert image_utils.ALLOWLIST_FORMATS == (".bmp", ".gif", ".jpeg", ".jpg", ".png")
