"""The comparators of protocol v2 beside the bandits: uniform allocation at
the bandits' budget, the unsigned oracle, and Monte-Carlo Shapley values."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from test_baselines import H, context
from torch import nn

import baselines.oracle as oracle_module
from baselines.oracle import Oracle
from baselines.oracle_unsigned import OracleUnsigned
from baselines.shapley import Shapley
from mabbench.config.errors import ConfigError
from mabbench.config.schemas import PruningConfig
from mabbench.policies import make_policy
from mabbench.pruning.arms import masked
from mabbench.pruning.bandit import BanditMethod
from mabbench.pruning.context import PruningContext
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

ADDITIVE_UNITS, ROWS = 12, 40


def readout_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-example loss linear in the output: each unit's effect adds."""
    return -outputs.squeeze(-1)


def units_context(readout: nn.Module, width: int, budget_per_arm: float) -> PruningContext:
    """``width`` units whose activations are fixed at 1, read out by ``readout``."""
    model = nn.Sequential()
    model.add_module("units", nn.Linear(3, width))
    model.add_module("readout", readout)
    with torch.no_grad():
        model.units.weight.zero_()
        model.units.bias.fill_(1.0)
    model.prunable = ("units",)
    generator = torch.Generator().manual_seed(0)
    split = Split((torch.randn(ROWS, 3, generator=generator),), torch.zeros(ROWS))
    cfg = SimpleNamespace(**vars(PruningConfig(batch_size=16, arms_per_round=5,
                                               budget_per_arm=budget_per_arm)))
    return PruningContext(model=model.eval(), widths={"units": width}, prune=split,
                          loss=readout_loss, cfg=cfg, seed=0, device=torch.device("cpu"))


def additive_context(contribution: torch.Tensor, budget_per_arm: float) -> PruningContext:
    """A linear readout with weights ``contribution``: the loss with coalition
    S kept is -sum_{j in S} contribution_j, so each unit's Shapley value is
    exactly its contribution, whatever the order of removal."""
    readout = nn.Linear(len(contribution), 1)
    with torch.no_grad():
        readout.weight.copy_(contribution.view(1, -1))
        readout.bias.zero_()
    return units_context(readout, len(contribution), budget_per_arm)


class AndReadout(nn.Module):
    """Output u0 * u1 + u2: units 0 and 1 count only together."""

    def forward(self, units: torch.Tensor) -> torch.Tensor:
        return (units[:, 0] * units[:, 1] + units[:, 2]).unsqueeze(-1)


def test_shapley_recovers_additive_contributions():
    contribution = torch.linspace(-1.0, 2.0, ADDITIVE_UNITS)
    ranking = Shapley(tolerance=0.0).rank(additive_context(contribution, budget_per_arm=3))
    torch.testing.assert_close(torch.tensor(ranking.scores["units"], dtype=torch.float64), contribution.double(),
                               rtol=0, atol=1e-6)
    assert ranking.order["units"] == list(range(ADDITIVE_UNITS))  # least contribution first
    assert ranking.cost.pulls == 3 * ADDITIVE_UNITS and ranking.cost.forward_flops > 0


def test_truncation_cuts_permutations_once_the_layer_is_spent():
    """Two of 40 units carry everything: once both are kept the loss sits at
    the full layer's level, the permutation is cut, and its rest is exactly
    0, so the budget buys more permutations and the values are still exact."""
    contribution = torch.zeros(40)
    contribution[[5, 30]] = torch.tensor([0.5, 1.5])
    ctx = additive_context(contribution, budget_per_arm=20)
    shapley = Shapley(tolerance=0.01)
    scores = shapley.importance(ctx, SimpleNamespace(pulls=0, forward_flops=0.0))["units"]
    torch.testing.assert_close(scores, contribution.double(), rtol=0, atol=1e-6)
    untruncated = Shapley(tolerance=0.0)
    untruncated.importance(ctx, SimpleNamespace(pulls=0, forward_flops=0.0))
    assert shapley.permutations["units"] > 1.3 * untruncated.permutations["units"]


def test_shapley_splits_a_joint_contribution_where_leave_one_out_does_not():
    """Game v(S) = [0 and 1 in S] + [2 in S]: Shapley values 1/2, 1/2, 1;
    leave-one-out gives 1, 1, 1."""
    ctx = units_context(AndReadout(), 3, budget_per_arm=400 / 3)  # 100 whole permutations
    scores = Shapley(tolerance=0.0).rank(ctx).scores["units"]
    np.testing.assert_allclose(scores, [0.5, 0.5, 1.0], atol=0.1)
    assert sum(scores) == pytest.approx(2.0)  # efficiency: each permutation sums to v(N)


def test_shapley_is_efficient_on_a_nonlinear_layer():
    """With whole permutations on the whole split, each one's marginals sum to
    loss(all masked) - loss(none masked), so the estimates do too."""
    ctx = context(batch_size=50)  # the whole split: every batch is the same rows
    ctx.cfg.budget_per_arm = 20 * (H + 1) / H  # exactly 20 whole permutations
    scores = Shapley(tolerance=0.0).rank(ctx).scores["hidden0"]
    model, split = ctx.model, ctx.prune

    def loss(removed) -> float:
        with torch.no_grad(), masked(model, {"hidden0": list(removed)}):
            return cross_entropy(model(*split.inputs), split.targets).mean().item()

    assert sum(scores) == pytest.approx(loss(range(H)) - loss([]), abs=1e-5)


def test_shapley_rejects_a_negative_tolerance():
    with pytest.raises(ConfigError, match="tolerance=-0.1"):
        Shapley(tolerance=-0.1)


def test_oracle_unsigned_is_the_absolute_cached_oracle(tmp_path, monkeypatch):
    ctx = context(cache_dir=tmp_path)
    signed = Oracle().rank(ctx)
    monkeypatch.setattr(oracle_module, "_layer_deltas", lambda *a: pytest.fail("recomputed"))
    unsigned = OracleUnsigned().rank(ctx)
    np.testing.assert_allclose(unsigned.scores["hidden0"], np.abs(signed.scores["hidden0"]))
    assert unsigned.cost == signed.cost  # what the oracle cost, though read from the cache
    first = unsigned.order["hidden0"][0]
    assert abs(signed.scores["hidden0"][first]) == min(map(abs, signed.scores["hidden0"]))


def test_uniform_through_the_pull_engine_spends_within_one_pull_per_arm_of_even():
    ctx = context()
    ctx.cfg.budget_per_arm = 2.7  # 27 pulls over 10 arms in rounds of 4: not a multiple
    ctx.cfg.schedule = "one_shot"  # iterative stages retire arms, which are then never pulled
    built = []

    def build(**kwargs):
        built.append(make_policy("uniform", **kwargs))
        return built[-1]

    ranking = BanditMethod(build).rank(ctx)
    (policy,) = built
    assert policy.counts.sum() == ranking.cost.pulls == 27
    assert policy.counts.max() - policy.counts.min() <= 1
    means = policy.sums / policy.counts
    # ranked by mean reward: the safest to remove (highest mean) first
    assert ranking.order["hidden0"] == np.argsort(-means, kind="stable").tolist()
