"""Reward transforms: bounded, monotone in the loss change, documented anchors."""
from __future__ import annotations

import pytest
import torch

from mabbench.pruning.rewards import REWARDS

DELTAS = torch.tensor([-1.0, -0.1, -0.01, 0.0, 0.01, 0.1, 1.0])
BASE = torch.tensor(0.5)


@pytest.mark.parametrize("name", REWARDS.names())
def test_rewards_lie_in_unit_interval(name):
    reward = REWARDS.get(name)(DELTAS * 100, BASE, 0.1)
    assert reward.min() >= 0 and reward.max() <= 1


@pytest.mark.parametrize("name", ["sigmoid", "linear"])
def test_signed_rewards_favour_removals_that_lower_the_loss(name):
    reward = REWARDS.get(name)(DELTAS, BASE, 0.1)
    assert torch.all(reward[:-1] >= reward[1:])  # non-increasing in delta
    assert reward[3].item() == pytest.approx(0.5)  # no change: 0.5


def test_unsigned_reward_ranks_any_change_below_no_change():
    reward = REWARDS.get("unsigned")(DELTAS, BASE, 0.1)
    assert reward[3].item() == pytest.approx(1.0)
    assert torch.allclose(reward, reward.flip(0))  # symmetric in the sign of delta
    assert reward[2] > reward[1] > reward[0]  # and falling with |delta|
