"""Pulls per second, side by side in one run: naive, batched, incremental, floor.

- naive: for one arm, mask it (a hook at its mask point), run the full
  forward, restore; one arm at a time (timed on a sample of arms).
  Batch 128 rows (VGG: 32, so the bench stays minutes long on 2 cores).
- batched: the engine without its incremental path, ``--k`` arms per round
  (default: pruning.arms_per_round, what a bandit round pulls).
- incremental: the engine on a batch it is handed (``PullEngine.pull``), ``--k``
  arms per round: the layers below the fan-out point run once per round.
- cached: the engine as the bandits and the oracle get it (``pull_rows`` on
  rows of its source split): the activations at the fan-out point are kept for
  every source row, so a round runs only the arms' terms and what lies above;
  ``--k`` arms per round (a bandit's engine) and every arm of the layer in one
  round (on an engine of its own, as the oracle builds one per layer).
  Keeping them costs one forward of the split per retirement stage, not timed
  here (trials count it in their FLOPs and forward passes).
- floor: the matmul/conv FLOPs a pull spends per arm in an all-arms round
  (torch's FlopCounterMode), divided by this machine's measured dense matmul
  FLOP/s; nothing exact does that work faster than a large matmul runs.
  "floor" counts the layers below the fan-out point once per round (shared by
  the arms, as ``pull`` must run them); "floor cached" counts only the arms'
  terms and what lies above, the matmul work a cached round cannot avoid. What
  a cached round spends beyond it is elementwise work (the fan-out copies, the
  loss over copies x rows x classes), which the FLOP count leaves out.

Every variant is timed once per repeat, in turn, so a change in machine load
hits all of them alike; the table shows medians. On CUDA every timing
synchronises the device.

    python -m mabbench.bench pulls [--threads 2] [--k 16] [--repeats 5] [--device cpu]
                                   [--cases MLP LeNet]   # cases whose label contains one
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from mabbench.config.schemas import PruningConfig
from mabbench.models.gpt import GPT
from mabbench.models.lenet import LeNet
from mabbench.models.memnet import MemN2N
from mabbench.models.mlp import MLP
from mabbench.models.resnet import ResNet
from mabbench.models.vgg import VGG
from mabbench.models.vit import ViT
from mabbench.pruning.arms import masked, prunable_widths
from mabbench.pruning.cost import torch_threads
from mabbench.pruning.engine import PullEngine
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

NAME = "pulls"
BATCH = 128
VGG_BATCH = 32  # a VGG forward on 128 rows is ~10 GFLOP: keep the bench minutes long
DEEP_BATCH = 32  # ResNet-20, the ViT and the GPT: the same reason
NAIVE_ARMS = 8  # arms a naive repeat pulls (its time per pull does not depend on which)
ROUNDS = 8  # k-arm rounds a batched / incremental repeat runs


@dataclass
class Case:
    """A model and the layer whose arms are pulled, on one batch."""

    label: str
    model: nn.Module
    layer: str
    batch: Split


def _labels(rows: int, classes: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randint(0, classes, (rows,), generator=generator)


def cases() -> list[Case]:
    """The layers the issue names; random weights (speed does not depend on them)."""
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    lenet = LeNet(n_outputs=10, info={"in_channels": 1, "image_size": 28}).eval()
    mnist = Split((torch.randn(BATCH, 1, 28, 28, generator=generator),),
                  _labels(BATCH, 10, generator))
    mlp = MLP(n_outputs=2, info={"in_features": 30}, hidden=[64, 64]).eval()
    tabular = Split((torch.randn(BATCH, 30, generator=generator),), _labels(BATCH, 2, generator))
    vgg = VGG(n_outputs=10, info={"in_channels": 3, "image_size": 32},
              stages=[[32, 32], [64, 64], [128, 128]], fc=[256]).eval()
    cifar = Split((torch.randn(VGG_BATCH, 3, 32, 32, generator=generator),),
                  _labels(VGG_BATCH, 10, generator))
    info = {"vocab_size": 40, "memory_size": 50, "sentence_length": 7}
    memnet = MemN2N(n_outputs=40, info=info).eval()
    babi = Split((torch.randint(1, 40, (BATCH, 50, 7), generator=generator),
                  torch.randint(1, 40, (BATCH, 7), generator=generator)),
                 _labels(BATCH, 40, generator))
    resnet = ResNet(n_outputs=10, info={"in_channels": 1, "image_size": 14}).eval()
    small = Split((torch.randn(DEEP_BATCH, 1, 14, 14, generator=generator),),
                  _labels(DEEP_BATCH, 10, generator))
    vit = ViT(n_outputs=10, info={"in_channels": 1, "image_size": 28}).eval()
    images = Split((torch.randn(DEEP_BATCH, 1, 28, 28, generator=generator),),
                   _labels(DEEP_BATCH, 10, generator))
    gpt = GPT(n_outputs=2002, info={"vocab_size": 2002, "max_len": 32}).eval()
    text = Split((torch.randint(0, 2002, (DEEP_BATCH, 32), generator=generator),),
                 torch.randint(0, 2002, (DEEP_BATCH, 32), generator=generator))
    deep = [Case("ResNet-20 stream 2 (32, B=32)", resnet, "layer2.0.conv2", small),
            Case("ResNet-20 block 2.1 (32, B=32)", resnet, "layer2.1.conv1", small),
            Case("ViT heads 2 (4, B=32)", vit, "blocks.2.attn.heads", images),
            Case("ViT MLP 2 (128, B=32)", vit, "blocks.2.mlp.fc1", images),
            Case("GPT heads 1 (4, B=32)", gpt, "blocks.1.attn.heads", text),
            Case("GPT MLP 1 (256, B=32)", gpt, "blocks.1.mlp.fc1", text)]
    return [Case("LeNet fc1 (500 arms)", lenet, "fc1", mnist),
            Case("LeNet conv2 (50 arms)", lenet, "conv2", mnist),
            Case("MLP 30-64-64-2 hidden0 (64)", mlp, "hidden0", tabular),
            Case("VGG conv3 (64 arms, B=32)", vgg, "conv3", cifar),
            Case("VGG conv6, last (128, B=32)", vgg, "conv6", cifar),
            Case("MemN2N answer_hidden (64)", memnet, "answer_hidden", babi), *deep]


def _to(case: Case, device: torch.device) -> Case:
    batch = Split(tuple(x.to(device) for x in case.batch.inputs), case.batch.targets.to(device))
    return Case(case.label, case.model.to(device), case.layer, batch)


def _timer(device: torch.device) -> Callable[[Callable[[], object]], float]:
    def seconds(run: Callable[[], object]) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    return seconds


def matmul_flops_per_second(device: torch.device, size: int = 1024, repeats: int = 10) -> float:
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    timed = _timer(device)
    for _ in range(3):
        a @ b
    return 2 * size ** 3 / statistics.median(timed(lambda: a @ b) for _ in range(repeats))


def naive_pulls(case: Case, arms: list[int]) -> None:
    (model, layer), batch = (case.model, case.layer), case.batch
    base = cross_entropy(model(*batch.inputs), batch.targets).mean()
    for arm in arms:
        with masked(model, {layer: [arm]}):
            _ = cross_entropy(model(*batch.inputs), batch.targets).mean() - base


def sweep(engine: PullEngine, case: Case, arms: int, k: int) -> None:
    """The first ``arms`` arms of the layer once, ``k`` per round (a round's
    time does not depend on which arms it pulls)."""
    device = case.batch.targets.device
    for first in range(0, arms, k):
        engine.pull(case.layer, torch.arange(first, min(first + k, arms), device=device),
                    case.batch)


def sweep_rows(engine: PullEngine, case: Case, arms: int, k: int) -> None:
    """``sweep`` through ``pull_rows`` on every row of the engine's source."""
    device = case.batch.targets.device
    rows = torch.arange(len(case.batch), device=device)
    for first in range(0, arms, k):
        engine.pull_rows(case.layer, torch.arange(first, min(first + k, arms), device=device),
                         rows)


