"""Cost in forward passes of the pruning split: the oracle on a last hidden
layer costs about one pass on the incremental path; the bandits and the
baselines record the same unit, consistent with their FLOPs."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import torch

from baselines.greedy import GreedyActivation
from baselines.oracle import oracle_scores
from mabbench.config.schemas import PruningConfig
from mabbench.models.lenet import LeNet
from mabbench.policies.ucb1 import UCB1
from mabbench.pruning.arms import masked
from mabbench.pruning.bandit import BanditMethod
from mabbench.pruning.context import PruningContext, split_forward_flops
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

ROWS = 300


def lenet_context(layer: str, **pruning) -> PruningContext:
    torch.manual_seed(0)
    model = LeNet(n_outputs=10, info={"in_channels": 1, "image_size": 16}).eval()
    generator = torch.Generator().manual_seed(1)
    split = Split((torch.randn(ROWS, 1, 16, 16, generator=generator),),
                  torch.randint(0, 10, (ROWS,), generator=generator))
    cfg = PruningConfig(budget_per_arm=2, **pruning)
    return PruningContext(model=model, widths={layer: model.get_submodule(layer).out_features
                                               if layer == "fc1" else
                                               model.get_submodule(layer).out_channels},
                          prune=split, loss=cross_entropy, cfg=SimpleNamespace(**vars(cfg)),
                          seed=0, device=torch.device("cpu"))


def test_split_forward_flops_is_one_dense_pass_over_every_row():
    ctx = lenet_context("fc1")
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        ctx.model(*ctx.prune.inputs)
    assert split_forward_flops(ctx.model, ctx.prune, rows=64) == pytest.approx(
        counter.get_total_flops())


def test_oracle_of_the_last_hidden_layer_costs_at_most_a_few_passes_and_is_exact():
    ctx = lenet_context("fc1")
    started = time.perf_counter()
    scores, cost = oracle_scores(ctx)
    assert 0 < cost.seconds <= time.perf_counter() - started  # its own wall time, no more
    assert cost.pulls == 500
    assert 1.0 <= cost.forward_passes <= 5.0, cost
    with torch.no_grad():
        base = cross_entropy(ctx.model(*ctx.prune.inputs), ctx.prune.targets).mean()
        for unit in (0, 123, 499):
            with masked(ctx.model, {"fc1": [unit]}):
                want = cross_entropy(ctx.model(*ctx.prune.inputs), ctx.prune.targets).mean() - base
            assert scores["fc1"][unit].item() == pytest.approx(want.item(), abs=1e-5)


@pytest.mark.parametrize("method", [BanditMethod(UCB1), GreedyActivation()])
def test_bandits_and_baselines_record_passes_consistent_with_their_flops(method):
    ctx = lenet_context("conv2")
    cost = method.rank(ctx).cost
    assert cost.forward_flops > 0
    assert cost.forward_passes == pytest.approx(
        cost.forward_flops / split_forward_flops(ctx.model, ctx.prune))
