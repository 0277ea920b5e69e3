"""Online tabular / regression loaders on small files in the real formats:
an OpenML frame as fetch_openml returns it, UCI's airfoil .dat and parkinsons
CSV; and the download cache (checksums, offline error, nothing half-written)."""
from __future__ import annotations

import io
import urllib.error
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import as_downloaded
from sklearn.utils import Bunch

from mabbench.config.errors import ConfigError
from mabbench.tasks import cache, load_splits, openml
from mabbench.tasks.cache import RemoteFile, fetch


def _adult_like(rows: int = 90) -> pd.DataFrame:
    """What fetch_openml(as_frame=True) gives for adult: category dtypes, NaN gaps."""
    rng = np.random.default_rng(0)
    work = pd.Categorical(rng.choice(["Private", "State-gov", None], size=rows))
    return pd.DataFrame({
        "age": rng.integers(17, 90, size=rows).astype(float),
        "workclass": work,
        "fnlwgt": rng.integers(10_000, 900_000, size=rows).astype(float),
        "hours-per-week": np.where(rng.random(rows) < 0.1, np.nan, 40.0),
        "class": pd.Categorical(rng.choice(["<=50K", ">50K"], size=rows)),
    })


def test_openml_frame_is_parsed_and_cached_under_the_data_dir(make_cfg, monkeypatch):
    cfg = make_cfg("dataset=adult")
    calls = []

    def fake_fetch_openml(**kwargs):
        calls.append(kwargs)
        Path(kwargs["data_home"]).mkdir(parents=True, exist_ok=True)
        return Bunch(frame=_adult_like(), target_names=["class"])

    monkeypatch.setattr(openml.sk_datasets, "fetch_openml", fake_fetch_openml)
    splits = load_splits(cfg)
    assert calls[0]["name"] == "adult" and calls[0]["version"] == 2
    assert calls[0]["data_home"] == str(Path(cfg.runtime.data_dir) / "adult")
    assert splits.info["classes"] == ["<=50K", ">50K"]
    # age, hours-per-week, workclass one-hot (Private, State-gov, <missing>); fnlwgt dropped
    assert splits.info["in_features"] == 5
    for part in (splits.train, splits.prune, splits.select, splits.test):
        assert not np.isnan(part.inputs[0].numpy()).any()


def test_offline_openml_request_is_one_line_and_writes_nothing(make_cfg, monkeypatch):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")
    monkeypatch.setattr(openml.sk_datasets, "fetch_openml",
                        lambda **kw: pytest.fail("the network was tried while offline"))
    cfg = make_cfg("dataset=adult")
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    message = str(error.value)
    assert "\n" not in message and message.startswith("dataset=adult needs a download")
    assert str(Path(cfg.runtime.data_dir) / "adult") in message
    assert "offline choices for task=tabular: " in message
    assert "breast_cancer" in message and "spam7" in message
    assert not Path(cfg.runtime.data_dir).exists()


def test_failed_openml_download_leaves_no_folder_behind(make_cfg, monkeypatch):
    def unreachable(**kwargs):
        Path(kwargs["data_home"], "openml").mkdir(parents=True)  # sklearn starts writing...
        raise urllib.error.URLError("Name or service not known")  # ...then the network fails

    monkeypatch.setattr(openml.sk_datasets, "fetch_openml", unreachable)
    cfg = make_cfg("dataset=heart")
    with pytest.raises(ConfigError, match="dataset=heart needs a download"):
        load_splits(cfg)
    assert not (Path(cfg.runtime.data_dir) / "heart").exists()


def test_uci_airfoil_dat_file_is_parsed(make_cfg):
    cfg = make_cfg("task=regression", "dataset=airfoil")
    folder = Path(cfg.runtime.data_dir) / "airfoil"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = rng.random((60, 6)) * [20000, 20, 0.3, 70, 0.05, 0]
    rows[:, 5] = 120 + 10 * rng.random(60)
    (folder / "airfoil_self_noise.dat").write_text(
        "".join("\t".join(f"{v:g}" for v in row) + "\n" for row in rows))
    as_downloaded(folder / "airfoil_self_noise.dat")
    splits = load_splits(cfg)
    assert splits.info["in_features"] == 5 and splits.n_outputs == 1
    assert sum(len(s) for s in (splits.train, splits.prune, splits.select, splits.test)) == 60


def test_uci_parkinsons_csv_drops_the_subject_and_the_other_score(make_cfg):
    cfg = make_cfg("task=regression", "dataset=parkinsons")
    folder = Path(cfg.runtime.data_dir) / "parkinsons"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"subject#": np.repeat(np.arange(1, 7), 10), "age": 60.0,
                          "sex": rng.integers(0, 2, 60), "test_time": rng.random(60) * 100,
                          "motor_UPDRS": rng.random(60) * 30, "total_UPDRS": rng.random(60) * 40,
                          "Jitter(%)": rng.random(60) / 100, "RPDE": rng.random(60)})
    frame.to_csv(folder / "parkinsons_updrs.data", index=False)
    as_downloaded(folder / "parkinsons_updrs.data")
    splits = load_splits(cfg)
    assert splits.info["in_features"] == 5  # age, sex, test_time, Jitter(%), RPDE


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_verifies_checksums_and_keeps_nothing_bad(tmp_path, monkeypatch):
    card = SimpleNamespace(name="toy", family="tabular")
    served = {"body": b"hello"}
    monkeypatch.setattr(cache.urllib.request, "urlopen",
                        lambda url, timeout: _Response(served["body"]))
    md5_hello = "5d41402abc4b2a76b9719d911017c592"
    hello = RemoteFile("https://x/toy.bin", "toy.bin", f"md5:{md5_hello}")
    (path,) = fetch(card, [hello], tmp_path)
    assert path == tmp_path / "toy" / "toy.bin" and path.read_bytes() == b"hello"

    with pytest.raises(ConfigError, match="expected 0000; the file was not kept"):
        fetch(card, [RemoteFile("https://x/bad.bin", "bad.bin", "md5:0000")], tmp_path)
    assert sorted(p.name for p in (tmp_path / "toy").iterdir()) == ["toy.bin"]

    # no published checksum: the first download's sha256 is recorded and enforced
    (first,) = fetch(card, [RemoteFile("https://x/free.bin", "free.bin")], tmp_path)
    assert (tmp_path / "toy" / "free.bin.sha256").exists()
    first.write_bytes(b"tampered")
    served["body"] = b"changed upstream"
    with pytest.raises(ConfigError, match="expected"):
        fetch(card, [RemoteFile("https://x/free.bin", "free.bin")], tmp_path)
