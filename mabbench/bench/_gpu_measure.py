"""What the GPU bench measures outside a trial, on the device: ``pull_rates``, pulls per
second on a row's trained dense model (read back with ``dense_of``), the engine as the
bandits run it (fp32 and bf16) against a naive full masked forward per pull;
``sync_check``, the same region timed with and without ``torch.cuda.synchronize`` (a
loop of VGG forwards, and the trial's latency measurement with its synchronize calls
removed); ``warm_up``, which pays the CUDA context and library handles once, before the
first trial. ``_timer`` times a callable, synchronised on CUDA unless told not to.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch

from mabbench.bench._gpu_trial import trial_cfg
from mabbench.bench._gpu_types import Bench, Row

NAIVE_ARMS = 8  # arms a naive repeat pulls (a pull's cost does not depend on which)
ROUNDS = 4  # engine rounds per repeat


# -- pulls per second ---------------------------------------------------------------------

def _timer(device: torch.device, sync: bool = True) -> Callable[[Callable[[], object]], float]:
    def seconds(run: Callable[[], object]) -> float:
        if sync and device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        run()
        if sync and device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    return seconds


def dense_of(bench: Bench, row: Row, store: str):
    """The dense model a row's dev trial trained (read back from its store) and its data."""
    from mabbench.pruning.arms import prunable_widths
    from mabbench.runtime.process import seed_everything
    from mabbench.tasks import load_splits
    from mabbench.trial.training import dense_model

    cfg = trial_cfg(bench, row, store, str(bench.device))
    seed_everything(cfg.seed)
    splits = load_splits(cfg)
    model, _ = dense_model(cfg, splits, bench.device)
    splits.to(bench.device)
    return cfg, model.eval(), splits, prunable_widths(model, cfg.pruning.layers)


@torch.no_grad()
def pull_rates(bench: Bench, row: Row, store: str, repeats: int) -> list[dict]:
    """Pulls per second on the row's first and last prunable layers: naive (one full
    forward per arm, the arm masked), the engine as the bandits use it (``pull_rows``
    on a prune batch, k arms a round) in fp32 and under bf16 autocast."""
    from mabbench.pruning.arms import masked
    from mabbench.pruning.engine import PullEngine
    from mabbench.runtime.process import autocast
    from mabbench.tasks.objectives import LOSSES

    cfg, model, splits, widths = dense_of(bench, row, store)
    loss = LOSSES.get(cfg.task.loss)
    prune = splits.prune
    rows_ = torch.arange(min(cfg.pruning.batch_size, len(prune)), device=bench.device)
    batch = prune.subset(rows_)
    k = cfg.pruning.arms_per_round
    timed = _timer(bench.device)
    layers = list(dict.fromkeys([next(iter(widths)), list(widths)[-1]]))
    found = []
    for layer in layers:
        width = widths[layer]
        sample = list(range(0, width, max(1, width // NAIVE_ARMS)))[:NAIVE_ARMS]

        def naive(layer=layer, sample=sample):
            base = loss(model(*batch.inputs), batch.targets).mean()
            for arm in sample:
                with masked(model, {layer: [arm]}):
                    _ = loss(model(*batch.inputs), batch.targets).mean() - base

        result = {"row": row.label, "model": row.model, "layer": layer, "arms": width,
                  "batch": len(batch), "k": k}
        times = {"naive": (naive, len(sample))}
        for precision in ("fp32", "bf16"):
            with autocast(bench.device, precision):
                engine = PullEngine(model, {layer: width}, loss, probe=prune, source=prune)
            result[f"path_{precision}"] = engine.path(layer)
            pulls = min(width, ROUNDS * k)

            def sweep(engine=engine, precision=precision, pulls=pulls, layer=layer):
                with autocast(bench.device, precision):
                    for first in range(0, pulls, k):
                        units = torch.arange(first, min(first + k, pulls), device=bench.device)
                        engine.pull_rows(layer, units, rows_)

            times[f"engine_{precision}"] = (sweep, pulls)
        for run, _ in times.values():  # warm-up (builds the activation cache, counts FLOPs)
            run()
        spent: dict[str, list[float]] = {name: [] for name in times}
        for _ in range(repeats):
            for name, (run, pulls) in times.items():
                spent[name].append(timed(run) / pulls)
        for name, values in spent.items():
            result[f"{name}_per_s"] = 1 / statistics.median(values)
        found.append(result)
    return found


# -- synchronisation ----------------------------------------------------------------------

@torch.no_grad()
def sync_check(bench: Bench) -> dict:
    """The same region timed with and without synchronising: a loop of forwards of a
    VGG (random weights), and the trial's latency measurement (mabbench.pruning.cost)
    with its ``synchronize`` calls replaced by no-ops."""
    from mabbench.config.schemas import LatencyConfig
    from mabbench.models.vgg import VGG
    from mabbench.pruning import cost

    device = bench.device
    torch.manual_seed(0)
    model = VGG(n_outputs=10, info={"in_channels": 1, "image_size": 28},
                stages=[[32, 32], [64, 64], [128, 128]], fc=[256]).to(device).eval()
    rows_ = 64 if bench.quick else 2048
    x = torch.randn(rows_, 1, 28, 28, device=device)
    loops = 3 if bench.quick else 20

    def region():
        for _ in range(loops):
            model(x)

    region()  # warm-up
    synced = statistics.median(_timer(device)(region) for _ in range(3))
    unsynced = []
    for _ in range(3):
        if device.type == "cuda":
            torch.cuda.synchronize(device)  # start empty; then time without waiting
        unsynced.append(_timer(device, sync=False)(region))
    waited = _timer(device, sync=False)(
        lambda: torch.cuda.synchronize(device) if device.type == "cuda" else None)
    latency_cfg = LatencyConfig(batch_size=rows_, repeats=5 if bench.quick else 20,
                                warmup=2, deploy="raw")
    real = cost.measure_latency(model, (x,), latency_cfg)["latency_s"]
    original = cost.synchronize
    cost.synchronize = lambda: None
    try:
        removed = cost.measure_latency(model, (x,), latency_cfg)["latency_s"]
    finally:
        cost.synchronize = original
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return {"region": f"{loops} VGG forwards on {rows_} rows (1x28x28)",
            "synced_s": synced, "unsynced_s": statistics.median(unsynced),
            "sync_wait_after_unsynced_s": waited,
            "latency": f"measure_latency, raw form, {rows_} rows, median of "
                       f"{latency_cfg.repeats}",
            "latency_synced_s": real, "latency_sync_removed_s": removed}



def warm_up(device: torch.device) -> None:
    """CUDA context, cuBLAS and cuDNN handles: paid once here, not by the first trial."""
    if device.type != "cuda":
        return
    a = torch.randn(256, 256, device=device)
    (a @ a).sum().item()
    conv = torch.nn.Conv2d(1, 4, 3).to(device)
    conv(torch.randn(2, 1, 8, 8, device=device)).sum().item()
    torch.cuda.synchronize(device)
