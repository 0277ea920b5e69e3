"""Shapley value of each unit by truncated Monte-Carlo permutation sampling
(Ghorbani & Zou 2020, "Neuron Shapley"; TMC as in their Data Shapley, 2019),
one layer at a time.

The game of a layer: its units are the players, the value of a coalition S
is minus the mean prune-split loss with only S kept (the layer's other units
masked). A unit's Shapley value is its marginal contribution averaged over
every order in which the layer could be rebuilt from nothing:

    phi_j = E_pi [ loss(units before j in pi kept) - loss(those and j kept) ]

Importance = phi_j (higher = keep). The phi_j sum to loss(all masked) -
loss(none masked) (efficiency). Where leave-one-out asks what a unit adds to
the whole layer, phi_j also credits what it does in smaller coalitions, so a
unit that only matters once its redundant partners are gone still counts.

Each permutation is walked on one mini-batch of prune rows (drawn as the
bandits' pulls are, without replacement; the same batch for every step, so
its marginals are paired), keeping one more unit per step from the emptied
layer; ``pruning.arms_per_round`` prefixes share one batched forward of the
pull engine (PullEngine.losses).

Truncation rule (TMC): once the loss with the units kept so far is within
``tolerance`` x |loss(all masked) - loss(none masked)| of the full layer's
loss, the rest of the permutation is cut and its units get marginal 0: what
they could still add is about that fraction of the layer's whole
contribution. Units after the cut count as sampled. ``tolerance: 0`` never
truncates (plain Monte Carlo). Walking up from the emptied layer, not down
from the full one, is what makes the cut pay: a wide layer is redundant, so
the loss reaches the full layer's level after a fraction of its units
(LeNet fc1 on digits: 10-11 permutations for 2,500 pulls at tolerance 0.05,
5 without truncation), while walking down it stays near the full level until
most units are gone and the cut at the trivial level comes only at the end.

Budget, on the bandits' axis: ``pruning.budget_per_arm`` x width pulls per
layer, a pull being one masked loss on one mini-batch (each prefix, and the
all-masked loss once per permutation; the unmasked loss comes with the first
forward, as a pull round's copy 0 does). A permutation cut by the end of
the budget counts only the units it reached.
"""
from __future__ import annotations

import torch

from baselines.base import Scorer
from mabbench.config.errors import ConfigError
from mabbench.pruning.batches import PruneBatches
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.engine import PullEngine


class Shapley(Scorer):
    name = "shapley"
    rescores = False  # its pull engine masks on its own; kept one-shot, the record says so

    def __init__(self, tolerance: float = 0.05) -> None:
        if not tolerance >= 0:
            raise ConfigError(f"policy shapley: tolerance={tolerance!r} must be >= 0")
        self.tolerance = tolerance
        self.permutations: dict[str, int] = {}  # walked per layer (diagnostics)

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        # losses() always takes the batched path: no need to verify the incremental one
        engine = PullEngine(ctx.model, ctx.widths, ctx.loss, probe=ctx.prune, incremental=False)
        generator = torch.Generator().manual_seed(ctx.seed)
        batches = PruneBatches(ctx.prune, ctx.cfg.batch_size, generator)
        scores = {}
        for layer, width in ctx.widths.items():
            budget = max(int(round(ctx.cfg.budget_per_arm * width)), 2)
            scores[layer], spent = self._layer(engine, layer, width, budget, batches, generator,
                                               ctx.cfg.arms_per_round)
            cost.pulls += spent
        cost.forward_flops += engine.flops
        return scores

    def _layer(self, engine: PullEngine, layer: str, width: int, budget: int,
               batches: PruneBatches, generator: torch.Generator, per_forward: int
               ) -> tuple[torch.Tensor, int]:
        """(estimated Shapley value per unit, shape (width,), pulls spent)."""
        device = engine.keep[layer].device
        total = torch.zeros(width, dtype=torch.float64)
        samples = torch.zeros(width, dtype=torch.int64)
        spent, walked = 0, 0
        while spent + 2 <= budget:  # a permutation needs its reference and one step
            batch, order = batches.next(), torch.randperm(width, generator=generator)
            kept = torch.zeros(width, device=device)
            full = empty = previous = None
            done = 0
            while done < width and spent < budget:
                first = full is None  # the first forward also yields both ends
                steps = min(max(per_forward - first, 1), width - done, budget - spent - first)
                prefixes = kept.repeat(steps, 1)  # row i keeps the first done + i + 1 units
                prefixes[:, order[done:done + steps].to(device)] = torch.ones(
                    steps, steps, device=device).tril()
                masks = [prefixes]
                if first:
                    masks = [torch.ones(1, width, device=device), prefixes,
                             torch.zeros(1, width, device=device)]
                losses = engine.losses(layer, torch.cat(masks), batch).double().cpu()
                if first:
                    full, empty, losses = losses[0], losses[-1], losses[1:-1]
                    previous, spent = empty, spent + 1
                # adding a unit lowers the loss by its marginal contribution
                total[order[done:done + steps]] -= torch.diff(torch.cat((previous.view(1), losses)))
                samples[order[done:done + steps]] += 1
                kept, previous = prefixes[-1], losses[-1]
                done, spent = done + steps, spent + steps
                if self.tolerance > 0 and (
                        (previous - full).abs() <= self.tolerance * (empty - full).abs()):
                    samples[order[done:]] += 1  # truncated: the rest contribute 0
                    break
            walked += 1
        self.permutations[layer] = walked
        return total / samples.clamp_min(1), spent
