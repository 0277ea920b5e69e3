"""The incremental pull path (mabbench.pruning.incremental) on every layer of
every model in conf/model/: each arm's loss change equals one masked forward,
whichever path the engine chose for the layer; the layers that the path is
built for take it, and the ones it cannot serve exactly fall back."""
from __future__ import annotations

import pytest
import torch
from conftest import CONF
from test_compaction_zoo import N_OUTPUTS, ROWS, fake_targets, zoo_model

from mabbench.models.mlp import MLP
from mabbench.pruning.arms import masked, prunable_widths
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.suffix import narrow_linear
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy, mse

MODELS = sorted(p.stem for p in (CONF / "model").glob("*.yaml"))
# Layers whose next linear operation follows only unit-wise, zero-preserving
# operations: they must take the fast path (a regression to batched shows here).
# In residual blocks too: the skip sum repeats the skip (mabbench/models/residual.py).
MUST_BE_INCREMENTAL = {"lenet": {"conv1", "conv2", "fc1"}, "mlp": {"hidden0"},
                       "resnet": {"layer1.0.conv1", "layer3.0.conv1"},
                       **{name: {"blocks.0.attn.heads", "blocks.0.mlp.fc1"}
                          for name in ("vit", "gpt")}}


def correct(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (outputs.argmax(dim=1) == targets).float()


def assert_arms_are_masked_forwards(model, delta, layer, units, batch, loss=cross_entropy,
                                    retired=None) -> torch.Tensor:
    """delta[i] equals the loss on ``batch`` with unit units[i] of ``layer`` masked (and
    ``retired`` units everywhere) less the loss with only ``retired`` masked; returns
    that base loss."""
    retired = retired or {}
    with torch.no_grad(), masked(model, retired):
        base = loss(model(*batch.inputs), batch.targets).mean()
    units = [int(u) for u in units]
    assert len(delta) == len(units)
    for got, unit in zip(delta, units):
        remove = {**retired, layer: retired.get(layer, []) + [unit]}
        with torch.no_grad(), masked(model, remove):
            want = loss(model(*batch.inputs), batch.targets).mean() - base
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4, msg=f"{layer} unit {unit}")
    return base


