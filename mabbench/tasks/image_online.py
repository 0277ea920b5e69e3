"""MNIST, CIFAR-10, CIFAR-100 and SVHN: downloaded once, parsed by torchvision.

Each loader fetches the publisher's files over https through
``tasks/cache.fetch``, verified against the publisher's md5 (pinned below),
unpacks them next to the download atomically, and reads them with
torchvision's dataset classes. Those would re-check md5s of the unpacked
files; here the download was verified by ``fetch`` and a CIFAR extraction by
the sha256 manifest written when it was unpacked (``untar_into``), so the
readers only ask that the files exist (which also lets the tests feed them
small files in the real format).
"""
from __future__ import annotations

import functools
import gzip
import logging
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np

from mabbench.files.integrity import file_digest, read_trusted_json, write_checked_json
from mabbench.files.locks import build_lock
from mabbench.tasks import DATASETS
from mabbench.tasks.base import Splits
from mabbench.tasks.cache import RemoteFile, fetch
from mabbench.tasks.image import ImageArrays, official_splits

log = logging.getLogger(__name__)


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


def _manifest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {p.relative_to(root).as_posix(): file_digest(p)
            for p in sorted(root.rglob("*")) if p.is_file()}


def untar_into(archive: Path, folder: Path, member: str) -> None:
    """Extract ``archive`` (verified by ``fetch``; it holds the folder ``member``)
    so that ``folder/member`` appears complete or not at all, with a manifest of
    its files' sha256. An extraction that no longer matches its manifest (edited,
    truncated, or without one) is deleted and extracted again, so readers that
    unpickle (CIFAR) only ever open files that came out of a verified archive."""
    target, manifest = folder / member, folder / f"{member}.sha256.json"
    with build_lock(folder, f".{member}.lock"):
        if target.exists():
            recorded = read_trusted_json(manifest)
            if recorded is not None and recorded.get("files") == _manifest(target):
                return
            log.warning("%s does not match %s; extracting %s again", target, manifest.name,
                        archive.name)
            shutil.rmtree(target)
        with tempfile.TemporaryDirectory(prefix=".extract-", dir=folder) as tmp:
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(tmp, filter="data")
            files = _manifest(Path(tmp) / member)
            (Path(tmp) / member).replace(target)
        write_checked_json(manifest, {"archive": archive.name, "files": files})


def read_mnist(folder: Path) -> ImageArrays:
    """The four IDX .gz files of MNIST in ``folder`` -> arrays (N, 1, 28, 28) uint8."""
    for name in MNIST_MD5:
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


# The publishers' md5s (the same that torchvision checks), pinned here so a
# torchvision upgrade cannot change what a download is verified against.
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_MD5 = {"train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
             "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
             "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
             "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/"
SVHN_URL = "https://ufldl.stanford.edu/housenumbers/"

SOURCES: dict[str, tuple[list[RemoteFile], Callable[[Path], ImageArrays]]] = {
    "mnist": ([RemoteFile(MNIST_URL + name, name, f"md5:{md5}") for name, md5 in MNIST_MD5.items()],
              read_mnist),
    "cifar10": ([RemoteFile(CIFAR_URL + "cifar-10-python.tar.gz", "cifar-10-python.tar.gz",
                            "md5:c58f30108f718f92721af3b95e74349a")], read_cifar10),
    "cifar100": ([RemoteFile(CIFAR_URL + "cifar-100-python.tar.gz", "cifar-100-python.tar.gz",
                             "md5:eb9058c3a382ffc7106e4002c42a8d85")], read_cifar100),
    "svhn": ([RemoteFile(SVHN_URL + "train_32x32.mat", "train_32x32.mat",
                         "md5:e26dedcc434d2e4c54c9b2d4a06d8373"),
              RemoteFile(SVHN_URL + "test_32x32.mat", "test_32x32.mat",
                         "md5:eb5a983be6a315427106f1b164d9cef3")], read_svhn),
}


def _register(name: str) -> None:
    @DATASETS.register(name)
    def load(cfg, split, seed: int, data_dir: Path) -> Splits:
        # SOURCES is read per load, not at import: a mirror (or a test serving a
        # small archive in the real format) replaces one entry and the download,
        # verification, extraction and reading run as they do for real
        files, read = SOURCES[name]
        folder = fetch(cfg, files, data_dir)[0].parent
        return official_splits(read(folder), split, seed, cfg.limit)


for _name in SOURCES:
    _register(_name)
