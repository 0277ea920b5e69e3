"""CIFAR-10 with ResNet-20/56 (conf/suite/cifar.yaml, conf/experiment/cifar_resnet.yaml):
the preset composes with the literature's recipe, every row validates, an
offline machine gets one line, and a row runs end to end on a small archive in
the real format served through the real download path (fetch, md5, extraction,
torchvision's reader): no network."""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import CONF, compose_config

from mabbench.config.errors import ConfigError
from mabbench.tasks import cache, image_online, load_splits
from mabbench.tasks.cache import RemoteFile
from mabbench.trial.run import run_trial
from mabbench.trial.validate import validate

ROWS = {row["name"]: row for row in yaml.safe_load((CONF / "suite" / "cifar.yaml").read_text())["rows"]}
PRESET = "+experiment=cifar_resnet"


def test_the_preset_trains_as_the_literature_and_both_depths_are_rows(tmp_path):
    assert {tuple(r["overrides"]) for r in ROWS.values()} == {
        ("task=image", "dataset=cifar10", "model=resnet", f"model.depth={d}") for d in (20, 56)}
    cfg = compose_config([PRESET], tmp_path)
    train = cfg.task.train
    assert (cfg.dataset.name, cfg.model.name, cfg.runtime.device) == ("cifar10", "resnet", "auto")
    assert (train.optimizer, train.lr, train.momentum, train.weight_decay) == ("sgd", 0.1, 0.9, 1e-4)
    assert train.lr_schedule.name == "multistep" and train.augmentation == "crop_flip"
    assert train.early_stopping.patience >= train.epochs >= 160  # every epoch of the schedule runs


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_cifar_row_validates_and_fails_offline_in_one_line(tmp_path, monkeypatch, row):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")
    cfg = compose_config([PRESET, *ROWS[row]["overrides"]], tmp_path)
    validate(cfg)
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    message = str(error.value)
    assert "\n" not in message and message.startswith("dataset=cifar10 needs a download")
    assert not (tmp_path / "data").exists()  # nothing written


def _archive() -> bytes:
    """A CIFAR-10 python archive as the publisher lays it out, 12 train images per batch."""
    rng = np.random.default_rng(0)
    files = {f"data_batch_{i}": {"data": rng.integers(0, 256, (12, 3072), dtype=np.uint8),
                                 "labels": [k % 10 for k in range(12)]} for i in range(1, 6)}
    files["test_batch"] = {"data": rng.integers(0, 256, (20, 3072), dtype=np.uint8),
                           "labels": [k % 10 for k in range(20)]}
    files["batches.meta"] = {"label_names": [str(k) for k in range(10)]}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in files.items():
            data = pickle.dumps(content)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Served(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_cifar_row_downloads_verifies_trains_with_the_recipe_and_prunes(tmp_path, monkeypatch):
    archive = _archive()
    url = image_online.CIFAR_URL + "cifar-10-python.tar.gz"
    remote = RemoteFile(url, "cifar-10-python.tar.gz", f"md5:{hashlib.md5(archive).hexdigest()}")
    monkeypatch.setitem(image_online.SOURCES, "cifar10", ([remote], image_online.read_cifar10))
    monkeypatch.delenv("MABBENCH_OFFLINE", raising=False)
    requested = []

    def unreachable(address, timeout):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(cache.urllib.request, "urlopen", unreachable)
    overrides = [PRESET, *ROWS["resnet20_cifar10"]["overrides"], "model.depth=8", "policy=ucb1",
                 "task.train.epochs=2", "task.train.early_stopping.patience=2",
                 "task.train.lr_schedule.milestones=[1]", "task.train.batch_size=16",
                 "task.split.prune=0.25", "task.split.select=0.25", "runtime.threads=1",
                 "runtime.device=cpu", "pruning.budget_per_arm=0.5", "pruning.levels=[0.5]",
                 "pruning.mac_fractions=[0.5]", "pruning.param_fractions=[]",
                 "pruning.oracle_rho=false", "pruning.latency.repeats=0"]
    cfg = compose_config(overrides, tmp_path)
    with pytest.raises(ConfigError) as error:  # no network and nothing cached: one line
        load_splits(cfg)
    assert "\n" not in str(error.value) and f"{url} failed" in str(error.value)

    def serve(address, timeout):
        requested.append(address)
        return Served(archive)

    monkeypatch.setattr(cache.urllib.request, "urlopen", serve)
    run_trial(cfg)
    assert requested == [url]  # downloaded once, then read from the verified cache
    (result,) = (tmp_path / "runs").rglob("result.json")
    record = json.loads(result.read_text())
    assert record["dense_training"]["epochs_run"] == 2
    assert record["endpoints"]["macs"]["points"]["0.5"]["mac_fraction"] <= 0.5
    splits = load_splits(cfg)
    assert requested == [url] and len(splits.test) == 20
    assert splits.test.inputs[0].shape[1:] == (3, 32, 32)
    assert (Path(cfg.runtime.data_dir) / "cifar10" / "cifar-10-batches-py").is_dir()
