"""Measured speed-up of physical removal (Torch-Pruning compaction), next to
the MAC ratio, for two cases:

- MLP 784-1024-1024-10 with 50% of each hidden layer's neurons removed;
- the zoo's VGG (conf/model/vgg.yaml) on 3x32x32 input with 50% of every
  conv layer's channels removed.

Dense and pruned are timed in the same inference form
(mabbench.pruning.deploy; by default the one the trials' latency uses,
``pruning.latency.deploy``), batch 256 (the latency config's default). They
are timed in turn, repeat by repeat, so load changes hit both alike; each
timed forward follows an untimed one of the same model, as in serving and in
the trials' timing (its weights are in cache, not the other model's); medians,
and beside them the ratio of the fastest calls (``min ratio``): on a shared
machine other jobs only ever add time, so the minimum is the steadier
estimate of what each model costs when it has the core.
On CUDA each timing synchronises the device. Targets: latency ratio <= MAC
ratio (MLP) and <= 1.1x the MAC ratio (VGG); masks would give ~1.0.

The ``non-MAC %`` columns say where a pruned net loses to its MACs: the
share of each model's profiled time spent outside matmuls and convolutions
(ReLU, pooling, bias adds, layout conversions, copies). That work grows with
the width, not with its square, so it is a larger share of a pruned net.

    python -m mabbench.bench speedup [--threads 1 2] [--repeats 30] [--device cpu]
                                     [--deploy channels_last frozen ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass

import torch
from torch import nn

from mabbench.config.schemas import LatencyConfig
from mabbench.models.mlp import MLP
from mabbench.models.vgg import VGG
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import count_macs, torch_threads
from mabbench.pruning.deploy import DEPLOY_FORMS, deployed
from mabbench.runtime.process import synchronize

NAME = "speedup"
BATCH, SPARSITY = 256, 0.5
# profiler op names that are matmul/conv work (the rest is what MACs leave out)
MAC_OPS = ("addmm", "mm", "matmul", "linear", "conv", "bmm", "baddbmm")


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
    return [Case("MLP 784-1024-1024-10", mlp, torch.randn(BATCH, 784), mlp.prunable),
            Case("VGG 32x32 conv", vgg, torch.randn(BATCH, 3, 32, 32),
                 tuple(name for name in vgg.prunable if name.startswith("conv")))]


def pruned_copy(case: Case) -> nn.Module:
    generator = torch.Generator().manual_seed(0)
    remove = {}
    for layer in case.layers:
        module = case.dense.get_submodule(layer)
        width = module.out_features if isinstance(module, nn.Linear) else module.out_channels
        remove[layer] = torch.randperm(width, generator=generator)[: int(SPARSITY * width)].tolist()
    return compact(case.dense, remove, (case.inputs[:2],))


def timed(model: nn.Module, inputs: tuple) -> float:
    model(*inputs)  # untimed: this model's weights in cache, as when it serves
    synchronize()
    start = time.perf_counter()
    model(*inputs)
    synchronize()  # CUDA kernels run after the call returns; wait for them
    return time.perf_counter() - start


def non_mac_share(model: nn.Module, inputs: tuple, calls: int = 2) -> float:
    """Share of the profiled op time spent outside matmul/conv ops. Frozen
    TorchScript runs its prepacked convs inside the graph's own frame (seen
    as ``forward``), so that frame counts as MAC work."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(calls):
            model(*inputs)
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    other = sum(e.self_cpu_time_total for e in events
                if e.key != "forward" and not any(op in e.key for op in MAC_OPS))
    return other / total if total else 0.0


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench speedup")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--deploy", nargs="+", default=[LatencyConfig().deploy],
                        choices=DEPLOY_FORMS.names(),
                        help="inference forms to time (default: the trials' latency.deploy)")
    opts = parser.parse_args(args)
    device = torch.device(opts.device)
    print(f"{SPARSITY:.0%} of the units removed, batch {BATCH}, device {device}, median of "
          f"{opts.repeats} interleaved repeats; load average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"{'case':21s} {'deploy':13s} {'thr':>3s} {'dense ms':>9s} {'pruned ms':>9s} "
          f"{'lat ratio':>9s} {'MAC ratio':>9s} {'lat/MAC':>7s} {'min ratio':>9s} {'min/MAC':>7s} "
          f"{'non-MAC % d/p':>13s}")
    for case in cases():
        pruned = pruned_copy(case)
        mac_ratio = count_macs(pruned, (case.inputs,)) / count_macs(case.dense, (case.inputs,))
        x = (case.inputs.to(device),)
        for form in opts.deploy:
            models = [deployed(m.to(device), x, form) for m in (case.dense, pruned)]
            (dense, x_dense), (small, x_small) = models
            with torch.inference_mode():  # the form must not change outputs
                torch.testing.assert_close(dense(*x_dense), case.dense(*x), atol=1e-3, rtol=1e-3)
            threads = opts.threads if device.type == "cpu" else [torch.get_num_threads()]
            for n in threads:
                with torch_threads(n), torch.inference_mode():
                    pairs = [(timed(dense, x_dense), timed(small, x_small))
                             for _ in range(opts.repeats)]
                    share = (non_mac_share(dense, x_dense), non_mac_share(small, x_small))
                t_dense = statistics.median(d for d, _ in pairs)
                t_pruned = statistics.median(p for _, p in pairs)
                ratio = t_pruned / t_dense
                fastest = min(p for _, p in pairs) / min(d for d, _ in pairs)
                print(f"{case.label:21s} {form:13s} {n:3d} {t_dense * 1e3:9.3f} "
                      f"{t_pruned * 1e3:9.3f} {ratio:9.3f} {mac_ratio:9.3f} "
                      f"{ratio / mac_ratio:6.2f}x {fastest:9.3f} {fastest / mac_ratio:6.2f}x "
                      f"{share[0]:6.0%}/{share[1]:<6.0%}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
