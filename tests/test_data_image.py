"""Image datasets: offline sets load, online parsers read the real formats,
offline requests for online sets fail in one line, users' folders load."""
from __future__ import annotations

import gzip
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch
from PIL import Image

from mabbench.config.errors import ConfigError
from mabbench.tasks import load_splits
from mabbench.tasks.image import official_splits
from mabbench.tasks.image_online import read_cifar10, read_cifar100, read_mnist, read_svhn
from mabbench.trial.training import dense_model

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("name, shape, n_total", [("digits", (1, 8, 8), 1797),
                                                  ("mnist5k", (1, 28, 28), 5000)])
def test_offline_image_sets_load_with_expected_shapes(make_cfg, name, shape, n_total):
    splits = load_splits(make_cfg("task=image", f"dataset={name}"))
    parts = (splits.train, splits.prune, splits.select, splits.test)
    assert sum(len(p) for p in parts) == n_total
    assert splits.n_outputs == 10
    assert splits.info["in_channels"] == shape[0] and splits.info["image_size"] == shape[1]
    for part in parts:
        (images,) = part.inputs
        assert images.shape[1:] == shape and images.dtype == torch.float32
        assert torch.isfinite(images).all()
        assert set(part.targets.tolist()) == set(range(10))  # stratified: every class everywhere
    # standardised on train only: train is centred, the others only roughly
    assert abs(splits.train.inputs[0].mean().item()) < 1e-4


def test_split_is_fixed_by_the_seed(make_cfg):
    first = load_splits(make_cfg("task=image", "seed=3"))
    again = load_splits(make_cfg("task=image", "seed=3"))
    other = load_splits(make_cfg("task=image", "seed=4"))
    assert torch.equal(first.test.inputs[0], again.test.inputs[0])
    assert not torch.equal(first.test.inputs[0], other.test.inputs[0])


def test_lenet_on_digits_clearly_beats_the_majority_class(make_cfg):
    cfg = make_cfg("task=image", "task.train.epochs=3")
    splits = load_splits(cfg)
    model, _ = dense_model(cfg, splits, torch.device("cpu"))
    with torch.no_grad():
        accuracy = (model(*splits.test.inputs).argmax(1) == splits.test.targets).float().mean()
    majority = torch.bincount(splits.train.targets).max().item() / len(splits.train)
    assert accuracy > majority + 0.5


# ---- online parsers on small files in the publishers' formats -------------

def _images(n: int, *shape: int) -> np.ndarray:
    return RNG.integers(0, 256, size=(n, *shape), dtype=np.uint8)


def _write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = np.array([magic, *array.shape], dtype=">i4").tobytes()
    with gzip.open(path, "wb") as out:
        out.write(header + array.tobytes())


def test_mnist_idx_files_are_parsed(tmp_path):
    train_x, test_x = _images(12, 28, 28), _images(5, 28, 28)
    train_y, test_y = np.arange(12, dtype=np.uint8) % 10, np.arange(5, dtype=np.uint8)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", 2051, train_x)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", 2049, train_y)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", 2051, test_x)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", 2049, test_y)
    arrays = read_mnist(tmp_path)
    assert np.array_equal(arrays.train_images[:, 0], train_x)
    assert np.array_equal(arrays.test_labels, test_y)


def _write_cifar(tmp_path: Path, archive: str, folder: str, files: dict[str, dict]) -> None:
    root = tmp_path / "build" / folder
    root.mkdir(parents=True)
    for name, content in files.items():
        (root / name).write_bytes(pickle.dumps(content))
    with tarfile.open(tmp_path / archive, "w:gz") as tar:
        tar.add(root, arcname=folder)


def test_cifar10_batches_are_parsed(tmp_path):
    batches = {f"data_batch_{i}": {"data": _images(4, 3072), "labels": [i, i, 0, 1]}
               for i in range(1, 6)}
    test = {"data": _images(3, 3072), "labels": [9, 8, 7]}
    _write_cifar(tmp_path, "cifar-10-python.tar.gz", "cifar-10-batches-py",
                 {**batches, "test_batch": test, "batches.meta": {"label_names": ["a"] * 10}})
    arrays = read_cifar10(tmp_path)
    assert arrays.train_images.shape == (20, 3, 32, 32)
    # CHW as the publisher stores it: the first 1024 bytes are the red plane
    assert np.array_equal(arrays.train_images[0, 0].ravel(), batches["data_batch_1"]["data"][0, :1024])
    assert arrays.train_labels.tolist()[:4] == [1, 1, 0, 1]
    assert arrays.test_labels.tolist() == [9, 8, 7]


