"""Drawing k distinct arms with given inclusion probabilities, vectorised.

Batched rounds need k *distinct* arms, yet EXP3's importance weights and the
softmax/Hedge distributions are stated for one draw. We keep each arm's
marginal chance of being in the batch proportional to its probability
(capped at 1, as Exp3.M does, Uchiya et al. 2010) and draw the batch by
systematic sampling, which hits those marginals exactly.
"""
from __future__ import annotations

import numpy as np


def softmax(log_weights: np.ndarray) -> np.ndarray:
    """Normalised exp(log_weights), stable for any scale; shape unchanged."""
    shifted = np.exp(log_weights - log_weights.max())
    return shifted / shifted.sum()


def inclusion_probabilities(p: np.ndarray, k: int) -> np.ndarray:
    """pi_i = min(1, c * p_i) with sum(pi) = k; p shape (n,), sums to 1, k <= n.

    The m largest p are capped at 1 for the smallest m that leaves every
    other pi_i <= 1."""
    # A floor keeps arms whose weight underflowed drawable: the batch must be
    # k distinct arms even when one arm holds all the mass.
    p = np.maximum(p, 1e-12)
    p = p / p.sum()
    if k == 1:
        return p
    order = np.argsort(-p, kind="stable")
    ranked = p[order]
    tail = np.cumsum(ranked[::-1])[::-1]  # tail[m] = sum of ranked[m:]
    capped = np.arange(k)
    scale = (k - capped) / np.maximum(tail[capped], 1e-300)
    fits = scale * ranked[capped] <= 1.0 + 1e-12
    m = int(np.argmax(fits))  # fits[k - 1] always holds
    pi = np.empty_like(p)
    pi[order] = np.minimum(1.0, scale[m] * ranked)
    pi[order[:m]] = 1.0
    return pi


def systematic_sample(rng: np.random.Generator, pi: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices, index i included with probability pi[i]; pi shape (n,),
    each in [0, 1], summing to k. Arms are shuffled first so the joint draw
    carries no order effect."""
    order = rng.permutation(len(pi))
    edges = np.cumsum(pi[order])
    edges *= k / edges[-1]  # exact total despite rounding
    start = rng.random() * (1 - 1e-12) + 1e-12  # in (0, 1): exactly k points u, u+1, ...
    hits = np.diff(np.floor(np.concatenate(([0.0], edges)) - start)) > 0
    chosen = order[hits]
    if len(chosen) < k:  # a rounding miss at an interval edge: top up by pi
        rest = np.setdiff1d(np.arange(len(pi)), chosen)
        extra = rest[np.argsort(-pi[rest], kind="stable")[:k - len(chosen)]]
        chosen = np.concatenate((chosen, extra))
    return chosen[:k]
