"""Trials of one (dataset, seed) in one process share the loaded data, the dense model
and the oracle (mabbench/runtime/memo.py): the records are the ones a fresh process writes,
and each trial says where its time went (mabbench/runtime/timing.py)."""
from __future__ import annotations

import torch
from conftest import TINY, compose_config

from mabbench.config.schemas import LatencyConfig
from mabbench.models.mlp import MLP
from mabbench.runtime import memo
from mabbench.trial.curve import architecture, fingerprint, latency
from mabbench.trial.run import run_trial

# Measured, not computed: these differ between any two runs.
VOLATILE = {"timing", "latency_s", "train_seconds", "seconds", "path"}


def stable(value):
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def test_shared_trials_write_the_records_of_fresh_ones(make_cfg, monkeypatch, tmp_path):
    policies = ("ucb1", "oracle", "magnitude")
    memo.clear()
    shared = [run_trial(make_cfg(f"policy={p}", "dataset=wine")) for p in policies]
    assert memo.SPLITS.hits == 2 and memo.SPLITS.misses == 1  # loaded once for three trials
    assert memo.DENSE.hits == 2  # trained once, never re-read from disk
    assert memo.ORACLE.hits >= 2  # oracle.json read once
    monkeypatch.setenv(memo.DISABLE_ENV, "1")
    fresh = []
    for policy in policies:  # each trial on its own, as separate processes would run them
        cfg = compose_config([*TINY, f"policy={policy}", "dataset=wine"], tmp_path / "fresh")
        fresh.append(run_trial(cfg))
    for one, other in zip(shared, fresh):
        assert one["config_hash"] == other["config_hash"]
        assert stable(one) == stable(other), one["policy"]


def test_a_trial_records_where_its_time_went(make_cfg):
    record = run_trial(make_cfg("policy=ucb1", "dataset=iris"))
    timing = record["timing"]
    assert {"load", "dense_training", "ranking", "oracle", "curve", "latency"} <= set(timing)
    phases = sum(v for k, v in timing.items() if k != "total")
    assert 0 < phases <= timing["total"]
    again = run_trial(make_cfg("policy=magnitude", "dataset=iris"))
    assert "dense_training" not in again["timing"]  # the dense model came from the first trial


def test_latency_is_measured_once_per_architecture(make_cfg):
    """Every method's cut of a one-hidden-layer MLP at a level has the same shapes, so
    a group's second method times nothing new and reports the first one's latency."""
    memo.clear()
    first = run_trial(make_cfg("policy=magnitude", "dataset=wine"))
    measured = memo.LATENCY.misses
    second = run_trial(make_cfg("policy=random", "dataset=wine"))
    assert memo.LATENCY.misses == measured  # no new architecture, no new timing
    assert memo.LATENCY.hits >= 2  # its target and its endpoints at least
    assert first["target"]["latency_s"] == second["target"]["latency_s"]
    assert {p["params"] for p in first["curve"]} == {p["params"] for p in second["curve"]}


def test_models_share_a_latency_only_when_their_shapes_and_inputs_match():
    def mlp(width: int, seed: int):
        torch.manual_seed(seed)
        return MLP(n_outputs=2, info={"in_features": 5}, hidden=[width])

    assert architecture(mlp(8, 0)) == architecture(mlp(8, 1))  # other weights, same cost
    assert architecture(mlp(8, 0)) != architecture(mlp(7, 0))
    x = torch.randn(4, 5)
    assert fingerprint((x,)) == fingerprint((x.clone(),))
    assert fingerprint((x,)) != fingerprint((x + 1,))


def test_a_latency_under_autocast_is_not_shared_with_fp32():
    memo.clear()
    model = MLP(n_outputs=2, info={"in_features": 5}, hidden=[8]).eval()
    example = (torch.randn(6, 5),)
    settings = LatencyConfig(batch_size=8, repeats=2, warmup=1, deploy="folded")
    latency(model, example, settings)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        latency(model, example, settings)
    latency(model, example, settings)
    assert memo.LATENCY.misses == 2 and memo.LATENCY.hits == 1
