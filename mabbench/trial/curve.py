"""The sparsity curve: physically remove the lowest-ranked arms at each level
and score the smaller model on select (for selection) and test (to report)."""
from __future__ import annotations

import hashlib

import torch
from torch import nn

from mabbench.pruning.compaction import compact
from mabbench.pruning.context import Ranking
from mabbench.pruning.cost import count_macs, count_params, measure_latency
from mabbench.pruning.row_pieces import rows_per_piece
from mabbench.runtime import memo, progress
from mabbench.runtime.timing import phase
from mabbench.tasks.base import Split, Splits
from mabbench.tasks.objectives import EXTRA_METRICS, METRICS, PositionMean

PREDICT_ROWS = 2048  # rows per evaluation forward


@torch.no_grad()
def predict(model: nn.Module, data: Split, batch_size: int = PREDICT_ROWS) -> torch.Tensor:
    return torch.cat([
        model(*(x[i:i + batch_size] for x in data.inputs))
        for i in range(0, len(data), batch_size)
    ]).float()  # under bf16 autocast the metric is still computed in fp32


def score(model: nn.Module, data: Split, metric: str, batch_size: int = PREDICT_ROWS) -> float:
    return scores(model, data, (metric,), batch_size)[0]


def scores(model: nn.Module, data: Split, metrics: tuple[str, ...],
           batch_size: int = PREDICT_ROWS) -> list[float]:
    """Every metric in ``metrics`` from one forward pass over ``data`` (a classifier's
    accuracy and macro-F1 had each run their own: half of a CNN curve's time)."""
    if all(isinstance(METRICS.get(metric), PositionMean) for metric in metrics):
        return position_means(model, data, metrics, batch_size)
    outputs = predict(model, data, batch_size)
    return [METRICS.get(metric)(outputs, data.targets) for metric in metrics]


@torch.no_grad()
def position_means(model: nn.Module, data: Split, metrics: tuple[str, ...],
                   batch_size: int = PREDICT_ROWS) -> list[float]:
    """``metrics`` (each a PositionMean) streamed over ``data`` in batches of at most
    ``batch_size`` rows whose outputs stay within a pull piece's budget: a GPT point
    (select and test) took 4.1 s with the whole split's logits held, and most of it
    was the kernel faulting in GBs of fresh memory and copying the logits to float64."""
    forms = [METRICS.get(metric) for metric in metrics]
    per_row = model(*(x[:1] for x in data.inputs)).numel()
    rows = min(batch_size, rows_per_piece(1, per_row))
    sums = [torch.zeros((), dtype=torch.float64, device=data.targets.device) for _ in forms]
    for start in range(0, len(data), rows):
        outputs = model(*(x[start:start + rows] for x in data.inputs)).float()
        targets = data.targets[start:start + rows]
        for total, form in zip(sums, forms):
            total += form.per_position(outputs, targets).sum()
    return [form.finish((total / data.targets.numel()).item()) for total, form in zip(sums, forms)]


def units_to_remove(ranking: Ranking, widths: dict[str, int], level: float,
                    scope: str) -> dict[str, list[int]]:
    """The first ``level`` fraction of arms in pruning order; a layer keeps >= 1 unit."""
    if scope == "global":
        total = sum(widths.values())
        budget = int(level * total)
        remove: dict[str, list[int]] = {layer: [] for layer in widths}
        for layer, unit in ranking.global_order:
            if budget == 0:
                break
            if len(remove[layer]) < widths[layer] - 1:
                remove[layer].append(unit)
                budget -= 1
        return remove
    return {layer: ranking.order[layer][:min(int(level * width), width - 1)]
            for layer, width in widths.items()}


def point(model: nn.Module, splits: Splits, metric: str, sparsity: float,
          latency_cfg=None) -> dict:
    """Metrics and costs of one model: select, test, params, MACs per example,
    and (with ``latency_cfg``) measured latency."""
    example = splits.select.inputs
    extras = EXTRA_METRICS.get(metric, ())
    select, *select_extras = scores(model, splits.select, (metric, *extras))
    test, *test_extras = scores(model, splits.test, (metric, *extras))
    record = {
        "sparsity": sparsity,
        "select": select,
        "test": test,
        "params": count_params(model),
        "macs": count_macs(model, example),
    }
    for extra, on_select, on_test in zip(extras, select_extras, test_extras):
        record[f"select_{extra}"] = on_select
        record[f"test_{extra}"] = on_test
    if latency_cfg is not None:
        with phase("latency"):
            record |= latency(model, example, latency_cfg)
    return record


