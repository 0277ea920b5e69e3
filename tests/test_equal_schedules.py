"""Equal schedules and BatchNorm-aware scores (issue 21, items 3 and 4)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from test_baselines import H, context

from baselines.base import Scorer
from baselines.magnitude import Magnitude
from baselines.random_order import RandomOrder
from baselines.taylor import Taylor
from mabbench.config.schemas import PruningConfig
from mabbench.models.vgg import VGG
from mabbench.pruning.context import PruningContext
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy
from mabbench.trial.endpoints import schedule_of


class Spy(Scorer):
    """Fixed scores (unit j scores j: unit 0 is least important); records, per
    call, which hidden units the model it scores has removed (output zero)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[set[int]] = []

    def importance(self, ctx, cost):
        captured = {}
        handle = ctx.model.act0.register_forward_hook(
            lambda m, a, out: captured.setdefault("out", out))
        try:
            with torch.no_grad():
                ctx.model(*ctx.prune.inputs)
        finally:
            handle.remove()
        zero = (captured["out"] == 0).all(dim=0)
        self.seen.append({int(j) for j in torch.nonzero(zero).flatten()})
        return {"hidden0": torch.arange(H, dtype=torch.float64)}


def test_iterative_baselines_rescore_the_pruned_model_between_stages():
    ctx = context(schedule="iterative")  # 3 stages, sparsity 0.5 of 10 units: 5 sought
    spy = Spy()
    ranking = spy.rank(ctx)
    # stage 1 scores the dense model, stage 2 with 5 // 3 = 1 unit gone, stage 3 with 10 // 3 = 3
    assert spy.seen == [set(), {0}, {0, 1, 2}]
    assert ranking.order["hidden0"][:3] == [0, 1, 2]  # retired first, in retirement order


def test_sequential_baselines_score_each_layer_with_the_earlier_ones_cut():
    ctx = context(schedule="sequential")
    ctx.cfg.scope = "layer"
    spy = Spy()
    spy.rank(ctx)
    assert spy.seen == [set()]  # one layer: scored once, on the dense model


def test_one_shot_scores_once_and_the_record_says_which():
    spy = Spy()
    spy.rank(context(schedule="one_shot"))
    assert spy.seen == [set()]
    cfg = SimpleNamespace(pruning=PruningConfig(schedule="iterative", iterations=3))
    assert schedule_of(cfg, spy, "baseline")["rescored"] is True
    assert schedule_of(cfg, RandomOrder(), "baseline")["rescored"] is False  # nothing to gain
    assert schedule_of(cfg, None, "bandit") == {"name": "iterative", "stages": 3,
                                                 "layer_by_layer": False, "rescored": True}
    assert schedule_of(cfg, None, "unpruned") is None


def vgg_context(policy_schedule: str = "one_shot") -> PruningContext:
    torch.manual_seed(0)
    model = VGG(10, {"in_channels": 1, "image_size": 8}, stages=[[6], [12]], fc=[16]).eval()
    with torch.no_grad():  # channel 2 of conv1: a large filter silenced by its BatchNorm
        model.conv1.weight[2] *= 10.0
        model.bn1.weight[2] = 0.0
        model.bn1.bias[2] = 0.0
    generator = torch.Generator().manual_seed(3)
    prune = Split((torch.randn(40, 1, 8, 8, generator=generator),),
                  torch.randint(0, 10, (40,), generator=generator))
    cfg = SimpleNamespace(**vars(PruningConfig(schedule=policy_schedule, batch_size=20)))
    widths = {"conv1": 6, "conv2": 12, "fc1": 16}
    return PruningContext(model=model, widths=widths, prune=prune, loss=cross_entropy, cfg=cfg,
                          seed=0, device=torch.device("cpu"))


def test_magnitude_behind_batchnorm_reads_its_scale_filter_l1_does_not():
    ctx = vgg_context()
    cost = SimpleNamespace(forward_flops=0.0, pulls=0)
    by_scale = Magnitude().importance(ctx, cost)["conv1"]
    plain = Magnitude(variant="filter_l1").importance(ctx, cost)["conv1"]
    grouped = Magnitude(variant="bn_group").importance(ctx, cost)["conv1"]
    assert int(by_scale.argmin()) == 2 and int(plain.argmax()) == 2
    assert not torch.equal(grouped.float(), plain.float())
    # fc1 has no BatchNorm: every variant ranks it by its filter L1, as v2 did
    assert torch.equal(Magnitude().importance(ctx, cost)["fc1"],
                       Magnitude(variant="filter_l1").importance(ctx, cost)["fc1"])


def test_bn_scale_is_torch_pruning_group_magnitude_on_batchnorm():
    import torch_pruning as tp

    ctx = vgg_context()
    model = ctx.model
    graph = tp.DependencyGraph().build_dependency(model, example_inputs=ctx.prune.inputs[0][:2])
    group = graph.get_pruning_group(model.conv2, tp.prune_conv_out_channels, idxs=list(range(12)))
    want = tp.importance.GroupMagnitudeImportance(
        p=1, group_reduction="mean", normalizer=None,
        target_types=[torch.nn.modules.batchnorm._BatchNorm])(group)
    got = Magnitude().importance(ctx, SimpleNamespace())["conv2"]
    torch.testing.assert_close(got.float(), want.float())


def test_taylor_gates_after_batchnorm():
    """Taylor's gate sits at the mask point (after BatchNorm): a channel whose
    BatchNorm outputs zero scores exactly zero, however large its filter."""
    scores = Taylor().importance(vgg_context(), SimpleNamespace(forward_flops=0.0))
    assert float(scores["conv1"][2]) == 0.0 and float(scores["conv1"].max()) > 0


def test_a_bad_magnitude_variant_names_the_key():
    from mabbench.config.errors import ConfigError

    with pytest.raises(ConfigError, match="policy.variant"):
        Magnitude(variant="l3")
