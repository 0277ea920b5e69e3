"""Rounds with large outputs (a language model's logits) run their rows in pieces
(mabbench.pruning.row_pieces): the same pulls, counted once, within the budget;
and the per-position loss reads (N, vocab, T) logits as rows."""
from __future__ import annotations

from typing import NamedTuple

import pytest
import torch
import torch.nn.functional as F

from mabbench.models.gpt import GPT
from mabbench.pruning.arms import masked, prunable_widths
from mabbench.pruning.engine import PullEngine
from mabbench.pruning.row_pieces import in_pieces, rows_per_piece
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import METRICS, cross_entropy, forward_only, per_copy

VOCAB, TOKENS = 40, 6


def _gpt_and_rows(rows: int = 24) -> tuple[GPT, Split]:
    torch.manual_seed(0)
    model = GPT(VOCAB, {"vocab_size": VOCAB, "max_len": TOKENS}, dim=16, depth=2, heads=2,
                mlp=12).eval()
    ids = torch.randint(0, VOCAB, (rows, TOKENS + 1))
    return model, Split((ids[:, :-1],), ids[:, 1:])


def _masked_delta(model: GPT, data: Split, layer: str, unit: int) -> float:
    with torch.no_grad():
        base = cross_entropy(model(*data.inputs), data.targets).mean()
        with masked(model, {layer: [unit]}):
            return float(cross_entropy(model(*data.inputs), data.targets).mean() - base)


@pytest.mark.parametrize("scope", ["layer", "global"])
@pytest.mark.parametrize("rows_of", ["pull", "pull_rows"])
def test_a_round_cut_into_pieces_measures_what_one_round_does_and_counts_its_pulls_once(
        rows_of, scope):
    model, data = _gpt_and_rows()
    widths = prunable_widths(model)
    layer = "blocks.1.mlp.fc1"
    units = torch.arange(widths[layer])
    if scope == "global":  # arms of three layers in one round, as scope=global pulls them
        names = list(widths)
        positions = [names.index(n) for n in ("blocks.0.attn.heads", "blocks.0.mlp.fc1", layer)]
        layer = torch.tensor([positions[0]] * 2 + [positions[1]] * 5 + [positions[2]] * 5)
        units = torch.tensor([0, 1, 0, 3, 5, 7, 11, 3, 4, 6, 8, 10])
    copies = len(units) + 1
    # a budget of 5 rows' outputs per round: 24 rows run as 5 pieces
    budget = 5 * copies * VOCAB * TOKENS
    whole = PullEngine(model, widths, cross_entropy, probe=data, source=data)
    pieces = PullEngine(model, widths, cross_entropy, probe=data, source=data,
                        output_budget=budget)
    assert pieces.output_elements == VOCAB * TOKENS
    assert rows_per_piece(copies, pieces.output_elements, budget) == 5
    rows = torch.arange(len(data))
    one = (whole.pull(layer, units, data) if rows_of == "pull"
           else whole.pull_rows(layer, units, rows))
    seen: list[int] = []  # rows x copies of each forward the pieced engine runs
    hook = model.register_forward_hook(lambda _m, _a, out: seen.append(out.shape[0]))
    try:
        cut = (pieces.pull(layer, units, data) if rows_of == "pull"
               else pieces.pull_rows(layer, units, rows))
    finally:
        hook.remove()
    assert len(seen) >= 5 and max(seen) <= 5 * copies  # 24 rows in pieces of at most 5
    assert torch.allclose(cut.delta, one.delta, atol=1e-6)
    assert float(cut.base) == pytest.approx(float(one.base), abs=1e-6)
    assert pieces.pulls == whole.pulls == len(units)
    assert pieces.flops == pytest.approx(whole.flops)
    # and both are the masked model's loss change
    name, unit = ("blocks.1.mlp.fc1", 3) if scope == "layer" else ("blocks.0.mlp.fc1", 3)
    assert float(cut.delta[3]) == pytest.approx(_masked_delta(model, data, name, unit), abs=1e-5)


class Means(NamedTuple):
    mean: torch.Tensor
    absent: None = None


def test_a_round_within_the_budget_is_one_piece():
    calls: list[int] = []

    def pull(rows: torch.Tensor) -> Means:
        calls.append(len(rows))
        return Means(rows.double().mean())

    assert in_pieces(torch.arange(8), 8, pull) == pull(torch.arange(8))
    assert calls == [8, 8]
    calls.clear()
    mean, absent = in_pieces(torch.arange(10), 4, pull)
    assert calls == [4, 3, 3] and absent is None  # near-equal pieces
    assert float(mean) == pytest.approx(4.5)  # piece means weighted by rows
    assert rows_per_piece(17, 0) > 10 ** 9  # outputs unknown: no limit


def test_per_position_cross_entropy_equals_torchs_on_the_vocab_first_layout():
    torch.manual_seed(0)
    logits = torch.randn(7, TOKENS, VOCAB)  # as the GPT computes them: classes last
    targets = torch.randint(0, VOCAB, (7, TOKENS))
    view = logits.transpose(1, 2)  # (N, vocab, T): what it hands out
    reference = F.cross_entropy(view, targets, reduction="none")
    assert torch.allclose(forward_only(cross_entropy)(view, targets), reference, atol=1e-6)
    contiguous = view.contiguous()  # a model that computes (N, vocab, T) itself
    assert torch.allclose(forward_only(cross_entropy)(contiguous, targets), reference, atol=1e-6)
    means = per_copy(cross_entropy)(torch.cat([view, 2 * view]), targets, 2)
    assert torch.allclose(means, torch.stack([reference.mean(),
                                              F.cross_entropy(2 * view, targets)]), atol=1e-6)
    perplexity = METRICS.get("perplexity")(view, targets)
    assert perplexity == pytest.approx(float(torch.exp(reference.double().mean())), rel=1e-6)


def test_a_language_models_points_stream_its_split_in_batches_with_the_same_scores():
    from mabbench.trial import curve

    model, data = _gpt_and_rows(rows=10)
    with torch.no_grad():
        outputs = model(*data.inputs)
    whole = [METRICS.get(metric)(outputs, data.targets)
             for metric in ("token_accuracy", "perplexity")]
    forwards: list[int] = []
    hook = model.register_forward_hook(lambda _m, _a, out: forwards.append(out.shape[0]))
    try:
        streamed = curve.scores(model, data, ("token_accuracy", "perplexity"), batch_size=3)
    finally:
        hook.remove()
    assert forwards == [1, 3, 3, 3, 1]  # a one-row probe, then batches of 3
    assert streamed[0] == whole[0]
    assert streamed[1] == pytest.approx(whole[1], rel=1e-12)
    assert curve.score(model, data, "perplexity") == pytest.approx(whole[1], rel=1e-12)
