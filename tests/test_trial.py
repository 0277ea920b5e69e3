"""One trial end to end: what a user finds on disk, resume, determinism."""
from __future__ import annotations

import json

import pytest

from mabbench.store import identity
from mabbench.trial import training
from mabbench.trial.run import run_trial


def test_trial_writes_a_complete_record(make_cfg):
    cfg = make_cfg("policy=ucb1")
    record = run_trial(cfg)
    folder = identity.run_dir(cfg)
    assert (folder / "config.yaml").exists()
    saved = json.loads((folder / "result.json").read_text())
    for key in ("task", "dataset", "model", "policy", "seed", "config_hash", "metric", "dense",
                "curve", "target", "selected", "cost", "ranking", "versions", "git_commit"):
        assert key in saved, key
    assert saved["policy"] == "ucb1" and saved["kind"] == "bandit"
    assert [p["sparsity"] for p in saved["curve"]] == [0.25, 0.5]
    assert saved["target"]["sparsity"] == 0.5
    # physically smaller: fewer parameters and MACs than the dense model
    assert saved["target"]["params"] < saved["dense"]["params"]
    assert saved["target"]["macs"] < saved["dense"]["macs"]
    # the pull budget is budget_per_arm x arms, spent on the prune split
    width = saved["layers"]["hidden0"]
    assert saved["cost"]["pulls"] == 2 * width
    assert sorted(saved["ranking"]["hidden0"]) == list(range(width))
    # the dense model clearly learnt the task
    assert saved["dense"]["test"] > 0.9
    assert record["path"] == str(folder / "result.json")


def test_rerun_is_skipped_and_dense_model_is_trained_once(make_cfg, monkeypatch):
    calls = []
    real_train = training.train
    monkeypatch.setattr(training, "train", lambda *a, **k: calls.append(1) or real_train(*a, **k))
    run_trial(make_cfg("policy=ucb1"))
    assert run_trial(make_cfg("policy=ucb1"))["skipped"]
    run_trial(make_cfg("policy=magnitude"))  # another method prunes the same cached model
    assert len(calls) == 1


def test_rerun_in_a_fresh_store_is_bit_identical(tmp_path, make_cfg):
    from conftest import TINY, compose_config

    first = run_trial(make_cfg("policy=ucb1"))
    second = run_trial(compose_config([*TINY, "policy=ucb1"], tmp_path / "again"))

    def outcome(point: dict) -> tuple:  # timings differ between runs; outcomes must not
        return point["select"], point["test"], point["params"], point["macs"]

    assert outcome(first["dense"]) == outcome(second["dense"])
    assert [outcome(p) for p in first["curve"]] == [outcome(p) for p in second["curve"]]
    assert first["ranking"] == second["ranking"]


def test_seed_changes_split_and_ranking(make_cfg):
    a = run_trial(make_cfg("policy=ucb1", "seed=0"))
    b = run_trial(make_cfg("policy=ucb1", "seed=1"))
    assert a["ranking"] != b["ranking"]
    assert a["dense"]["select"] != b["dense"]["select"] or a["dense"]["test"] != b["dense"]["test"]


def test_unpruned_policy_reports_the_dense_model(make_cfg):
    record = run_trial(make_cfg("policy=none"))
    assert record["kind"] == "unpruned"
    assert record["curve"] == [record["dense"]] and record["target"] == record["dense"]


@pytest.mark.parametrize("override, key", [
    ("pruning.layers=[nope]", "pruning.layers"),
    ("pruning.sparsity=1.0", "pruning.sparsity"),
])
def test_bad_input_writes_nothing(make_cfg, override, key):
    from mabbench.config.errors import ConfigError

    cfg = make_cfg(override)
    with pytest.raises(ConfigError, match=key):
        run_trial(cfg)
    assert not (identity.results_root(cfg) / "runs").exists()
