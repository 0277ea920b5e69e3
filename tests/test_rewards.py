"""Reward transforms: bounded, monotone in the loss change, documented anchors;
the 2017 accuracy reward equals its formula on a hand-computed batch."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.pruning.engine import Pulled, PullEngine
from mabbench.pruning.rewards import REWARDS, correct
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy
from mabbench.trial.validate import validate

DELTAS = torch.tensor([-1.0, -0.1, -0.01, 0.0, 0.01, 0.1, 1.0])
BASE = torch.tensor(0.5)


def loss_pull(deltas: torch.Tensor) -> Pulled:
    # accuracy changes of the same sign as the loss change, to exercise every transform
    return Pulled(deltas, BASE, (-deltas).clamp(-1.0, 1.0), torch.tensor(0.6))


@pytest.mark.parametrize("name", REWARDS.names())
def test_rewards_lie_in_unit_interval(name):
    reward = REWARDS.get(name)(loss_pull(DELTAS * 100), 0.1)
    assert reward.min() >= 0 and reward.max() <= 1


@pytest.mark.parametrize("name", ["sigmoid", "linear"])
def test_signed_rewards_favour_removals_that_lower_the_loss(name):
    reward = REWARDS.get(name)(loss_pull(DELTAS), 0.1)
    assert torch.all(reward[:-1] >= reward[1:])  # non-increasing in delta
    assert reward[3].item() == pytest.approx(0.5)  # no change: 0.5


def test_unsigned_reward_ranks_any_change_below_no_change():
    reward = REWARDS.get("unsigned")(loss_pull(DELTAS), 0.1)
    assert reward[3].item() == pytest.approx(1.0)
    assert torch.allclose(reward, reward.flip(0))  # symmetric in the sign of delta
    assert reward[2] > reward[1] > reward[0]  # and falling with |delta|


class Fixed(nn.Module):
    """Logits = hidden units 0 and 1 as the two class scores, plus unit 2 added to class 0.

    Input rows are the hidden activations themselves (identity first layer)."""

    prunable = ("hidden",)

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(3, 3)
        self.out = nn.Linear(3, 2, bias=False)
        with torch.no_grad():
            self.hidden.weight.copy_(torch.eye(3))
            self.hidden.bias.zero_()
            self.out.weight.copy_(torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))

    def forward(self, x):
        return self.out(self.hidden(x))


def test_accuracy_reward_is_the_2017_formula_on_a_hand_computed_batch():
    # 5 rows (h0, h1, h2) and their labels. Unmasked logits (h0 + h2, h1).
    x = torch.tensor([[2.0, 1.0, 0.0],    # class 0 wins, label 0: right
                      [0.0, 1.0, 2.0],    # 2 vs 1: class 0, label 0: right
                      [0.0, 3.0, 1.0],    # 1 vs 3: class 1, label 1: right
                      [1.0, 0.0, 0.0],    # 1 vs 0: class 0, label 1: wrong
                      [0.0, 2.0, 3.0]])   # 3 vs 2: class 0, label 0: right
    y = torch.tensor([0, 0, 1, 1, 0])
    # unmasked accuracy 4/5. Masking unit 0 (logits (h2, h1)):
    #   row0: 0 vs 1 -> 1 (wrong), row1: 2 vs 1 -> 0 (right), row2: 1 vs 3 -> 1 (right),
    #   row3: 0 vs 0 -> argmax 0 (wrong), row4: 3 vs 2 -> 0 (right): 3/5, Delta = -0.2
    # Masking unit 1 (logits (h0 + h2, 0)): 0,0,0,0,0 -> right on rows 0, 1, 4: 3/5, -0.2
    # Masking unit 2 (logits (h0, h1)): row0 0 right, row1 0 vs 1 -> 1 wrong, row2 1 right,
    #   row3 0 wrong, row4 0 vs 2 -> 1 wrong: 2/5, Delta = -0.4
    want_delta = torch.tensor([-0.2, -0.2, -0.4])
    want_reward = torch.clamp(want_delta + 0.2, 0.0, 1.0)  # max(0, Delta_acc + 0.2)
    engine = PullEngine(Fixed().eval(), {"hidden": 3}, cross_entropy, metric=correct)
    pulled = engine.pull("hidden", torch.arange(3), Split((x,), y))
    torch.testing.assert_close(pulled.metric_base, torch.tensor(0.8))
    torch.testing.assert_close(pulled.metric_delta, want_delta)
    reward = REWARDS.get("accuracy")(pulled, 0.1)
    torch.testing.assert_close(reward, want_reward)
    assert reward.tolist() == pytest.approx([0.0, 0.0, 0.0], abs=1e-6)
    # an arm whose removal leaves accuracy unchanged earns the offset; a gain is capped at 1
    gains = Pulled(torch.zeros(3), BASE, torch.tensor([0.0, 0.1, 0.9]), torch.tensor(0.5))
    assert REWARDS.get("accuracy")(gains, 0.1).tolist() == pytest.approx([0.2, 0.3, 1.0])


def test_accuracy_reward_on_a_regression_task_is_one_line(make_cfg):
    cfg = make_cfg("task=regression", "pruning.reward.transform=accuracy")
    with pytest.raises(ConfigError) as error:
        validate(cfg)
    message = str(error.value)
    assert "\n" not in message and "pruning.reward.transform='accuracy'" in message
    assert "regression" in message
