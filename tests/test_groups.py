"""Arm sets from Torch-Pruning's dependency graph (mabbench.pruning.groups):
a ResNet's residual-stream channels are coupled across a stage, heads and
MLP neurons of the transformers are arms, ``prunable`` restricts them, every
baseline ranks every arm type, and a model the graph cannot trace is refused
in one line. (Removal == masking and pull == masked forward for every model
in conf/model/: tests/test_compaction_zoo.py.)"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from baselines.greedy import GreedyActivation
from baselines.magnitude import Magnitude
from baselines.oracle import Oracle
from baselines.random_order import RandomOrder
from baselines.shapley import Shapley
from baselines.taylor import Taylor
from mabbench.config.errors import ConfigError
from mabbench.config.schemas import PruningConfig
from mabbench.models.gpt import GPT
from mabbench.models.resnet import ResNet
from mabbench.models.vit import ViT
from mabbench.pruning.arms import masked, prunable_widths
from mabbench.pruning.compaction import compact
from mabbench.pruning.context import PruningContext
from mabbench.pruning.groups import arm_sets
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

IMAGE = {"in_channels": 1, "image_size": 8}


def resnet(depth: int = 20) -> nn.Module:
    torch.manual_seed(0)
    model = ResNet(10, IMAGE, depth=depth).eval()
    with torch.no_grad():  # BN(0) != 0, so masking before a BatchNorm would show
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.normal_(0, 0.5)
                module.bias.normal_(0, 0.5)
    return model


def vit() -> nn.Module:
    torch.manual_seed(0)
    return ViT(10, IMAGE, patch=2, dim=16, depth=2, heads=4, mlp=24).eval()


def test_resnet20_has_three_residual_streams_and_nine_block_channels():
    sets = arm_sets(resnet())
    coupled = [s for s in sets.values() if s.kind == "coupled"]
    assert [s.width for s in coupled] == [16, 32, 64]
    # a stage's stream is written by the stem or shortcut and each block's conv2
    assert [len(s.points) for s in coupled] == [4, 4, 4]
    assert all(isinstance(resnet().get_submodule(p.module), nn.BatchNorm2d)
               for s in coupled for p in s.points)
    assert sum(s.kind == "unit" for s in sets.values()) == 9


def test_a_masked_residual_channel_is_zero_through_the_whole_stage():
    model = resnet()
    seen = []
    handles = [model.get_submodule(f"layer2.{i}").register_forward_hook(
        lambda _m, _a, out: seen.append(out[:, 5])) for i in range(3)]
    with torch.no_grad(), masked(model, {"layer2.0.conv2": [5]}):
        model(torch.randn(3, 1, 8, 8))
    for handle in handles:
        handle.remove()
    assert len(seen) == 3 and all(bool((out == 0).all()) for out in seen)


@pytest.mark.parametrize("name", ["layer2.0.conv2", "layer1.0.conv1"])
def test_removing_one_group_equals_masking_it(name):
    model, x = resnet(depth=8), torch.randn(4, 1, 8, 8)
    remove = {name: [0, 3, 7]}
    with torch.no_grad(), masked(model, remove):
        expected = model(x)
    small = compact(model, remove, (x,))
    torch.testing.assert_close(small(x), expected, atol=1e-5, rtol=1e-5)
    assert prunable_widths(small)[name] == prunable_widths(model)[name] - 3


def test_removing_heads_shrinks_qkv_and_proj_and_the_head_count():
    model, x = vit(), torch.randn(4, 1, 8, 8)
    remove = {"blocks.1.attn.heads": [0, 2]}
    with torch.no_grad(), masked(model, remove):
        expected = model(x)
    small = compact(model, remove, (x,))
    attention = small.blocks[1].attn
    assert attention.num_heads == 2 and attention.qkv.out_features == 3 * 2 * 4
    assert attention.proj.in_features == 2 * 4
    torch.testing.assert_close(small(x), expected, atol=1e-5, rtol=1e-5)


def test_transformers_offer_heads_and_mlp_neurons_not_the_layernormed_stream():
    gpt = GPT(30, {"vocab_size": 30, "max_len": 6}, dim=16, depth=2, heads=4, mlp=24)
    for model in (vit(), gpt):
        assert {s.kind for s in arm_sets(model).values()} == {"head", "unit"}
        assert prunable_widths(model) == {"blocks.0.attn.heads": 4, "blocks.0.mlp.fc1": 24,
                                          "blocks.1.attn.heads": 4, "blocks.1.mlp.fc1": 24}


def test_prunable_restricts_the_graph_sets_and_a_wrong_name_is_one_line():
    model = resnet()
    model.prunable = ("layer1.0.conv1", "conv1")
    assert prunable_widths(model) == {"layer1.0.conv1": 16, "conv1": 16}
    model.prunable = ("layer1.0.bn1",)
    with pytest.raises(ConfigError, match="prunable 'layer1.0.bn1' is no arm set"):
        prunable_widths(model)
    transformer = vit()
    transformer.prunable = ("blocks.0.attn.qkv",)  # a head's rows, not removable one by one
    with pytest.raises(ConfigError, match="'blocks.0.attn.qkv' is no arm set"):
        prunable_widths(transformer)


class Untraceable(nn.Module):
    """A forward that fails while traced (as an op Torch-Pruning cannot follow would)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.prunable = None

    def example_inputs(self):
        return (torch.zeros(2, 4),)

    def forward(self, x):
        raise RuntimeError("data-dependent forward at layer fc\nsecond line of the trace")


class ThroughNumpy(nn.Module):
    """A layer that leaves autograd (as a NumPy post-processing step would)."""

    def forward(self, x):
        return torch.from_numpy(x.numpy() * 2)


class UntraceableLayer(Untraceable):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), ThroughNumpy())

    def forward(self, x):
        return self.fc(self.body(x))


@pytest.mark.parametrize("model, where", [
    (Untraceable(), ("in Untraceable.forward, outside any submodule (RuntimeError: "
                     "data-dependent forward at layer fc)")),
    (UntraceableLayer(), "at layer 'body.1' (ThroughNumpy) (RuntimeError: Can't call numpy()"),
], ids=["own forward", "a layer"])
def test_a_model_the_graph_cannot_trace_fails_in_one_line_naming_the_layer(model, where):
    name = type(model).__name__
    with pytest.raises(ConfigError) as error:
        prunable_widths(model)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"model {name}: Torch-Pruning cannot trace it {where}")
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


@pytest.mark.parametrize("scorer", [Magnitude(), Taylor(), GreedyActivation(), RandomOrder(),
                                    Oracle(), Shapley()], ids=lambda s: s.name)
@pytest.mark.parametrize("build", [lambda: resnet(depth=8), vit], ids=["resnet", "vit"])
def test_every_baseline_ranks_every_arm_type(scorer, build, tmp_path):
    model = build()
    widths = prunable_widths(model)
    generator = torch.Generator().manual_seed(3)
    prune = Split((torch.randn(24, 1, 8, 8, generator=generator),),
                  torch.randint(0, 10, (24,), generator=generator))
    cfg = SimpleNamespace(**vars(PruningConfig(batch_size=8, arms_per_round=4,
                                               budget_per_arm=1.0)))
    ctx = PruningContext(model=model, widths=widths, prune=prune, loss=cross_entropy, cfg=cfg,
                         seed=0, device=torch.device("cpu"), cache_dir=tmp_path)
    ranking = scorer.rank(ctx)
    assert {layer: sorted(order) for layer, order in ranking.order.items()} == {
        layer: list(range(width)) for layer, width in widths.items()}
