"""First-order Taylor importance (Molchanov et al. 2019, "Importance Estimation
for Neural Network Pruning", CVPR), the *gate* variant (their eq. 8, "Taylor FO
on gates", with the gate placed at each layer's mask point):

    I_j = mean over mini-batches b of ( sum_{rows, positions in b} dL/dh_j * h_j )^2

where h_j is unit j's output at its mask point (after BatchNorm where a model
declares one) and L the mean mini-batch loss. The sum inside is the gradient of
L with respect to a multiplicative gate fixed at 1 on unit j; squaring it
estimates the loss change of removing the unit. One pass over the pruning
split in ``pruning.batch_size`` batches; cost: forward + backward FLOPs.
"""
from __future__ import annotations

import torch

from baselines.base import Scorer, prune_batches
from mabbench.pruning.arms import arm_points
from mabbench.pruning.context import PruningContext, PruningCost
from mabbench.pruning.cost import FlopMeter


def _gate_hook(gate: torch.Tensor, dim: int):
    def hook(module, args, output):
        shape = [1] * output.dim()
        shape[dim % output.dim()] = gate.shape[0]
        return output * gate.view(shape)

    return hook


class Taylor(Scorer):
    name = "taylor"

    def importance(self, ctx: PruningContext, cost: PruningCost) -> dict[str, torch.Tensor]:
        model = ctx.model
        gates = {layer: torch.ones(width, device=ctx.device, requires_grad=True)
                 for layer, width in ctx.widths.items()}
        totals = {layer: torch.zeros(width, dtype=torch.float64, device=ctx.device)
                  for layer, width in ctx.widths.items()}
        # one gate per arm at every mask point of its set: a coupled group's
        # gradient sums over the layers it spans (a group Taylor score)
        handles = [model.get_submodule(point.module).register_forward_hook(
                       _gate_hook(gate, point.dim))
                   for layer, gate in gates.items() for point in arm_points(model, layer)]
        meter, n_batches = FlopMeter(), 0
        try:
            for batch in prune_batches(ctx, ctx.cfg.batch_size):
                with meter.measure(), torch.enable_grad():
                    loss = ctx.loss(model(*batch.inputs), batch.targets).mean()
                    grads = torch.autograd.grad(loss, list(gates.values()))
                for layer, grad in zip(gates, grads):
                    totals[layer] += grad.double().pow(2)
                n_batches += 1
        finally:
            for handle in handles:
                handle.remove()
        cost.forward_flops += meter.flops
        return {layer: total.cpu() / max(n_batches, 1) for layer, total in totals.items()}