def latency(model: nn.Module, example: tuple[torch.Tensor, ...], latency_cfg) -> dict:
    """``measure_latency``, once per architecture in a process: what a forward costs
    depends on the model's modules and their shapes, the inputs and the timing
    settings, not on which units were removed. So the methods whose cut leaves the
    same shapes (every method at a level of a one-hidden-layer MLP) share one
    measurement instead of timing the same computation again, with its own noise."""
    device = example[0].device.type
    autocast = torch.is_autocast_enabled(device) and str(torch.get_autocast_dtype(device))
    # the timed batch cycles the example's first batch_size rows (cost.batch_of)
    rows = tuple(x[:latency_cfg.batch_size] for x in example)
    key = (architecture(model), fingerprint(rows), memo.node_key(latency_cfg),
           autocast)  # a bf16 forward is not an fp32 one
    return dict(memo.LATENCY.get_or_make(key, lambda: measure_latency(model, example,
                                                                      latency_cfg)))


def architecture(model: nn.Module) -> str:
    """The modules (types and settings, as printed) and every tensor's name, shape,
    dtype and device: what two models of equal cost share."""
    tensors = [(name, tuple(t.shape), str(t.dtype), str(t.device))
               for name, t in model.state_dict().items()]
    return f"{model!r}|{tensors}"


def fingerprint(inputs: tuple[torch.Tensor, ...]) -> str:
    """A digest of the timed batch (a model's cost may depend on its inputs' values:
    padded lengths, embedding bags)."""
    digest = hashlib.blake2b(digest_size=16)
    for x in inputs:
        digest.update(f"{tuple(x.shape)}{x.dtype}{x.device}".encode())
        digest.update(x.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def sparsity_curve(model: nn.Module, ranking: Ranking, widths: dict[str, int], splits: Splits,
                   metric: str, levels: list[float], pruning_cfg, job=None,
                   on_level=None) -> list[dict]:
    """One point per level (the secondary, unit-sparsity curve). A regime whose
    ``on_curve`` is set (mabbench/trial/regimes; ``job`` a RecoveryJob) recovers
    each smaller model before it is scored, keeping the scores as cut as
    ``select_as_cut`` / ``test_as_cut``; fine-tuning is left to the endpoints.
    ``on_level(level, removed, smaller, example)``, if given, sees each smaller model.

    Latency is timed only at the target level (``pruning.sparsity``), the one the
    speed table reports; the selected point, known once the curve is done, is
    timed by ``time_level``. Other levels carry scores and costs, no latency."""
    from mabbench.trial.regimes import REGIMES

    example = tuple(x[:2] for x in splits.select.inputs)
    regime = REGIMES.get(pruning_cfg.regime)
    recover = job is not None and regime.on_curve and pruning_cfg.regime != "one_shot"
    curve = []
    for level in progress.iterate(sorted(levels), desc="curve levels", unit="level"):
        removed = units_to_remove(ranking, widths, level, pruning_cfg.scope)
        smaller = compact(model, removed, example)
        before = {}
        if recover:
            before = {"select_as_cut": score(smaller, splits.select, metric),
                      "test_as_cut": score(smaller, splits.test, metric)}
            regime.recover(smaller, job)
        timed = pruning_cfg.latency if level == pruning_cfg.sparsity else None
        curve.append(point(smaller, splits, metric, level, timed) | before)
        progress.emit("curve", curve[-1])
        if on_level is not None:
            on_level(level, removed, smaller, example)
    return curve


def time_level(curve_point: dict, model: nn.Module, ranking: Ranking, widths: dict[str, int],
               splits: Splits, pruning_cfg) -> None:
    """Add latency to ``curve_point`` (a level of ``sparsity_curve``) in place, if it has
    none: the model cut at its level, as cut. A regime changes weights, never shapes,
    and latency depends on the shapes (``latency``'s key), so no recovery is rerun."""
    if "latency_s" in curve_point or pruning_cfg.latency.repeats == 0:
        return
    example = tuple(x[:2] for x in splits.select.inputs)
    removed = units_to_remove(ranking, widths, curve_point["sparsity"], pruning_cfg.scope)
    smaller = compact(model, removed, example)
    with phase("latency"):
        curve_point.update(latency(smaller, splits.select.inputs, pruning_cfg.latency))
