"""``bn_recalibration``: re-estimate every BatchNorm's running statistics on
the train split, weights untouched (a no-op for a model without BatchNorm).

Removing channels upstream shifts the distribution each BatchNorm sees, while
its running mean and variance still describe the dense model's; re-estimating
them is the cheapest recovery the literature uses (e.g. Li et al. 2020,
"EagleEye"). The statistics are averaged over every train row's batch with
equal weight (``momentum=None``: a cumulative average, not an exponential one
that would forget the first batches), in ``pruning.recalibration.batch_size``
batches in row order, without gradients;
only BatchNorm modules are in train mode (Dropout stays off). It is cheap, so
the unit-sparsity curve gets it too.
"""
from __future__ import annotations

from mabbench.trial.regimes import REGIMES, RecoveryJob


def recalibrate(model, data, batch_size: int) -> int:
    """Re-estimate the running statistics of ``model``'s BatchNorms on ``data``
    (a Split); return how many BatchNorm modules there are. Leaves eval mode."""
    import torch  # here: the registry's names load without torch

    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return 0
    model.eval()
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over every batch
        m.train()
    try:
        with torch.no_grad():
            for start in range(0, len(data), batch_size):
                rows = torch.arange(start, min(start + batch_size, len(data)),
                                    device=data.targets.device)
                model(*data.subset(rows).inputs)
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.eval()
    return len(norms)


class BatchNormRecalibration:
    on_curve = True
    changes_model = True

    def recover(self, model, job: RecoveryJob) -> dict:
        count = recalibrate(model, job.splits.train, job.pruning_cfg.recalibration.batch_size)
        return {"batchnorm_layers": count}


REGIMES.register("bn_recalibration")(BatchNormRecalibration())
