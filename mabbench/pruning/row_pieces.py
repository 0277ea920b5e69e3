"""A round's rows in pieces, so that no round materialises outputs larger than
a budget.

A round scores (k + 1) copies of its B rows in one forward, and the model's
outputs take (k + 1) x B x (output elements per row) floats. For a classifier
that is nothing; for a language model's next-token logits it is not: a bandit
round on the GPT row (17 copies of 128 windows x 32 positions x 2,000 words)
is 557 MB, the oracle's all-arms rounds reached 4 GB and a 15.5 GB peak. Blocks
that large come fresh from the kernel every time (above the allocator's
threshold, mabbench.runtime.allocator): a one-pull-per-arm ranking of the GPT
spent 13.5 of its 31 s in the kernel; in pieces of 4M floats it takes 16.0 s
(1M to 32M floats measured 16.0-18.0 s in one series; a first 16M run took 22 s). Each piece's means weighted by its rows give the
round's means (to float rounding), and a round of small outputs is one piece,
as before.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

import torch

OUTPUT_ELEMENTS = 1 << 22  # 16 MiB of float32 outputs per piece (and as much for the loss)

Means = TypeVar("Means", bound=NamedTuple)


def rows_per_piece(copies: int, output_elements: int, budget: int = OUTPUT_ELEMENTS) -> int:
    """Rows of a round of ``copies`` copies whose outputs stay within ``budget``
    floats; ``output_elements`` = 0 (unknown): no limit."""
    if output_elements <= 0:
        return 1 << 62
    return max(1, budget // (copies * output_elements))


def in_pieces(rows: torch.Tensor, limit: int, pull: Callable[[torch.Tensor], Means]) -> Means:
    """``pull(rows)``, or ``pull`` on near-equal consecutive pieces of at most
    ``limit`` rows with their fields (means over a piece's rows, None where
    absent) weighted by rows into the means over all of them."""
    if len(rows) <= limit:
        return pull(rows)
    pieces = torch.tensor_split(rows, -(-len(rows) // limit))
    results = [(pull(piece), len(piece)) for piece in pieces]
    first = results[0][0]
    fields = [None if value is None else sum(result[i] * n for result, n in results) / len(rows)
              for i, value in enumerate(first)]
    return type(first)(*fields)
