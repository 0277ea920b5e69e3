"""Pulls per second: naive (mask, full forward, restore, one arm at a time)
against the batched engine, and the engine's time per pull over the floor.

The floor is the bare tensor work a perfect batched pull needs: one prefix
forward (input -> the pruned layer's output) per mini-batch shared by the k
arms of a round, plus one suffix forward (that output -> per-example loss) per
arm: prefix / k + suffix, both timed here. Two models, 2 CPU threads by default:
the LeNet FC layer (500 arms, batch 128) and a two-hidden-layer tabular MLP.

    python -m mabbench.bench pulls [--threads 2] [--k 16] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from mabbench.config import PruningConfig
from mabbench.models.lenet import LeNet
from mabbench.models.mlp import MLP
from mabbench.objectives import cross_entropy
from mabbench.pruning.cost import median_seconds, torch_threads
from mabbench.pruning.engine import PullEngine
from mabbench.tasks.base import Split

NAME = "pulls"
BATCH = 128
NAIVE_ARMS = 64


@dataclass
class Case:
    """A model, the layer whose arms are pulled, and its forward split there."""

    label: str
    model: nn.Module
    layer: str
    batch: Split
    prefix: Callable[[torch.Tensor], torch.Tensor]  # inputs -> the layer's output
    suffix: Callable[[torch.Tensor], torch.Tensor]  # the layer's output -> outputs


def lenet_case() -> Case:
    torch.manual_seed(0)
    model = LeNet(n_outputs=10, info={"in_channels": 1, "image_size": 28}).eval()
    batch = Split((torch.randn(BATCH, 1, 28, 28),), torch.randint(0, 10, (BATCH,)))
    return Case("LeNet fc1 (500 arms)", model, "fc1", batch,
                prefix=lambda x: model.fc1(model.features(x)),
                suffix=lambda h: model.out(model.act3(h)))


def mlp_case() -> Case:
    torch.manual_seed(0)
    model = MLP(n_outputs=2, info={"in_features": 30}, hidden=[64, 64]).eval()
    batch = Split((torch.randn(BATCH, 30),), torch.randint(0, 2, (BATCH,)))
    return Case("MLP 30-64-64-2 hidden0 (64 arms)", model, "hidden0", batch,
                prefix=model.hidden0,
                suffix=lambda h: model.out(model.act1(model.hidden1(model.act0(h)))))


@torch.no_grad()
def naive_pulls(case: Case, arms: int) -> None:
    """Mask arm j's incoming weights and bias, full forward, restore; one arm at a time."""
    layer = case.model.get_submodule(case.layer)
    (x,), y = case.batch.inputs, case.batch.targets
    base = cross_entropy(case.model(x), y).mean()
    for j in range(arms):
        saved_w, saved_b = layer.weight[j].clone(), layer.bias[j].clone()
        layer.weight[j] = 0.0
        layer.bias[j] = 0.0
        _ = cross_entropy(case.model(x), y).mean() - base
        layer.weight[j], layer.bias[j] = saved_w, saved_b


def engine_pulls(engine: PullEngine, case: Case, arms: int, k: int) -> None:
    for first in range(0, arms, k):
        engine.pull(case.layer, torch.arange(first, min(first + k, arms)), case.batch)


@torch.no_grad()
def measure(case: Case, k: int, repeats: int) -> dict:
    """Seconds per pull (naive, engine) and the floor, interleaved repeat by
    repeat so a change in machine load hits all three alike; medians."""
    arms = case.model.get_submodule(case.layer).out_features
    engine = PullEngine(case.model, {case.layer: arms}, cross_entropy, probe=case.batch)
    engine_pulls(engine, case, arms, k)  # warm-up, and FLOPs counted once per round shape
    sample = min(arms, NAIVE_ARMS)  # naive per-pull time does not depend on which arm
    (x,), y = case.batch.inputs, case.batch.targets
    hidden = case.prefix(x)
    times: dict[str, list[float]] = {"naive": [], "engine": [], "floor": []}
    for _ in range(repeats):
        times["naive"].append(median_seconds(lambda: naive_pulls(case, sample), 1, 1) / sample)
        times["engine"].append(
            median_seconds(lambda: engine_pulls(engine, case, arms, k), 1, 1) / arms)
        prefix = median_seconds(lambda: case.prefix(x), 2, 10)
        suffix = median_seconds(lambda: cross_entropy(case.suffix(hidden), y), 2, 10)
        times["floor"].append(prefix / k + suffix)
    return {key: statistics.median(values) for key, values in times.items()}


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench pulls")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=PruningConfig.arms_per_round,
                        help="arms per round (default: pruning.arms_per_round)")
    parser.add_argument("--repeats", type=int, default=5)
    opts = parser.parse_args(args)
    print(f"batch {BATCH}, {opts.threads} threads, k = {opts.k} arms per round, "
          f"median of {opts.repeats} sweeps (engine: every arm; naive: {NAIVE_ARMS} arms)")
    print(f"{'case':34s} {'naive pulls/s':>14s} {'engine pulls/s':>15s} {'speed-up':>9s} "
          f"{'engine/floor':>13s}")
    with torch_threads(opts.threads):
        for case in (lenet_case(), mlp_case()):
            t = measure(case, opts.k, opts.repeats)
            print(f"{case.label:34s} {1 / t['naive']:14.0f} {1 / t['engine']:15.0f} "
                  f"{t['naive'] / t['engine']:8.1f}x {t['engine'] / t['floor']:12.2f}x")
