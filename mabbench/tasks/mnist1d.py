"""MNIST-1D (Greydanus 2020, "Scaling down deep learning"): ten 1-D digit
templates, padded, sheared, translated and noised into 40-sample signals.

The ``mnist1d`` package generates it offline from its templates with its
default arguments, those of the published ``mnist1d_data.pkl`` (not compared
byte for byte with that file: it is a download). The package's own
``get_dataset`` would download the pickle, so it is never called. The
generated arrays are cached as one ``.npz`` under
``<data_dir>/mnist1d/<key>.npz`` so a later load reads them in milliseconds.

The split keeps the publisher's test set (the last ``1 - train_split`` of the
generated rows) through :func:`image.official_splits`, on the signals viewed
as 1 x 1 x 40 images; the inputs then come back as (N, 40) rows with
``info["in_features"] = 40``, so a 1-D CNN (model=cnn1d) or an MLP (model=mlp)
reads them.
"""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

import numpy as np

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits
from mabbench.tasks.cache import dataset_dir
from mabbench.tasks.image import ImageArrays, official_splits

CACHE_VERSION = 1  # part of the cache key: a changed recipe never reads stale arrays


def generate(num_samples: int, seed: int) -> dict[str, np.ndarray]:
    """The package's ``make_dataset`` with its default arguments but these two.

    It seeds Python's and NumPy's global generators; their states are put back
    so loading data never changes what a later draw gives."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, seed
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(args)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
    return {key: np.asarray(data[key]) for key in ("x", "y", "x_test", "y_test")}


def cached_arrays(folder: Path, num_samples: int, seed: int) -> dict[str, np.ndarray]:
    path = folder / f"v{CACHE_VERSION}-n{num_samples}-seed{seed}.npz"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        arrays = generate(num_samples, seed)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, **arrays)
        Path(tmp.name).replace(path)  # the file appears complete or not at all
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


def as_rows(splits: Splits) -> Splits:
    """(N, 1, 1, L) signals -> (N, L) rows, every data role alike."""
    for role, value in vars(splits).items():
        if isinstance(value, Split):
            signal = value.inputs[0]
            setattr(splits, role, Split((signal.reshape(len(signal), -1),), value.targets))
    splits.info = {"in_features": int(splits.info["image_width"])}
    return splits


@DATASETS.register("mnist1d")
def load_mnist1d(cfg, split, seed: int, data_dir: Path) -> Splits:
    data = cached_arrays(dataset_dir(data_dir, cfg.name), cfg.num_samples, cfg.generator_seed)
    arrays = ImageArrays(
        train_images=data["x"].astype(np.float32)[:, None, None, :],
        train_labels=data["y"].astype(np.int64),
        test_images=data["x_test"].astype(np.float32)[:, None, None, :],
        test_labels=data["y_test"].astype(np.int64),
    )
    return as_rows(official_splits(arrays, split, seed))


load_mnist1d.data_version = CACHE_VERSION  # enters the dense hash (store._determinants)
