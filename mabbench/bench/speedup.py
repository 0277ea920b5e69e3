"""Measured speed-up of physical removal: an MLP 784-1024-1024-10 with 50% of
each hidden layer's neurons removed (Torch-Pruning compaction), batch 256 on
CPU. Prints latency pruned/dense next to the MAC ratio; the target is a
latency ratio within 1.25x of the MAC ratio (masks would give ~1.0).

    python -m mabbench.bench speedup [--threads 1 2] [--repeats 50]
"""
from __future__ import annotations

import argparse
import statistics

import torch

from mabbench.models.mlp import MLP
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import count_macs, median_seconds, torch_threads

NAME = "speedup"
BATCH, SPARSITY = 256, 0.5


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench speedup")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=50)
    opts = parser.parse_args(args)
    torch.manual_seed(0)
    dense = MLP(n_outputs=10, info={"in_features": 784}, hidden=[1024, 1024]).eval()
    x = torch.randn(BATCH, 784)
    generator = torch.Generator().manual_seed(0)
    remove = {layer: torch.randperm(1024, generator=generator)[: int(SPARSITY * 1024)].tolist()
              for layer in dense.prunable}
    pruned = compact(dense, remove, (x[:2],))
    mac_ratio = count_macs(pruned, (x,)) / count_macs(dense, (x,))
    print(f"MLP 784-1024-1024-10, {SPARSITY:.0%} of each hidden layer removed, batch {BATCH}, "
          f"median of {opts.repeats}")
    print(f"{'threads':>7s} {'dense ms':>9s} {'pruned ms':>10s} {'latency ratio':>14s} "
          f"{'MAC ratio':>10s} {'latency/MAC':>12s}")
    with torch.no_grad():
        for threads in opts.threads:
            with torch_threads(threads):  # interleaved: load changes hit both alike
                for _ in range(10):  # warm-up
                    dense(x), pruned(x)
                pairs = [(median_seconds(lambda: dense(x), 0, 1),
                          median_seconds(lambda: pruned(x), 0, 1)) for _ in range(opts.repeats)]
            t_dense = statistics.median(d for d, _ in pairs)
            t_pruned = statistics.median(p for _, p in pairs)
            ratio = t_pruned / t_dense
            print(f"{threads:7d} {t_dense * 1e3:9.3f} {t_pruned * 1e3:10.3f} {ratio:14.3f} "
                  f"{mac_ratio:10.3f} {ratio / mac_ratio:11.2f}x")
