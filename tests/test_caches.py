"""Issue 12 item 7 - verified caches. Faults injected: a cached file with no
checksum (put there by hand), a tampered CIFAR batch holding a malicious
pickle, a plain-http URL, and a truncated archive. No network: downloads are
served from memory."""
from __future__ import annotations

import io
import pickle
import tarfile
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from mabbench.config.errors import ConfigError
from mabbench.tasks import cache, image_online
from mabbench.tasks.cache import CONF_DATASETS, RemoteFile, fetch
from mabbench.tasks.image_online import read_cifar10

CARD = SimpleNamespace(name="toy", family="tabular")


class Served(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def no_network(url, timeout):
    raise AssertionError(f"tried to download {url}")


def test_cached_file_without_any_checksum_is_refused_with_how_to_redownload(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(cache.urllib.request, "urlopen", no_network)
    placed = tmp_path / "toy" / "free.bin"
    placed.parent.mkdir()
    placed.write_bytes(b"put here by hand")
    with pytest.raises(ConfigError) as raised:
        fetch(CARD, [RemoteFile("https://x/free.bin", "free.bin")], tmp_path)
    assert str(raised.value) == (
        f"{placed}: cached without a checksum (none published, none recorded when downloaded), "
        f"so it is not used; delete it to download it again and record one: rm {placed}")
    assert sorted(p.name for p in placed.parent.iterdir()) == ["free.bin"]  # nothing recorded


def test_first_download_is_recorded_then_enforced(tmp_path, monkeypatch):
    monkeypatch.setattr(cache.urllib.request, "urlopen", lambda url, timeout: Served(b"v1"))
    (path,) = fetch(CARD, [RemoteFile("https://x/free.bin", "free.bin")], tmp_path)
    recorded = path.with_name("free.bin.sha256").read_text().strip()
    assert recorded == cache.file_digest(path, "sha256")
    path.write_bytes(b"v")  # truncated in the cache: fetched again and checked
    (again,) = fetch(CARD, [RemoteFile("https://x/free.bin", "free.bin")], tmp_path)
    assert again.read_bytes() == b"v1"


def test_plain_http_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cache.urllib.request, "urlopen", no_network)
    with pytest.raises(ConfigError, match=r"http://x/a.bin is not an https:// URL"):
        fetch(CARD, [RemoteFile("http://x/a.bin", "a.bin", "md5:00")], tmp_path)
    assert not (tmp_path / "toy").exists()


def test_every_download_is_https_and_image_sets_carry_the_publishers_md5():
    urls = [yaml.safe_load(p.read_text()).get("url") for p in CONF_DATASETS.glob("*.yaml")]
    assert all(u.startswith("https://") for u in urls if u)
    for name, (files, _) in image_online.SOURCES.items():
        for remote in files:
            assert remote.url.startswith("https://"), remote.url
            algorithm, _, digest = remote.checksum.partition(":")
            assert algorithm == "md5" and len(digest) == 32, name


class Planted:
    """Unpickling this writes a marker file: proof that a reader opened it."""

    marker = None

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def write_cifar10(folder, label: int) -> None:
    rng = np.random.default_rng(label)
    files = {f"data_batch_{i}": {"data": rng.integers(0, 255, (2, 3072), dtype=np.uint8),
                                 "labels": [label, label]} for i in range(1, 6)}
    files["test_batch"] = {"data": rng.integers(0, 255, (2, 3072), dtype=np.uint8),
                           "labels": [label, 0]}
    files["batches.meta"] = {"label_names": ["a"] * 10}
    with tarfile.open(folder / "cifar-10-python.tar.gz", "w:gz") as tar:
        for name, content in files.items():
            data = pickle.dumps(content)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar_reader_never_unpickles_an_unverified_file(tmp_path):
    write_cifar10(tmp_path, label=3)
    assert read_cifar10(tmp_path).train_labels.tolist()[:2] == [3, 3]
    manifest = tmp_path / "cifar-10-batches-py.sha256.json"
    assert manifest.exists()
    Planted.marker = tmp_path / "PWNED"
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(pickle.dumps(Planted()))
    arrays = read_cifar10(tmp_path)  # re-extracted from the verified archive first
    assert not Planted.marker.exists()
    assert arrays.train_labels.tolist()[:2] == [3, 3]
    (tmp_path / "cifar-10-batches-py" / "data_batch_2").unlink()
    manifest.unlink()  # no manifest: not trusted either
    assert read_cifar10(tmp_path).train_images.shape == (10, 3, 32, 32)
