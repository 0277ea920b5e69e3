"""The residual sum of the zoo's skip connections, written so a pull round
may fan out inside the branch.

A round of k arms (mabbench.pruning.engine) may replicate a block's inner
activation k + 1 times along the batch (at a head's mask point, or at the
next linear operation, subtracting each arm's term) instead of running the
whole block per copy. The branch then carries (k + 1) B rows, copy-major,
while the skip still carries the B rows from below: ``add_branch`` repeats the
skip to match. In a plain forward the two agree and it is ``skip + branch``.
The engine checks every such path against masked forwards at start-up.
"""
from __future__ import annotations

import torch


def add_branch(skip: torch.Tensor, branch: torch.Tensor) -> torch.Tensor:
    """``skip + branch``; ``branch`` may hold c x ``skip``'s rows (c copies)."""
    # a traced (deployed) forward never carries copies: no shape test to freeze into it
    if not torch.jit.is_tracing() and branch.shape[0] != skip.shape[0]:
        skip = skip.repeat(branch.shape[0] // skip.shape[0], *([1] * (skip.dim() - 1)))
    return skip + branch
