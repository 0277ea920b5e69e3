"""Issue 12 item 3 - validated reads. Faults injected: truncated and edited
files (result.json, model.pt, meta.json, oracle.json) and a wrongly typed
field among good records for the figures."""
from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

from mabbench.runtime import memo
from mabbench.store import identity
from mabbench.trial import training
from mabbench.trial.run import run_trial


@pytest.fixture(autouse=True)
def each_trial_reads_the_disk(monkeypatch):
    """The in-process memo would serve the second trial the copy the first one
    loaded (verified then); these faults are injected on disk between trials, as a
    later process would find them."""
    monkeypatch.setenv(memo.DISABLE_ENV, "1")


def truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def corrupt_copies(path) -> list:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def test_truncated_result_is_moved_aside_and_recomputed(make_cfg, caplog):
    cfg = make_cfg("policy=magnitude")
    first = run_trial(cfg)
    result = identity.run_dir(cfg) / "result.json"
    truncate(result)
    with caplog.at_level(logging.WARNING):
        again = run_trial(cfg)
    assert again["status"] == "done"  # recomputed, not skipped
    [line] = [r.getMessage() for r in caplog.records if "untrusted" in r.getMessage()]
    assert line.startswith(f"untrusted {result} (unreadable: JSONDecodeError")
    assert line.endswith(f"moved to {corrupt_copies(result)[0].name}; recomputing")
    assert len(corrupt_copies(result)) == 1
    assert json.loads(result.read_text())["ranking"] == first["ranking"]
    assert run_trial(cfg)["status"] == "skipped"


def test_edited_result_fails_its_checksum(make_cfg):
    cfg = make_cfg("policy=magnitude")
    first = run_trial(cfg)
    result = identity.run_dir(cfg) / "result.json"
    record = json.loads(result.read_text())
    record["target"]["test"] = 1.0  # valid JSON, wrong content
    result.write_text(json.dumps(record))
    assert run_trial(cfg)["status"] == "done"
    assert len(corrupt_copies(result)) == 1
    assert json.loads(result.read_text())["target"]["test"] == first["target"]["test"] != 1.0


def test_result_of_another_config_is_not_trusted(make_cfg):
    cfg = make_cfg("policy=magnitude")
    run_trial(cfg)
    result = identity.run_dir(cfg) / "result.json"
    record = json.loads(result.read_text())
    record.pop("sha256")
    record["config_hash"] = "000000000000"
    result.write_text(json.dumps(record))
    assert run_trial(cfg)["status"] == "done"
    assert json.loads(result.read_text())["config_hash"] == identity.config_hash(cfg)


def count_training(monkeypatch) -> list:
    calls = []
    real = training.train
    monkeypatch.setattr(training, "train", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_damaged_dense_cache_is_moved_aside_and_retrained(make_cfg, monkeypatch):
    calls = count_training(monkeypatch)
    first = run_trial(make_cfg("policy=magnitude"))
    folder = identity.dense_dir(make_cfg("policy=magnitude"))
    for damaged in ("model.pt", "meta.json"):
        truncate(folder / damaged)
        outcome = run_trial(make_cfg("policy=random", f"pruning.sparsity=0.{len(calls) + 3}"))
        assert outcome["status"] == "done", outcome
        assert outcome["dense"]["test"] == first["dense"]["test"]  # the same model again
    # a model.pt without its meta.json (or the reverse) is not trusted: both move aside
    assert len(corrupt_copies(folder / "model.pt")) == 1
    assert len(corrupt_copies(folder / "meta.json")) == 2
    assert len(calls) == 3  # trained once, then once per damaged file
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["dense_hash"] == identity.dense_hash(make_cfg()) and "model_sha256" in meta


def test_swapped_weights_fail_the_checksum(make_cfg, monkeypatch):
    calls = count_training(monkeypatch)
    run_trial(make_cfg("policy=magnitude"))
    run_trial(make_cfg("policy=magnitude", "seed=1"))
    seed0, seed1 = identity.dense_dir(make_cfg()), identity.dense_dir(make_cfg("seed=1"))
    shutil.copy(seed1 / "model.pt", seed0 / "model.pt")  # loads fine, but is not this model
    assert run_trial(make_cfg("policy=random"))["status"] == "done"
    assert len(calls) == 3 and len(corrupt_copies(seed0 / "model.pt")) == 1


def test_truncated_oracle_is_recomputed(make_cfg):
    cfg = make_cfg("policy=oracle")
    first = run_trial(cfg)
    oracle = identity.dense_dir(cfg) / "oracle.json"
    truncate(oracle)
    again = run_trial(make_cfg("policy=oracle", "pruning.sparsity=0.25"))
    assert again["status"] == "done" and again["ranking"] == first["ranking"]
    assert len(corrupt_copies(oracle)) == 1
    assert json.loads(oracle.read_text())["sha256"]


def test_figures_skip_and_name_bad_records(make_cfg, tmp_path):
    """A wrongly typed field, a truncated file and an edited record among good
    ones: `python -m paper_figures` finishes and names each skipped file."""
    for policy in ("magnitude", "random", "ucb1"):
        run_trial(make_cfg(f"policy={policy}"))
    root = identity.results_root(make_cfg())
    paths = {p.parts[-4]: p for p in root.rglob("result.json")}
    typed = json.loads(paths["magnitude"].read_text())
    typed.pop("sha256")
    typed["seed"] = "zero"
    paths["magnitude"].write_text(json.dumps(typed))
    truncate(paths["random"])
    done = subprocess.run([sys.executable, "-m", "paper_figures", "--results", str(root),
                           "--out", str(tmp_path / "figs")], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2
    assert any("magnitude" in line and "seed='zero': expected an integer" in line
               for line in skipped)
    assert any("/random/" in line and "unreadable" in line for line in skipped)
