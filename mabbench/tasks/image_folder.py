"""Users' own images: a folder tree read by torchvision's ImageFolder.

``dataset=image_folder dataset.path=DIR`` where DIR holds one sub-folder per
class (``DIR/cat/1.png``, ``DIR/dog/7.jpg`` ...), split into the four data roles by the
seed; or ``DIR/train/<class>/...`` and ``DIR/test/<class>/...``, whose test
folder is kept as the test split. Every image is resized to
``dataset.image_size`` square (and made grayscale if ``dataset.grayscale``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.tasks import DATASETS
from mabbench.tasks.base import Splits
from mabbench.tasks.image import ImageArrays, image_splits, official_splits


def read_folder(root: Path, image_size: int, grayscale: bool,
                classes: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """All images under ``root/<class>/`` -> (N, C, S, S) float32 in [0, 1], labels, class names.

    ``classes`` pins the label order (the test folder uses the train folder's)."""
    from torchvision import datasets as tv  # torchvision loads here, not at start-up
    from torchvision import transforms

    mode = "L" if grayscale else "RGB"  # every file converted, whatever its own mode

    def load(path: str):
        return tv.folder.default_loader(path).convert(mode)

    resize = transforms.Compose([transforms.Resize((image_size, image_size)),
                                 transforms.ToTensor()])
    folder = tv.ImageFolder(str(root), transform=resize, loader=load)
    if classes is not None and folder.classes != classes:
        raise ConfigError(f"dataset.path: {root} has classes {folder.classes}, "
                          f"the train folder has {classes}")
    images = torch.stack([folder[i][0] for i in range(len(folder))]).numpy()
    return images, np.asarray(folder.targets), folder.classes


@DATASETS.register("image_folder")
def load_image_folder(cfg, split, seed: int, data_dir: Path) -> Splits:
    if OmegaConf.is_missing(cfg, "path"):
        raise ConfigError("dataset=image_folder needs dataset.path=<folder of class sub-folders>")
    root = Path(cfg.path).expanduser()
    if not root.is_dir():
        raise ConfigError(f"dataset.path={cfg.path!r}: no such folder; expected "
                          "<path>/<class>/<image> or <path>/{train,test}/<class>/<image>")
    try:
        if (root / "train").is_dir() and (root / "test").is_dir():
            train_x, train_y, classes = read_folder(root / "train", cfg.image_size, cfg.grayscale)
            test_x, test_y, _ = read_folder(root / "test", cfg.image_size, cfg.grayscale, classes)
            return official_splits(ImageArrays(train_x, train_y, test_x, test_y),
                                   split, seed, cfg.limit)
        images, labels, _ = read_folder(root, cfg.image_size, cfg.grayscale)
    except (FileNotFoundError, OSError) as error:
        raise ConfigError(f"dataset.path={cfg.path!r}: {str(error).splitlines()[0]}") from None
    return image_splits(images, labels, split, seed)
