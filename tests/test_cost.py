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


def test_latency_is_recorded_for_dense_and_every_point_with_its_settings(results):
    record = run_trial(compose_config(
        [*TINY, "policy=magnitude", "pruning.latency.batch_size=64", "pruning.latency.repeats=3",
         "pruning.latency.threads=1"], results))
    for point in [record["dense"], *record["curve"]]:
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


def test_fine_tuning_is_optional_and_retrains_each_smaller_model(results):
    plain = run_trial(compose_config([*TINY, "policy=magnitude"], results))
    tuned = run_trial(compose_config([*TINY, "policy=magnitude", "pruning.finetune.epochs=2",
                                      "pruning.finetune.lr=0.01"], results))
    assert "select_before_finetune" not in plain["target"]
    for before, after in zip(plain["curve"], tuned["curve"]):
        assert after["select_before_finetune"] == before["select"]  # same pruned model before
        assert after["params"] == before["params"]
    assert any((a["select"], a["test"]) != (b["select"], b["test"])
               for a, b in zip(tuned["curve"], plain["curve"]))
