"""``finetune``: ``pruning.finetune.epochs`` epochs on train for every method
(a fresh optimizer over the smaller model's parameters, the same seeded data
order), keeping the epoch with the best select score; epoch 0, the model as
cut, is a candidate too, so fine-tuning never reports worse on select than not
fine-tuning. Only at the primary equal-compute endpoints (``on_curve``
False): fine-tuning every level of the unit-sparsity curve would cost ~15x
as much for a secondary result.
"""
from __future__ import annotations

from types import SimpleNamespace

from mabbench.trial.regimes import REGIMES, RecoveryJob


def best_on_select(job: RecoveryJob):
    """An EarlyStopping that never stops and keeps every epoch's select metric
    (``history``). Built here: the registry's names load without torch."""
    from mabbench.trial.early_stopping import EarlyStopping

    class BestOnSelect(EarlyStopping):
        def scores(self, model):
            found = super().scores(model)  # once per epoch, from after_epoch
            self.history.append(found.metric)
            return found

    epochs = job.pruning_cfg.finetune.epochs
    stopper = BestOnSelect(SimpleNamespace(monitor="metric", patience=epochs + 1, min_delta=0.0),
                           SimpleNamespace(loss=job.loss, metric=job.metric), job.splits.select)
    stopper.history = []
    return stopper


class FineTune:
    on_curve = False
    changes_model = True

    def recover(self, model, job: RecoveryJob) -> dict:
        from mabbench.trial.training import train

        stopper = best_on_select(job)
        stopper.after_epoch(0, model)  # the model as cut competes
        train(model, job.splits.train, job.pruning_cfg.finetune, job.loss, job.seed, stopper)
        return {"epochs": job.pruning_cfg.finetune.epochs, "best_epoch": stopper.best_epoch,
                "select_by_epoch": stopper.history}


REGIMES.register("finetune")(FineTune())