@torch.no_grad()
def measure(case: Case, k: int, repeats: int, matmul_rate: float) -> dict:
    """Seconds per pull of each variant (medians over interleaved repeats), the
    floor, and the path the engine took."""
    arms = prunable_widths(case.model)[case.layer]
    widths = {case.layer: arms}
    batched = PullEngine(case.model, widths, cross_entropy, probe=case.batch, incremental=False)
    fast = PullEngine(case.model, widths, cross_entropy, probe=case.batch)
    cached = PullEngine(case.model, widths, cross_entropy, probe=case.batch, source=case.batch)
    oracle = PullEngine(case.model, widths, cross_entropy, probe=case.batch, source=case.batch)
    sweep(fast, case, arms, arms)  # FLOPs of one all-arms round (before any timed one)
    floor = fast.flops / arms / matmul_rate
    sweep_rows(oracle, case, arms, arms)  # keeps the activations (not timed), counts FLOPs
    start = oracle.flops
    sweep_rows(oracle, case, arms, arms)
    floor_cached = (oracle.flops - start) / arms / matmul_rate
    sample = list(range(0, arms, max(1, arms // NAIVE_ARMS)))[:NAIVE_ARMS]
    rounds = min(arms, ROUNDS * k)
    variants = {
        "naive": (lambda: naive_pulls(case, sample), len(sample)),
        "batched": (lambda: sweep(batched, case, rounds, k), rounds),
        "incremental": (lambda: sweep(fast, case, rounds, k), rounds),
        "cached": (lambda: sweep_rows(cached, case, rounds, k), rounds),
        "cached_all": (lambda: sweep_rows(oracle, case, arms, arms), arms),
    }
    timed = _timer(case.batch.targets.device)
    for run, _ in variants.values():  # warm-up; FLOPs counted once per round shape
        run()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, (run, pulls) in variants.items():
            times[name].append(timed(run) / pulls)
    result = {name: statistics.median(values) for name, values in times.items()}
    return result | {"floor": floor, "floor_cached": floor_cached,
                     "path": cached.path(case.layer)}


def device_name(device: torch.device, threads: int) -> str:
    if device.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(device)}"
    return f"cpu: {platform.processor() or platform.machine()}, {threads} torch threads"


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench pulls")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=PruningConfig.arms_per_round,
                        help="arms per round of the batched and incremental columns "
                             "(default: pruning.arms_per_round)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--cases", nargs="+", metavar="TEXT",
                        help="only the cases whose label contains one of these (default: all)")
    opts = parser.parse_args(args)
    device = torch.device(opts.device)
    with torch_threads(opts.threads):
        rate = matmul_flops_per_second(device)
        print(f"device {device_name(device, opts.threads)}; matmul {rate / 1e9:.1f} GFLOP/s; "
              f"batch {BATCH}; k = {opts.k}; median of {opts.repeats} interleaved repeats "
              f"(naive: {NAIVE_ARMS} arms, batched / incremental: {ROUNDS} rounds per "
              f"repeat)", flush=True)
        columns = ("batched", "incremental", "cached", "cached_all")
        print(f"{'pulls/s (x naive)':28s} {'naive':>7s} {'batched':>16s} {'incremental':>16s} "
              f"{'cached':>16s} {'cached, all arms':>17s} {'floor':>9s} {'floor cached':>12s} "
              f"{'all/floor':>9s} {'all/f.cached':>12s}  path")
        for case in cases():
            if opts.cases and not any(text in case.label for text in opts.cases):
                continue
            t = measure(_to(case, device), opts.k, opts.repeats, rate)
            cells = [f"{1 / t[name]:8.0f} ({t['naive'] / t[name]:4.0f}x)" for name in columns]
            print(f"{case.label:28s} {1 / t['naive']:7.0f} {cells[0]:>16s} {cells[1]:>16s} "
                  f"{cells[2]:>16s} {cells[3]:>17s} {1 / t['floor']:9.0f} "
                  f"{1 / t['floor_cached']:12.0f} {t['cached_all'] / t['floor']:8.2f}x "
                  f"{t['cached_all'] / t['floor_cached']:11.1f}x  {t['path']}", flush=True)
