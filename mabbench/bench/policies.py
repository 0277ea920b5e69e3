"""Policy overhead: amortised select + update cost per pull of every registered
policy, next to one forward pass of the image task's model.

For ``--arms`` 4,096 arms and rounds of ``--k`` 64 arms, each policy plays a
whole budget (``--pulls-per-arm`` 5, the default pruning budget) of a
Bernoulli bandit; rewards are drawn beforehand so only the policy is timed.
The reference is one forward of LeNet (conv 1->20 5x5, pool, conv 20->50
5x5, pool, fc 800->500, relu, fc 500->10) on a mini-batch of 128 28x28
images, eval mode, no grad, ``--threads`` 2 torch threads, median of
``--repeats``. A pull costs at least one such forward shared by the k arms
of a round, so the ratios printed are per pull (policy / forward) and per
round (one select + update of k arms / one forward); the target is well
under 0.1 for both.

    python -m mabbench.bench policies [--arms 4096] [--k 64] [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from mabbench.models.lenet import LeNet
from mabbench.policies import POLICIES, make_policy

NAME = "policies"
BATCH, SIDE, CLASSES = 128, 28, 10


def forward_seconds(threads: int, repeats: int) -> float:
    """Median seconds of one LeNet forward on a (128, 1, 28, 28) batch."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(0)
        model = LeNet(n_outputs=CLASSES, info={"in_channels": 1, "image_size": SIDE}).eval()
        images = torch.randn(BATCH, 1, SIDE, SIDE)
        times = []
        with torch.no_grad():
            for _ in range(3):  # warm-up: allocator, kernels
                model(images)
            for _ in range(repeats):
                start = time.perf_counter()
                model(images)
                times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        torch.set_num_threads(previous)


def policy_seconds(name: str, arms: int, k: int, pulls_per_arm: float) -> tuple[float, int]:
    """(seconds of every select + update over one budget, rounds played)."""
    budget = int(pulls_per_arm * arms)
    rounds = budget // k
    env = np.random.default_rng(0)
    means = env.random(arms)
    draws = env.random((rounds, k))
    policy = make_policy(name, n_arms=arms, seed=0, budget=budget, n_sought=arms // 2)
    start = time.perf_counter()
    for row in draws:
        chosen = policy.select(k)
        policy.update(chosen, (row < means[chosen]).astype(np.float64))
    return time.perf_counter() - start, rounds


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m mabbench.bench policies")
    parser.add_argument("--arms", type=int, default=4096)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--pulls-per-arm", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=50)
    opts = parser.parse_args(args)
    forward = forward_seconds(opts.threads, opts.repeats)
    print(f"LeNet forward, batch {BATCH} of {SIDE}x{SIDE}, {opts.threads} threads: "
          f"{forward * 1e3:.3f} ms (median of {opts.repeats})")
    print(f"{opts.arms} arms, k = {opts.k}, {opts.pulls_per_arm:g} pulls per arm")
    print(f"{'policy':20s} {'us/round':>10s} {'us/pull':>9s} {'pull/fwd':>9s} {'round/fwd':>10s}")
    for name in POLICIES:
        seconds, rounds = policy_seconds(name, opts.arms, opts.k, opts.pulls_per_arm)
        per_round = seconds / rounds
        per_pull = per_round / opts.k
        print(f"{name:20s} {per_round * 1e6:10.1f} {per_pull * 1e6:9.2f} "
              f"{per_pull / forward:9.1e} {per_round / forward:10.4f}")
