"""The cheaper forms a pull round uses: per-copy loss means (mabbench.tasks.objectives.
per_copy) give the numbers of the per-example loss on repeated targets, and the
span-1 fan-out (one addcmul) is counted as the batched matmul it replaces."""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from mabbench.pruning.arms import masked
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.incremental import TERM_FLOPS
from mabbench.pruning.rewards import correct
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy, mse, per_copy

COPIES, ROWS, CLASSES = 5, 24, 4


def repeated_reference(per_example, outputs: torch.Tensor, targets: torch.Tensor,
                       copies: int) -> torch.Tensor:
    """What a round computed before the per-copy forms: targets repeated per copy,
    the per-example values (cast to the outputs' dtype), each copy's mean."""
    repeated = targets.repeat(copies, *([1] * (targets.dim() - 1)))
    values = per_example(outputs, repeated).to(outputs.dtype)
    return values.reshape(copies, -1).mean(dim=1)


def _classes(g: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.randint(0, CLASSES, shape, generator=g)


# name -> generator -> (per-example loss or metric, outputs of COPIES x ROWS rows, ROWS targets)
CASES = {
    "cross_entropy": lambda g: (
        cross_entropy, torch.randn(COPIES * ROWS, CLASSES, generator=g) * 5, _classes(g, ROWS)),
    "cross_entropy, (N, C, d) outputs": lambda g: (
        cross_entropy, torch.randn(COPIES * ROWS, CLASSES, 3, generator=g), _classes(g, ROWS, 3)),
    "cross_entropy, class probabilities": lambda g: (
        cross_entropy, torch.randn(COPIES * ROWS, CLASSES, generator=g),
        torch.rand(ROWS, CLASSES, generator=g).softmax(dim=1)),
    "mse": lambda g: (
        mse, torch.randn(COPIES * ROWS, 1, generator=g), torch.randn(ROWS, generator=g)),
    "mse, 2 targets per row": lambda g: (
        mse, torch.randn(COPIES * ROWS, 2, generator=g), torch.randn(ROWS, 2, generator=g)),
    "correct (no registered form)": lambda g: (
        correct, torch.randn(COPIES * ROWS, CLASSES, generator=g), _classes(g, ROWS)),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_per_copy_means_equal_the_per_example_loss_on_repeated_targets(kind):
    per_example, outputs, targets = CASES[kind](torch.Generator().manual_seed(0))
    got = per_copy(per_example)(outputs, targets, COPIES)
    assert got.shape == (COPIES,)
    torch.testing.assert_close(got, repeated_reference(per_example, outputs, targets, COPIES),
                               atol=1e-6, rtol=1e-6)


def regression_mlp() -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential()
    model.add_module("hidden0", nn.Linear(6, 10))
    model.add_module("act0", nn.ReLU())
    model.add_module("hidden1", nn.Linear(10, 8))
    model.add_module("act1", nn.Tanh())
    model.add_module("out", nn.Linear(8, 1))
    model.prunable = ("hidden0", "hidden1")
    return model.eval()


@pytest.mark.parametrize("loss", [cross_entropy, mse], ids=["cross_entropy", "mse"])
def test_cached_rounds_score_loss_and_metric_as_masked_forwards(loss):
    """pull_rows (kept activations, per-copy loss) on a mixed round: every
    arm's loss and metric deltas equal one masked forward's, for both losses."""
    model = regression_mlp()
    if loss is cross_entropy:  # a classifier head: the metric is correctness
        model.out = nn.Linear(8, 3)
    generator = torch.Generator().manual_seed(1)
    inputs = torch.randn(30, 6, generator=generator)
    targets = (torch.randint(0, 3, (30,), generator=generator) if loss is cross_entropy
               else torch.randn(30, generator=generator))
    source = Split((inputs,), targets)

    def metric(outputs, targets):  # correctness for the classifier, a per-row error otherwise
        if loss is cross_entropy:
            return correct(outputs, targets)
        return (outputs.reshape(targets.shape) - targets).abs()

    engine = PullEngine(model, {"hidden0": 10, "hidden1": 8}, loss, probe=source,
                        source=source, metric=metric)
    assert {engine.path("hidden0"), engine.path("hidden1")} == {"cached"}
    rows = torch.arange(2, 30, 3)
    layers, units = torch.tensor([1, 0, 0, 1, 0]), torch.tensor([7, 0, 9, 2, 4])
    pulled = engine.pull_rows(layers, units, rows)
    batch = source.subset(rows)
    with torch.no_grad():
        outputs = model(*batch.inputs)
    base = loss(outputs, batch.targets).mean()
    base_metric = metric(outputs, batch.targets).mean()
    torch.testing.assert_close(pulled.base, base, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(pulled.metric_base, base_metric, atol=1e-6, rtol=1e-6)
    names = ["hidden0", "hidden1"]
    for arm, (j, unit) in enumerate(zip(layers.tolist(), units.tolist())):
        with torch.no_grad(), masked(model, {names[j]: [unit]}):
            outputs = model(*batch.inputs)
        torch.testing.assert_close(pulled.delta[arm], loss(outputs, batch.targets).mean() - base,
                                   atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(pulled.metric_delta[arm],
                                   metric(outputs, batch.targets).mean() - base_metric,
                                   atol=1e-5, rtol=1e-4)


def test_a_cached_round_counts_the_units_terms_as_the_batched_matmul_form():
    """hidden0's next linear operation is hidden1 (span 1): its round subtracts
    each unit's term with one addcmul, which FlopCounterMode alone would not
    count. The round's FLOPs must be what the bmm form of the same terms
    counts, plus the layers above on every copy."""
    model = regression_mlp()
    source = Split((torch.randn(20, 6, generator=torch.Generator().manual_seed(2)),),
                   torch.randn(20, generator=torch.Generator().manual_seed(3)))
    engine = PullEngine(model, {"hidden0": 10}, mse, probe=source, source=source)
    assert engine.path("hidden0") == "cached"
    plan = engine.incremental["hidden0"]
    k, rows = 4, torch.arange(12)
    engine.pull_rows("hidden0", torch.arange(1), rows)  # builds the kept activations
    start = engine.flops
    engine.pull_rows("hidden0", torch.arange(k), rows)
    engine.pull_rows("hidden0", torch.arange(k, 2 * k), rows)  # same shape: reuses the count
    inputs, _ = engine.cache.rows("hidden0", rows)
    with FlopCounterMode(display=False) as bmm_form:
        plan.contribution(inputs, torch.arange(k))  # the batched matmul (k, B, 1) x (k, 1, 8)
    terms = bmm_form.get_total_flops()
    assert terms == 2 * k * len(rows) * 8
    above = 2 * (k + 1) * len(rows) * 8 * 1  # out on every copy
    assert engine.flops - start == 2 * (terms + above)


def test_the_term_count_is_scoped_to_the_counter_given_it():
    """Outside a counter given TERM_FLOPS, addcmul stays uncounted (torch's default)."""
    a, b, c = torch.randn(3, 4), torch.randn(2, 3, 1), torch.randn(2, 1, 4)
    with FlopCounterMode(display=False) as plain:
        torch.addcmul(a, b, c)
    with FlopCounterMode(display=False, custom_mapping=TERM_FLOPS) as counted:
        torch.addcmul(a, b, c)
    assert plain.get_total_flops() == 0
    assert counted.get_total_flops() == 2 * 2 * 3 * 4


def test_a_round_from_a_reused_fan_out_buffer_is_not_changed_by_the_next():
    """Rounds of one shape fan out into one kept buffer; a layer whose next
    linear operation yields the outputs (hidden1 -> out) scores the buffer
    itself. What a round returned must survive the next round's overwrite."""
    model = regression_mlp()
    source = Split((torch.randn(16, 6, generator=torch.Generator().manual_seed(4)),),
                   torch.randn(16, generator=torch.Generator().manual_seed(5)))
    engine = PullEngine(model, {"hidden1": 8}, mse, probe=source, source=source)
    assert engine.path("hidden1") == "cached"
    rows = torch.arange(16)
    first = engine.pull_rows("hidden1", torch.arange(4), rows)
    engine.pull_rows("hidden1", torch.arange(4, 8), rows)
    with torch.no_grad():
        base = mse(model(*source.inputs), source.targets).mean()
    for unit in range(4):
        with torch.no_grad(), masked(model, {"hidden1": [unit]}):
            want = mse(model(*source.inputs), source.targets).mean() - base
        torch.testing.assert_close(first.delta[unit], want, atol=1e-5, rtol=1e-4)


def test_under_bf16_autocast_pull_deltas_follow_the_fp32_ones():
    """runtime.precision=bf16 autocasts pulls. The per-copy cross-entropy is
    F.cross_entropy, which autocast runs in fp32, so one unit's loss change
    survives the mean (a bf16 mean of the loss rounded most of them to 0)."""
    model = regression_mlp()
    model.out = nn.Linear(8, 3)
    generator = torch.Generator().manual_seed(6)
    source = Split((torch.randn(64, 6, generator=generator),),
                   torch.randint(0, 3, (64,), generator=generator))
    units, rows = torch.arange(10), torch.arange(64)
    exact = PullEngine(model, {"hidden0": 10}, cross_entropy, probe=source, source=source)
    want = exact.pull_rows("hidden0", units, rows).delta
    with torch.autocast("cpu", dtype=torch.bfloat16):
        engine = PullEngine(model, {"hidden0": 10}, cross_entropy, probe=source, source=source)
        got = engine.pull_rows("hidden0", units, rows).delta
    assert got.dtype == torch.float32
    assert torch.corrcoef(torch.stack([want, got]))[0, 1] > 0.99