def test_cifar100_files_are_parsed(tmp_path):
    train = {"data": _images(6, 3072), "fine_labels": [0, 99, 5, 5, 1, 2], "coarse_labels": [0] * 6}
    test = {"data": _images(2, 3072), "fine_labels": [42, 7], "coarse_labels": [0, 0]}
    _write_cifar(tmp_path, "cifar-100-python.tar.gz", "cifar-100-python",
                 {"train": train, "test": test, "meta": {"fine_label_names": ["x"] * 100}})
    arrays = read_cifar100(tmp_path)
    assert arrays.train_labels.tolist() == [0, 99, 5, 5, 1, 2]
    assert arrays.test_images.shape == (2, 3, 32, 32)


def test_svhn_mat_files_are_parsed_and_label_10_is_digit_0(tmp_path):
    train_x = _images(32, 32, 3, 7).reshape(32, 32, 3, 7)  # (H, W, C, N) as published
    labels = np.array([[10], [1], [2], [3], [4], [5], [6]])
    scipy.io.savemat(tmp_path / "train_32x32.mat", {"X": train_x, "y": labels})
    scipy.io.savemat(tmp_path / "test_32x32.mat", {"X": train_x[..., :2], "y": np.array([[10], [9]])})
    arrays = read_svhn(tmp_path)
    assert arrays.train_images.shape == (7, 3, 32, 32)
    assert np.array_equal(arrays.train_images[0, 1], train_x[:, :, 1, 0])
    assert arrays.train_labels.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert arrays.test_labels.tolist() == [0, 9]


def test_official_test_set_is_kept_and_prune_select_come_from_train(tmp_path, make_cfg):
    cfg = make_cfg("task=image")
    train_x = np.repeat(np.arange(40, dtype=np.uint8), 3 * 4 * 4).reshape(40, 3, 4, 4)
    from mabbench.tasks.image import ImageArrays
    arrays = ImageArrays(train_x, np.arange(40) % 4, _images(6, 3, 4, 4), np.arange(6) % 4)
    splits = official_splits(arrays, cfg.task.split, seed=0)
    assert len(splits.test) == 6 and len(splits.train) + len(splits.prune) + len(splits.select) == 40
    assert splits.n_outputs == 4 and splits.info["in_channels"] == 3
    limited = official_splits(arrays, cfg.task.split, seed=0, limit=28)
    assert len(limited.train) + len(limited.prune) + len(limited.select) == 28


# ---- offline: one line, nothing written -----------------------------------

@pytest.mark.parametrize("name", ["mnist", "cifar10", "cifar100", "svhn"])
def test_online_set_offline_gives_one_line_and_writes_nothing(make_cfg, monkeypatch, name):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")
    cfg = make_cfg("task=image", f"dataset={name}")
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    message = str(error.value)
    assert "\n" not in message and f"dataset={name}" in message
    assert str(Path(cfg.runtime.data_dir) / name) in message
    assert "digits" in message and "mnist5k" in message
    assert not Path(cfg.runtime.data_dir).exists()


# ---- users' own folder tree -----------------------------------------------

def test_image_folder_tree_is_resized_and_split(tmp_path, make_cfg):
    for label, colour in (("cat", 40), ("dog", 200)):
        (tmp_path / "tree" / label).mkdir(parents=True)
        for i in range(10):
            size = (12 + i, 9)  # different sizes: the loader resizes
            Image.new("RGB", size, (colour, i, 0)).save(tmp_path / "tree" / label / f"{i}.png")
    cfg = make_cfg("task=image", "dataset=image_folder", f"dataset.path={tmp_path / 'tree'}",
                   "dataset.image_size=8")
    splits = load_splits(cfg)
    assert splits.n_outputs == 2 and splits.info == {"in_channels": 3, "image_size": 8,
                                                     "image_width": 8}
    assert sum(len(s) for s in (splits.train, splits.prune, splits.select, splits.test)) == 20
    assert splits.test.inputs[0].shape[1:] == (3, 8, 8)


@pytest.mark.parametrize("path", [None, "nope"])
def test_image_folder_without_a_folder_is_one_line(tmp_path, make_cfg, path):
    given = [] if path is None else [f"dataset.path={tmp_path / path}"]
    with pytest.raises(ConfigError, match="dataset.path"):
        load_splits(make_cfg("task=image", "dataset=image_folder", *given))
