"""The pull engine: batched rounds equal masked forwards, FLOPs are counted as
prefix once + suffix per copy, scopes and schedules explore what they claim."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from mabbench.config.schemas import PruningConfig
from mabbench.policies.ucb1 import UCB1
from mabbench.pruning.arms import masked
from mabbench.pruning.bandit import BanditMethod
from mabbench.pruning.context import PruningContext
from mabbench.pruning.engine import PullEngine
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

IN, H0, H1, OUT, ROWS = 7, 12, 9, 3, 40


def mlp() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential()
    model.add_module("hidden0", nn.Linear(IN, H0))
    model.add_module("act0", nn.ReLU())
    model.add_module("hidden1", nn.Linear(H0, H1))
    model.add_module("act1", nn.Tanh())
    model.add_module("out", nn.Linear(H1, OUT))
    model.prunable = ("hidden0", "hidden1")
    return model.eval()


def data(rows: int = ROWS) -> Split:
    generator = torch.Generator().manual_seed(3)
    return Split((torch.randn(rows, IN, generator=generator),),
                 torch.randint(0, OUT, (rows,), generator=generator))


def masked_loss(model: nn.Module, batch: Split, remove: dict) -> torch.Tensor:
    with torch.no_grad(), masked(model, remove):
        return cross_entropy(model(*batch.inputs), batch.targets).mean()


def test_global_round_mixing_layers_with_retired_arms_equals_masked_forwards():
    model, batch = mlp(), data()
    engine = PullEngine(model, {"hidden0": H0, "hidden1": H1}, cross_entropy)
    engine.retire("hidden0", torch.tensor([4]))
    layers, units = torch.tensor([0, 1, 0, 1]), torch.tensor([1, 1, 7, 8])
    delta, base, _, _ = engine.pull(layers, units, batch)
    retired = {"hidden0": [4]}
    want_base = masked_loss(model, batch, retired)
    torch.testing.assert_close(base, want_base)
    for (layer, unit), got in zip([("hidden0", 1), ("hidden1", 1), ("hidden0", 7),
                                   ("hidden1", 8)], delta):
        remove = {"hidden0": [4] + ([unit] if layer == "hidden0" else []),
                  "hidden1": [unit] if layer == "hidden1" else []}
        torch.testing.assert_close(got, masked_loss(model, batch, remove) - want_base)


def test_flops_are_prefix_once_plus_suffix_per_copy():
    model, batch = mlp(), data()
    engine = PullEngine(model, {"hidden1": H1}, cross_entropy)
    k = 5
    engine.pull("hidden1", torch.arange(k), batch)
    engine.pull("hidden1", torch.arange(H1 - k, H1), batch)  # same shape: reuses the count
    prefix = 2 * ROWS * (IN * H0 + H0 * H1)  # hidden0, hidden1 once on the batch
    suffix = 2 * (k + 1) * ROWS * H1 * OUT  # out on k + 1 copies
    assert engine.flops == 2 * (prefix + suffix)
    assert engine.pulls == 2 * k


def test_flops_of_a_mixed_round_start_at_the_first_layer_with_arms():
    model, batch = mlp(), data()
    engine = PullEngine(model, {"hidden0": H0, "hidden1": H1}, cross_entropy, probe=batch)
    engine.pull(torch.tensor([1, 0, 1]), torch.tensor([2, 3, 4]), batch)
    engine.pull(torch.tensor([0, 1, 1]), torch.tensor([5, 6, 7]), batch)  # same fan-out point
    assert engine.position == {"hidden0": 0, "hidden1": 1}
    per_round = 2 * ROWS * IN * H0 + 2 * 4 * ROWS * (H0 * H1 + H1 * OUT)
    assert engine.flops == 2 * per_round


class BatchUnsafe(nn.Module):
    """Reshapes with the batch size read from its input: replicated rows break it."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden0 = nn.Linear(IN, H0)
        self.out = nn.Linear(H0, OUT)
        self.prunable = ("hidden0",)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.hidden0(x))
        return self.out(h[: x.shape[0]])  # drops every copy but the first


def test_model_that_breaks_batched_pulls_falls_back_to_exact_replicated_inputs():
    # replicating at the mask point breaks it; replicating the model's own
    # input (mabbench.pruning.fan_in) keeps every copy: still exact
    torch.manual_seed(0)
    model, batch = BatchUnsafe().eval(), data()
    engine = PullEngine(model, {"hidden0": H0}, cross_entropy, probe=batch)
    assert engine.batched == {"hidden0": True} and engine.fan_in["hidden0"] is model
    delta, base, _, _ = engine.pull("hidden0", torch.tensor([2, 5]), batch)
    for unit, got in zip([2, 5], delta):
        torch.testing.assert_close(got, masked_loss(model, batch, {"hidden0": [unit]}) - base)


class SpyUCB1(UCB1):
    """Records, per instance, every arm it is asked to pull and every retirement."""

    instances: list = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.log: list = []
        SpyUCB1.instances.append(self)

    def select(self, k: int) -> np.ndarray:
        arms = super().select(k)
        self.log.append(("pull", arms.copy()))
        return arms

    def remove(self, arms: np.ndarray) -> None:
        self.log.append(("retire", np.asarray(arms).tolist()))
        super().remove(arms)


def context(**pruning) -> PruningContext:
    cfg = PruningConfig(budget_per_arm=3, arms_per_round=4, batch_size=16, **pruning)
    model = mlp()
    return PruningContext(model=model, widths={"hidden0": H0, "hidden1": H1}, prune=data(),
                          loss=cross_entropy, cfg=SimpleNamespace(**vars(cfg)), seed=0,
                          device=torch.device("cpu"))