@pytest.mark.parametrize("name", MODELS)
def test_every_arm_of_every_layer_equals_a_masked_forward(name, tmp_path, capsys):
    model, inputs = zoo_model(name, tmp_path)
    targets = fake_targets(model, inputs)
    batch = Split(inputs, targets)
    widths = prunable_widths(model)
    engine = PullEngine(model, widths, cross_entropy, probe=batch, metric=correct)
    paths = {layer: engine.path(layer) for layer in widths}
    with capsys.disabled():
        print(f"\n{name}: " + ", ".join(f"{layer}={path}" for layer, path in paths.items()))
    assert MUST_BE_INCREMENTAL.get(name, set()) <= {l for l, p in paths.items()
                                                    if p == "incremental"}, paths
    with torch.no_grad():
        outputs = model(*inputs)
    base, base_metric = cross_entropy(outputs, targets).mean(), correct(outputs, targets).mean()
    for layer, width in widths.items():
        units = torch.arange(width)
        pulled = engine.pull(layer, units, batch)
        torch.testing.assert_close(pulled.base, base, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(pulled.metric_base, base_metric)
        for unit in range(width):
            with torch.no_grad(), masked(model, {layer: [unit]}):
                got = model(*inputs)
            want = cross_entropy(got, targets).mean() - base
            torch.testing.assert_close(pulled.delta[unit], want, atol=1e-5, rtol=1e-4,
                                       msg=f"{name}.{layer} unit {unit} ({paths[layer]})")
            torch.testing.assert_close(pulled.metric_delta[unit],
                                       correct(got, targets).mean() - base_metric)


def test_incremental_round_with_retired_units_equals_masked_forwards(tmp_path):
    model, inputs = zoo_model("lenet", tmp_path)
    batch = Split(inputs, torch.arange(ROWS) % N_OUTPUTS)
    widths = prunable_widths(model)
    engine = PullEngine(model, widths, cross_entropy, probe=batch)
    engine.retire("conv1", torch.tensor([3]))
    engine.retire("fc1", torch.tensor([0, 7]))
    retired = {"conv1": [3], "fc1": [0, 7]}
    for layer in ("conv2", "fc1"):
        assert engine.path(layer) == "incremental"
        units = torch.tensor([1, 5, 9])
        delta, base, _, _ = engine.pull(layer, units, batch)
        want_base = assert_arms_are_masked_forwards(model, delta, layer, units, batch,
                                                    retired=retired)
        torch.testing.assert_close(base, want_base)


@pytest.mark.parametrize("between", [torch.nn.LayerNorm, torch.nn.BatchNorm1d])
def test_a_normalisation_between_mask_point_and_next_linear_falls_back_exactly(between):
    torch.manual_seed(0)
    model = torch.nn.Sequential()
    model.add_module("hidden0", torch.nn.Linear(5, 8))
    model.add_module("norm", between(8))
    model.add_module("out", torch.nn.Linear(8, 3))
    model.prunable = ("hidden0",)
    model.eval()
    if between is torch.nn.BatchNorm1d:  # BN(0) != 0 once its statistics are not trivial
        with torch.no_grad():
            model.norm.running_mean.uniform_(-1, 1), model.norm.bias.uniform_(-1, 1)
    generator = torch.Generator().manual_seed(1)
    batch = Split((torch.randn(20, 5, generator=generator),),
                  torch.randint(0, 3, (20,), generator=generator))
    engine = PullEngine(model, {"hidden0": 8}, cross_entropy, probe=batch)
    assert engine.path("hidden0") == "batched"
    delta, base, _, _ = engine.pull("hidden0", torch.arange(8), batch)
    for unit in range(8):
        with torch.no_grad(), masked(model, {"hidden0": [unit]}):
            want = cross_entropy(model(*batch.inputs), batch.targets).mean() - base
        torch.testing.assert_close(delta[unit], want, atol=1e-5, rtol=1e-4)


# Layers whose cut model (what lies above the next linear operation) fx can
# trace: their pull_rows rounds must come from kept activations.
MUST_BE_CACHED = {"lenet": {"conv1", "conv2", "fc1"}, "mlp": {"hidden0"},
                  "vgg": {"conv1", "conv6", "fc1"}}


@pytest.mark.parametrize("name", MODELS)
def test_rounds_from_kept_activations_equal_masked_forwards(name, tmp_path):
    """pull_rows on a subset of rows of the source split, a round mixing every
    layer (scope=global) with a retired unit in the first layer: each arm's
    delta equals a masked forward on those rows."""
    model, inputs = zoo_model(name, tmp_path)
    source = Split(inputs, fake_targets(model, inputs))
    widths = prunable_widths(model)
    engine = PullEngine(model, widths, cross_entropy, probe=source, source=source)
    cached = {layer for layer in widths if engine.path(layer) == "cached"}
    assert MUST_BE_CACHED.get(name, set()) <= cached, {l: engine.path(l) for l in widths}
    if name == "vgg":  # a layer fanning out into a conv (conv1-conv5) runs channels-last
        into_conv = {l for l in cached
                     if isinstance(engine.incremental[l].module, torch.nn.Conv2d)}
        assert into_conv and into_conv <= engine.channels_last
    names = list(widths)
    retired = {names[0]: [0]}
    engine.retire(names[0], torch.tensor([0]))
    rows = torch.arange(1, ROWS, 2)
    batch = source.subset(rows)
    position = torch.tensor([j for j, layer in enumerate(names) for _ in range(2)])
    units = torch.tensor([u for layer in names for u in (1, widths[layer] - 1)])
    pulled = engine.pull_rows(position, units, rows)
    with torch.no_grad(), masked(model, retired):
        base = cross_entropy(model(*batch.inputs), batch.targets).mean()
    torch.testing.assert_close(pulled.base, base, atol=1e-5, rtol=1e-5)
    for arm, (j, unit) in enumerate(zip(position.tolist(), units.tolist())):
        layer = names[j]
        remove = {**retired, layer: retired.get(layer, []) + [unit]}
        with torch.no_grad(), masked(model, remove):
            want = cross_entropy(model(*batch.inputs), batch.targets).mean() - base
        torch.testing.assert_close(pulled.delta[arm], want, atol=1e-5, rtol=1e-4,
                                   msg=f"{name}.{layer} unit {unit} ({engine.path(layer)})")


def test_retiring_a_unit_rebuilds_the_kept_activations(tmp_path):
    model, inputs = zoo_model("lenet", tmp_path)
    source = Split(inputs, torch.arange(ROWS) % N_OUTPUTS)
    engine = PullEngine(model, prunable_widths(model), cross_entropy, probe=source, source=source)
    rows = torch.arange(ROWS)
    every = torch.arange(engine.widths["fc1"])
    before = engine.pull_rows("fc1", every, rows).delta
    unit = int(before.abs().argmax())
    engine.retire("conv1", torch.arange(5))
    after = engine.pull_rows("fc1", every, rows).delta
    with torch.no_grad(), masked(model, {"conv1": list(range(5))}):
        base = cross_entropy(model(*inputs), source.targets).mean()
    with torch.no_grad(), masked(model, {"conv1": list(range(5)), "fc1": [unit]}):
        want = cross_entropy(model(*inputs), source.targets).mean() - base
    assert engine.cache.builds == 2
    torch.testing.assert_close(after[unit], want, atol=1e-5, rtol=1e-4)
    assert not torch.equal(before, after)


def test_a_value_crossing_the_cut_keeps_full_forwards():
    class Skip(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden0, self.act = torch.nn.Linear(4, 6), torch.nn.ReLU()
            self.mid, self.out = torch.nn.Linear(6, 4), torch.nn.Linear(4, 3)
            self.prunable = ("hidden0",)

        def forward(self, x):  # a value from below the cut (x's scale) is used above it
            return self.out(self.mid(self.act(self.hidden0(x))) * x.abs().mean())

    torch.manual_seed(0)
    model = Skip().eval()
    source = Split((torch.randn(10, 4),), torch.arange(10) % 3)
    engine = PullEngine(model, {"hidden0": 6}, cross_entropy, probe=source, source=source)
    assert engine.path("hidden0") == "incremental"
    delta = engine.pull_rows("hidden0", torch.arange(6), torch.arange(10)).delta
    assert_arms_are_masked_forwards(model, delta, "hidden0", range(6), source)


@pytest.mark.parametrize("outputs, loss", [(2, cross_entropy), (1, mse)])
def test_rounds_of_a_narrow_head_equal_masked_forwards(outputs, loss):
    """A binary classifier's or a regressor's MLP: above hidden0 a round runs its
    ReLU in place on the fan-out buffer and the 1-2 output head as W x^T
    (suffix.round_form); every arm of both layers, with a retired unit and on a
    subset of rows, still equals a masked forward."""
    torch.manual_seed(0)
    model = MLP(n_outputs=outputs, info={"in_features": 7}, hidden=[16, 16]).eval()
    x = torch.randn(40, 7)
    targets = torch.arange(40) % 2 if outputs == 2 else torch.randn(40, 1)
    source = Split((x,), targets)
    widths = prunable_widths(model)
    engine = PullEngine(model, widths, loss, probe=source, source=source)
    assert engine.path("hidden0") == "cached"
    form = engine.suffixes["hidden0"].graph
    assert {n.target for n in form.nodes if n.op == "call_function"} >= {torch.relu_,
                                                                           narrow_linear}
    engine.retire("hidden1", torch.tensor([3]))
    rows = torch.arange(0, 40, 3)
    batch = source.subset(rows)
    for layer, width in widths.items():
        delta = engine.pull_rows(layer, torch.arange(width), rows).delta
        assert_arms_are_masked_forwards(model, delta, layer, range(width), batch, loss,
                                        retired={"hidden1": [3]})


def test_conv_rounds_run_channels_last_unless_the_model_needs_nchw():
    """A cached conv layer's rounds run channels-last where the cut model allows it;
    a model that views its conv output as contiguous NCHW keeps NCHW; both equal
    masked forwards."""
    class Net(torch.nn.Module):
        def __init__(self, contiguous_view: bool):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(2, 6, 3), torch.nn.Conv2d(6, 5, 3)
            self.act, self.out = torch.nn.ReLU(), torch.nn.Linear(5 * 4 * 4, 3)
            self.contiguous_view = contiguous_view
            self.prunable = ("conv1",)

        def forward(self, x):
            x = self.act(self.conv2(self.act(self.conv1(x))))
            return self.out(x.view(x.shape[0], -1) if self.contiguous_view else x.flatten(1))

    for contiguous_view in (False, True):
        torch.manual_seed(0)
        model = Net(contiguous_view).eval()
        source = Split((torch.randn(12, 2, 8, 8),), torch.arange(12) % 3)
        engine = PullEngine(model, {"conv1": 6}, cross_entropy, probe=source, source=source)
        assert engine.path("conv1") == "cached"
        assert ("conv1" in engine.channels_last) is not contiguous_view
        rows = torch.arange(1, 12, 2)
        batch = source.subset(rows)
        delta = engine.pull_rows("conv1", torch.arange(6), rows).delta
        assert_arms_are_masked_forwards(model, delta, "conv1", range(6), batch)
