"""Pruning schedules: how a bandit's exploration is staged (``pruning.schedule``).

A schedule is data, not code: which layers are explored together and in what
order (``pools``), how many stages each pool's budget is split over
(``stages``; arms are retired between stages), and whether a pool's target
share is removed before the next pool is explored (``carry_forward``).

- ``one_shot``: explore once, rank, cut. Pools follow ``pruning.scope``.
- ``iterative``: split the budget over ``pruning.iterations`` stages; after
  each stage but the last, retire the lowest-ranked arms (their share of the
  target): masked in every later pull, never pulled again.
- ``sequential`` (the 2017 code): one layer at a time, in the model's order;
  after a layer is explored, its ``pruning.sparsity`` share of lowest-ranked
  arms is retired in the engine, so the next layer is explored with the
  earlier ones already pruned. Always per layer (``pruning.scope=layer``).
"""
from __future__ import annotations

from dataclasses import dataclass

from mabbench.config.registry import Registry

SCHEDULES: Registry = Registry("pruning schedule")


@dataclass(frozen=True)
class Schedule:
    iterative: bool = False  # split each pool's budget over pruning.iterations stages
    carry_forward: bool = False  # retire a pool's target share before the next pool
    layer_by_layer: bool = False  # one pool per layer whatever pruning.scope says

    def pools(self, layers: list[str], scope: str) -> list[list[str]]:
        """Groups of layers explored by one policy each, in exploration order."""
        if self.layer_by_layer or scope == "layer":
            return [[layer] for layer in layers]
        return [list(layers)]

    def stages(self, cfg) -> int:
        return cfg.iterations if self.iterative else 1


SCHEDULES.register("one_shot")(Schedule())
SCHEDULES.register("iterative")(Schedule(iterative=True))
SCHEDULES.register("sequential")(Schedule(carry_forward=True, layer_by_layer=True))
