"""What a model costs to run (params, MACs, latency) and what a method spent (FLOPs)."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from mabbench.runtime.process import synchronize


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, example_inputs: tuple) -> int:
    """Multiply-accumulates of one forward on one example (matmul and conv ops)."""
    single = tuple(x[:1] for x in example_inputs)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*single)
    return counter.get_total_flops() // 2


class FlopMeter:
    """Counts the matmul/conv FLOPs (forward, and backward where taken) of
    the work done inside ``with meter.measure():`` blocks."""

    def __init__(self) -> None:
        self.flops = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        with FlopCounterMode(display=False) as counter:
            yield
        self.flops += float(counter.get_total_flops())


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run the block with ``threads`` intra-op threads, then restore."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def median_seconds(run: Callable[[], object], warmup: int, repeats: int) -> float:
    """Median wall time of ``run()`` over ``repeats`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        synchronize()
        start = time.perf_counter()
        run()
        synchronize()  # CUDA kernels run after the call returns; wait for them
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_of(inputs: tuple[torch.Tensor, ...], rows: int) -> tuple[torch.Tensor, ...]:
    """Exactly ``rows`` examples, cycling through ``inputs`` if it has fewer."""
    n = inputs[0].shape[0]
    index = torch.arange(rows, device=inputs[0].device) % n
    return tuple(x[index] for x in inputs)


def measure_latency(model: nn.Module, inputs: tuple[torch.Tensor, ...], latency_cfg) -> dict:
    """Inference latency of ``model`` in inference form ``latency_cfg.deploy``
    (mabbench.pruning.deploy) on ``latency_cfg.batch_size`` rows: seconds
    (median), with the batch size, thread count and form it was measured under."""
    if latency_cfg.repeats == 0:
        return {}
    # one-way: deploy needs nothing from here
    from mabbench.pruning.deploy import deployed, releasing_traces

    batch = batch_of(inputs, latency_cfg.batch_size)
    with torch_threads(latency_cfg.threads), releasing_traces():
        module, batch = deployed(model, batch, latency_cfg.deploy)
        with torch.inference_mode():
            seconds = median_seconds(lambda: module(*batch), latency_cfg.warmup,
                                     latency_cfg.repeats)
        del module  # released before its traces are
    return {"latency_s": seconds, "latency_batch": latency_cfg.batch_size,
            "latency_threads": latency_cfg.threads, "latency_deploy": latency_cfg.deploy}