def test_global_scope_pools_every_layer_in_one_policy():
    SpyUCB1.instances = []
    ranking = BanditMethod(SpyUCB1).rank(context(scope="global"))
    (policy,) = SpyUCB1.instances  # one policy over both layers' arms
    pulled = np.concatenate([arms for kind, arms in policy.log if kind == "pull"])
    assert set(pulled.tolist()) == set(range(H0 + H1))
    assert ranking.cost.pulls == 3 * (H0 + H1)
    assert sorted(ranking.global_order) == sorted(
        [("hidden0", j) for j in range(H0)] + [("hidden1", j) for j in range(H1)])


def retired_in_order(policy: SpyUCB1) -> list[int]:
    """Arms retired by ``policy``, in order; asserts none is pulled afterwards."""
    retired: list[int] = []
    for kind, arms in policy.log:
        if kind == "retire":
            retired += arms
        else:
            assert not set(retired) & set(arms.tolist()), "a retired arm was pulled"
    return retired


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_iterative_schedule_retires_arms_never_pulls_them_again_and_prunes_them_first(scope):
    SpyUCB1.instances = []
    ranking = BanditMethod(SpyUCB1).rank(
        context(scope=scope, schedule="iterative", iterations=3, sparsity=0.5))
    assert ranking.cost.pulls == 3 * (H0 + H1)
    if scope == "layer":
        for layer, width, policy in zip(("hidden0", "hidden1"), (H0, H1), SpyUCB1.instances):
            retired = retired_in_order(policy)
            assert len(retired) == int(0.5 * width) * 2 // 3  # two of three stages retire
            assert ranking.order[layer][:len(retired)] == retired
    else:
        (policy,) = SpyUCB1.instances
        retired = retired_in_order(policy)
        assert len(retired) == int(0.5 * (H0 + H1)) * 2 // 3
        offsets = {"hidden0": 0, "hidden1": H0}
        assert [offsets[layer] + j for layer, j in ranking.global_order[:len(retired)]] == retired


def test_same_seed_same_ranking_other_seed_other_ranking():
    first = BanditMethod(UCB1).rank(context())
    again = BanditMethod(UCB1).rank(context())
    assert first.order == again.order and first.scores == again.scores
    ctx = context()
    ctx.seed = 1
    assert BanditMethod(UCB1).rank(ctx).order != first.order


@pytest.mark.parametrize("chosen, fragment", [
    (["nope"], "'nope' is not a prunable layer of Sequential; prunable: hidden0, hidden1"),
    (["act0"], "'act0' is not a prunable layer"),
    ([], "pruning.layers is empty; prunable layers of Sequential: hidden0, hidden1"),
])
def test_bad_layer_choice_is_one_line_listing_what_is_prunable(chosen, fragment):
    from mabbench.config.errors import ConfigError
    from mabbench.pruning.arms import prunable_widths

    with pytest.raises(ConfigError) as error:
        prunable_widths(mlp(), chosen)
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_model_without_prunable_layers_or_with_a_bad_declaration_is_one_line():
    from mabbench.config.errors import ConfigError
    from mabbench.pruning.arms import prunable_widths

    model = mlp()
    model.prunable = ()
    with pytest.raises(ConfigError, match="declares no prunable layers"):
        prunable_widths(model)
    model.prunable = ("act0",)
    with pytest.raises(ConfigError, match="'act0' is not a Linear or Conv"):
        prunable_widths(model)
    model.prunable, model.mask_after = ("hidden0",), {"hidden0": "bn9"}
    with pytest.raises(ConfigError, match=r"mask_after\['hidden0'\]='bn9' is not a submodule"):
        prunable_widths(model)


def correct(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (outputs.argmax(dim=1) == targets).float()


@pytest.mark.parametrize("probe", [False, True])
def test_metric_deltas_equal_hand_masked_accuracy_change(probe):
    model, batch = mlp(), data()
    with torch.no_grad():  # an untrained net predicts one class; spread its predictions
        model.out.bias.zero_(), model.hidden1.bias.zero_(), model.hidden0.weight.mul_(3)
    engine = PullEngine(model, {"hidden0": H0}, cross_entropy,
                        probe=batch if probe else None, metric=correct)
    units = torch.arange(H0)
    pulled = engine.pull("hidden0", units, batch)
    with torch.no_grad():
        base_accuracy = correct(model(*batch.inputs), batch.targets).mean()
    torch.testing.assert_close(pulled.metric_base, base_accuracy)
    changed = 0
    for unit, got in zip(units.tolist(), pulled.metric_delta):
        with torch.no_grad(), masked(model, {"hidden0": [unit]}):
            want = correct(model(*batch.inputs), batch.targets).mean() - base_accuracy
        torch.testing.assert_close(got, want)
        changed += bool(want != 0)
    assert changed > 0  # the check would notice a metric delta stuck at zero


def test_without_a_metric_the_metric_fields_are_none():
    model, batch = mlp(), data()
    pulled = PullEngine(model, {"hidden0": H0}, cross_entropy).pull(
        "hidden0", torch.tensor([0, 1]), batch)
    assert pulled.metric_delta is None and pulled.metric_base is None
    assert pulled.delta.shape == (2,) and pulled.base.dim() == 0


def test_the_forward_only_cross_entropy_equals_the_training_one():
    from mabbench.tasks.objectives import forward_only

    generator = torch.Generator().manual_seed(0)
    for scale in (1.0, 30.0):  # large logits: both must stay finite and agree
        outputs = torch.randn(500, 10, generator=generator) * scale
        targets = torch.randint(0, 10, (500,), generator=generator)
        torch.testing.assert_close(forward_only(cross_entropy)(outputs, targets),
                                   cross_entropy(outputs, targets), atol=1e-5, rtol=1e-6)
