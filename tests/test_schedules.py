"""Schedules are a registry; sequential prunes layer by layer, in order, each
layer explored with the earlier layers' target share already masked."""
from __future__ import annotations

import torch

from mabbench.policies.ucb1 import UCB1
from mabbench.pruning import engine as engine_module
from mabbench.pruning.bandit import BanditMethod
from mabbench.pruning.schedules import SCHEDULES
from test_engine import H0, H1, context


def test_every_schedule_is_registered():
    assert {"one_shot", "iterative", "sequential"} <= set(SCHEDULES.names())


def test_sequential_explores_layers_in_order_with_earlier_cuts_masked(monkeypatch):
    seen = []  # (layer pulled, retired units of hidden0 at that moment)
    original = engine_module.PullEngine.pull_rows

    def spy(self, layers, units, rows):
        seen.append((layers, self.retired["hidden0"].nonzero().flatten().tolist()))
        return original(self, layers, units, rows)

    monkeypatch.setattr(engine_module.PullEngine, "pull_rows", spy)
    ranking = BanditMethod(UCB1).rank(context(schedule="sequential", scope="layer", sparsity=0.5))
    layers = [layer for layer, _ in seen]
    first_later = layers.index("hidden1")
    assert set(layers[:first_later]) == {"hidden0"} and set(layers[first_later:]) == {"hidden1"}
    cut = int(0.5 * H0)
    assert all(retired == [] for _, retired in seen[:first_later])  # nothing pruned yet
    masked = sorted(ranking.order["hidden0"][:cut])  # hidden0's lowest-ranked units
    assert all(retired == masked for _, retired in seen[first_later:])
    assert ranking.cost.pulls == 3 * (H0 + H1)


def test_sequential_gives_other_estimates_than_one_shot_for_the_later_layer():
    one_shot = BanditMethod(UCB1).rank(context(schedule="one_shot", scope="layer", sparsity=0.5))
    sequential = BanditMethod(UCB1).rank(context(schedule="sequential", scope="layer",
                                                 sparsity=0.5))
    assert torch.equal(torch.as_tensor(one_shot.scores["hidden0"]),
                       torch.as_tensor(sequential.scores["hidden0"]))  # same first layer
    assert one_shot.scores["hidden1"] != sequential.scores["hidden1"]
