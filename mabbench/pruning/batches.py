"""Pull mini-batches drawn without replacement from the prune split.

Each pass over the prune rows is a fresh seeded permutation cut into batches
of ``batch_size`` rows; a batch that would run past the end of a pass is
completed from the start of the next one, so every batch has exactly
``min(batch_size, rows)`` distinct rows and no row is seen twice before every
row has been seen once. (Drawing with replacement made a batch of 128 from a
prune split of ~128 rows a bootstrap of the whole split.)
"""
from __future__ import annotations

import torch

from mabbench.tasks.base import Split


class PruneBatches:
    """Seeded batches of ``data`` rows: reshuffled passes, no replacement within a batch."""

    def __init__(self, data: Split, batch_size: int, generator: torch.Generator) -> None:
        self.data, self.generator = data, generator
        self.rows = len(data)
        self.size = min(batch_size, self.rows)
        self._order = torch.empty(0, dtype=torch.long)

    def next(self) -> Split:
        """The next batch of ``min(batch_size, rows)`` distinct rows."""
        return self.data.subset(self.next_rows().to(self.data.targets.device))

    def next_rows(self) -> torch.Tensor:
        """Row indices into ``data`` of the next batch (see ``next``)."""
        if len(self._order) < self.size:
            # finish this pass first; the next pass's rows fill the batch without
            # repeating any row already in it
            fresh = torch.randperm(self.rows, generator=self.generator)
            taken = torch.zeros(self.rows, dtype=torch.bool)
            taken[self._order] = True
            head = fresh[~taken[fresh]][:self.size - len(self._order)]
            rest = fresh[~torch.isin(fresh, head)]
            batch = torch.cat([self._order, head])
            self._order = rest
        else:
            batch, self._order = self._order[:self.size], self._order[self.size:]
        return batch
