"""Measured speed-up of physical removal (Torch-Pruning compaction), next to
the MAC ratio, for two cases:

- MLP 784-1024-1024-10 with 50% of each hidden layer's neurons removed;
- the zoo's VGG (conf/model/vgg.yaml) on 3x32x32 input with 50% of every
  conv layer's channels removed.

Both models are timed in inference form, BatchNorm folded into the conv
before it (mabbench.pruning.deploy: left unfolded, BatchNorm's per-channel work
halves while the convs' MACs quarter, so the latency ratio lags the MAC ratio
for a reason deployment removes). Batch 256 (the latency config's default).
Dense and pruned are timed in turn,
repeat by repeat, so load changes hit both alike; medians. On CUDA each timing
synchronises the device. Targets: latency ratio <= MAC ratio (MLP) and
<= 1.1x the MAC ratio (VGG); masks would give ~1.0.

    python -m mabbench.bench speedup [--threads 1 2] [--repeats 50] [--device cpu]
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import torch
from torch import nn

from mabbench.models.mlp import MLP
from mabbench.models.vgg import VGG
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import count_macs, torch_threads
from mabbench.pruning.deploy import fold_batchnorm

NAME = "speedup"
BATCH, SPARSITY = 256, 0.5


@dataclass
class Case:
    label: str
    dense: nn.Module
    inputs: torch.Tensor
    layers: tuple[str, ...]  # the layers that lose SPARSITY of their units


def cases() -> list[Case]:
    torch.manual_seed(0)
    mlp = MLP(n_outputs=10, info={"in_features": 784}, hidden=[1024, 1024]).eval()
    vgg = VGG(n_outputs=10, info={"in_channels": 3, "image_size": 32},
              stages=[[32, 32], [64, 64], [128, 128]], fc=[256]).eval()
    return [Case("MLP 784-1024-1024-10, hidden", mlp, torch.randn(BATCH, 784), mlp.prunable),
            Case("VGG 32x32, conv channels", vgg, torch.randn(BATCH, 3, 32, 32),
                 tuple(name for name in vgg.prunable if name.startswith("conv")))]


def pruned_copy(case: Case) -> nn.Module:
    generator = torch.Generator().manual_seed(0)
    remove = {}
    for layer in case.layers:
        module = case.dense.get_submodule(layer)
        width = module.out_features if isinstance(module, nn.Linear) else module.out_channels
        remove[layer] = torch.randperm(width, generator=generator)[: int(SPARSITY * width)].tolist()
    return compact(case.dense, remove, (case.inputs[:2],))


def timed(model: nn.Module, x: torch.Tensor) -> float:
    cuda = x.device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(x.device)
    start = time.perf_counter()
    model(x)
    if cuda:
        torch.cuda.synchronize(x.device)
    return time.perf_counter() - start


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench speedup")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    opts = parser.parse_args(args)
    device = torch.device(opts.device)
    print(f"{SPARSITY:.0%} of the units removed, batch {BATCH}, device {device}, "
          f"median of {opts.repeats} interleaved repeats")
    print(f"{'case':30s} {'threads':>7s} {'dense ms':>9s} {'pruned ms':>10s} "
          f"{'latency ratio':>14s} {'MAC ratio':>10s} {'latency/MAC':>12s}")
    for case in cases():
        pruned = pruned_copy(case)
        mac_ratio = count_macs(pruned, (case.inputs,)) / count_macs(case.dense, (case.inputs,))
        # Both in inference form (BatchNorm folded); the fold must not change outputs.
        dense, pruned = fold_batchnorm(case.dense), fold_batchnorm(pruned)
        with torch.no_grad():
            torch.testing.assert_close(dense(case.inputs[:8]), case.dense(case.inputs[:8]),
                                       atol=1e-4, rtol=1e-4)
        dense, pruned, x = dense.to(device), pruned.to(device), case.inputs.to(device)
        for threads in opts.threads if device.type == "cpu" else [torch.get_num_threads()]:
            with torch_threads(threads), torch.inference_mode():
                for _ in range(10):  # warm-up (allocator, kernel choice)
                    dense(x), pruned(x)
                pairs = [(timed(dense, x), timed(pruned, x)) for _ in range(opts.repeats)]
            t_dense = statistics.median(d for d, _ in pairs)
            t_pruned = statistics.median(p for _, p in pairs)
            ratio = t_pruned / t_dense
            print(f"{case.label:30s} {threads:7d} {t_dense * 1e3:9.3f} {t_pruned * 1e3:10.3f} "
                  f"{ratio:14.3f} {mac_ratio:10.3f} {ratio / mac_ratio:11.2f}x")
