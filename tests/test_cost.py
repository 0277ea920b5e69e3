"""Cost accounting: latency is measured and stated, gradient methods pay for
their backward, fine-tuning is optional and re-trains the smaller model."""
from __future__ import annotations

import pytest
import torch
from conftest import TINY, compose_config
from test_baselines import context
from torch import nn

from baselines.greedy import GreedyActivation
from baselines.taylor import Taylor
from mabbench.config.schemas import LatencyConfig
from mabbench.pruning.cost import count_macs, measure_latency
from mabbench.trial.run import run_trial


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return tmp_path_factory.mktemp("store")


def test_latency_is_recorded_where_reported_with_its_settings(results):
    """Dense, target, selected and the primary endpoints are timed; other curve
    levels (figure-only) are not."""
    record = run_trial(compose_config(
        [*TINY, "policy=magnitude", "pruning.latency.batch_size=64", "pruning.latency.repeats=3",
         "pruning.latency.threads=1"], results))
    endpoints = [p for axis in record["endpoints"].values()
                 for p in axis["points"].values() if p is not None]
    assert endpoints
    reported = [record["dense"], record["target"], record["selected"], *endpoints]
    timed = [p["sparsity"] for p in record["curve"] if "latency_s" in p]
    assert set(timed) == {p["sparsity"] for p in (record["target"], record["selected"])} - {0.0}
    for point in reported:
        assert point["latency_s"] > 0
        assert point["latency_batch"] == 64 and point["latency_threads"] == 1
        assert point["latency_deploy"] == LatencyConfig().deploy  # dense and pruned alike


def test_latency_can_be_skipped_and_restores_the_thread_count():
    model = nn.Linear(4, 2)
    before = torch.get_num_threads()
    assert measure_latency(model, (torch.randn(3, 4),), LatencyConfig(repeats=0)) == {}
    measured = measure_latency(model, (torch.randn(3, 4),),
                               LatencyConfig(batch_size=8, threads=2, warmup=0, repeats=2))
    assert measured["latency_batch"] == 8 and measured["latency_threads"] == 2
    assert torch.get_num_threads() == before


def test_macs_count_one_example():
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))
    assert count_macs(model, (torch.randn(9, 5),)) == 5 * 7 + 7 * 3


def test_gradient_baseline_pays_for_its_backward_pass():
    # same data, same forwards: Taylor also runs a backward, so it spends more
    taylor, greedy = Taylor().rank(context()), GreedyActivation().rank(context())
    assert taylor.cost.forward_flops > greedy.cost.forward_flops > 0


def test_fine_tuning_is_a_regime_and_retrains_each_endpoint_model(results):
    """v3: ``pruning.regime=finetune`` fine-tunes the models at the equal-compute
    endpoints; as cut they are the one-shot regime's models."""
    keys = [*TINY, "policy=magnitude", "pruning.mac_fractions=[0.75,0.5]",
            "pruning.param_fractions=[]", "pruning.finetune.lr=0.01"]
    plain = run_trial(compose_config([*keys], results))
    tuned = run_trial(compose_config([*keys, "pruning.regime=finetune"], results))
    plain_points = plain["endpoints"]["macs"]["points"]
    tuned_points = tuned["endpoints"]["macs"]["points"]
    for fraction, before in plain_points.items():
        after = tuned_points[fraction]
        assert after["select_as_cut"] == before["select"]  # the same cut before
        assert after["params"] == before["params"] and after["recovery"]["epochs"] == 2
    assert any((tuned_points[f]["select"], tuned_points[f]["test"])
               != (plain_points[f]["select"], plain_points[f]["test"]) for f in plain_points)
    assert [p["select"] for p in tuned["curve"]] == [p["select"] for p in plain["curve"]]