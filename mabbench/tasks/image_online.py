"""MNIST, CIFAR-10, CIFAR-100 and SVHN: downloaded once, parsed by torchvision.

Each loader fetches the publisher's files through ``tasks/cache.fetch`` (the
checksums are torchvision's own), unpacks them next to the download
atomically, and reads them with torchvision's dataset classes. Those classes
re-check md5s of the unpacked files; here the download's checksum was already
verified by ``fetch``, so the readers below only ask that the files exist
(which also lets the tests feed them small files in the real format).
"""
from __future__ import annotations

import functools
import gzip
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Splits
from mabbench.tasks.cache import RemoteFile, fetch
from mabbench.tasks.image import ImageArrays, official_splits


def _exists(root: str, names: list[str]) -> bool:
    return all(os.path.exists(os.path.join(root, name)) for name in names)


@functools.cache
def _tv():
    """torchvision's readers, subclassed; torchvision loads when an image set is read,
    not at start-up (it pulls in torch's compiler stack)."""
    from torchvision import datasets as tv

    class _MNIST(tv.MNIST):
        """torchvision's MNIST reader, found under ``<root>/MNIST/raw``."""

        @property
        def raw_folder(self) -> str:
            return os.path.join(self.root, "MNIST", "raw")

    class _CIFAR10(tv.CIFAR10):
        def _check_integrity(self) -> bool:
            folder = os.path.join(self.root, self.base_folder)
            return _exists(folder, [name for name, _ in self.train_list + self.test_list])

        def _load_meta(self) -> None:  # class names are not needed; their md5 was checked by fetch
            self.classes = []

    class _CIFAR100(tv.CIFAR100):
        _check_integrity = _CIFAR10._check_integrity
        _load_meta = _CIFAR10._load_meta

    class _SVHN(tv.SVHN):
        def _check_integrity(self) -> bool:
            return _exists(self.root, [self.filename])

    return SimpleNamespace(MNIST=tv.MNIST, CIFAR10=tv.CIFAR10, CIFAR100=tv.CIFAR100,
                           SVHN=tv.SVHN, _MNIST=_MNIST, _CIFAR10=_CIFAR10,
                           _CIFAR100=_CIFAR100, _SVHN=_SVHN)


def gunzip_into(archive: Path, target: Path) -> None:
    """Decompress ``archive`` to ``target`` via a temporary file (no half-written target)."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with gzip.open(archive, "rb") as source, open(partial, "wb") as out:
        shutil.copyfileobj(source, out)
    partial.replace(target)


def untar_into(archive: Path, folder: Path, member: str) -> None:
    """Extract ``archive`` (which holds the folder ``member``) so that
    ``folder/member`` appears complete or not at all."""
    if (folder / member).exists():
        return
    with tempfile.TemporaryDirectory(prefix=".extract-", dir=folder) as tmp:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(tmp, filter="data")
        (Path(tmp) / member).replace(folder / member)


def read_mnist(folder: Path) -> ImageArrays:
    """The four IDX .gz files of MNIST in ``folder`` -> arrays (N, 1, 28, 28) uint8."""
    for name, _ in _tv().MNIST.resources:
        gunzip_into(folder / name, folder / "MNIST" / "raw" / name.removesuffix(".gz"))
    train, test = (_tv()._MNIST(str(folder), train=flag) for flag in (True, False))
    return ImageArrays(train.data.numpy()[:, None], train.targets.numpy(),
                       test.data.numpy()[:, None], test.targets.numpy())


def _read_cifar(reader: type, folder: Path) -> ImageArrays:
    untar_into(folder / reader.filename, folder, reader.base_folder)
    train, test = (reader(str(folder), train=flag) for flag in (True, False))
    # torchvision hands out HWC; the models take CHW.
    return ImageArrays(train.data.transpose(0, 3, 1, 2), np.asarray(train.targets),
                       test.data.transpose(0, 3, 1, 2), np.asarray(test.targets))


def read_cifar10(folder: Path) -> ImageArrays:
    """``cifar-10-python.tar.gz`` in ``folder`` -> arrays (N, 3, 32, 32) uint8, 10 classes."""
    return _read_cifar(_tv()._CIFAR10, folder)


def read_cifar100(folder: Path) -> ImageArrays:
    """``cifar-100-python.tar.gz`` in ``folder`` -> arrays (N, 3, 32, 32) uint8, 100 fine classes."""
    return _read_cifar(_tv()._CIFAR100, folder)


def read_svhn(folder: Path) -> ImageArrays:
    """``train_32x32.mat`` and ``test_32x32.mat`` in ``folder`` -> (N, 3, 32, 32) uint8;
    torchvision maps the label 10 to the digit 0."""
    train, test = (_tv()._SVHN(str(folder), split=name) for name in ("train", "test"))
    return ImageArrays(train.data, train.labels, test.data, test.labels)


def _sources(tv) -> dict[str, tuple[list[RemoteFile], Callable[[Path], ImageArrays]]]:
    return {
        "mnist": ([RemoteFile(tv.MNIST.mirrors[0] + name, name, f"md5:{md5}")
                   for name, md5 in tv.MNIST.resources], read_mnist),
        "cifar10": ([RemoteFile(tv.CIFAR10.url, tv.CIFAR10.filename,
                                f"md5:{tv.CIFAR10.tgz_md5}")], read_cifar10),
        "cifar100": ([RemoteFile(tv.CIFAR100.url, tv.CIFAR100.filename,
                                 f"md5:{tv.CIFAR100.tgz_md5}")], read_cifar100),
        "svhn": ([RemoteFile(url, name, f"md5:{md5}")
                  for split_name, (url, name, md5) in tv.SVHN.split_list.items()
                  if split_name != "extra"], read_svhn),
    }


NAMES = ("mnist", "cifar10", "cifar100", "svhn")


def _register(name: str) -> None:
    @DATASETS.register(name)
    def load(cfg, split, seed: int, data_dir: Path) -> Splits:
        files, read = _sources(_tv())[name]
        folder = fetch(cfg, files, data_dir)[0].parent
        return official_splits(read(folder), split, seed, cfg.limit)


for _name in NAMES:
    _register(_name)
