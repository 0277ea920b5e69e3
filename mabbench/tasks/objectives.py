"""Losses (per example, for training and pulls) and metrics.

A task's own metric (``task.metric``) is higher-is-better: rank tables, the
curve's endpoints and the verdicts all read it so. A metric recorded beside
it (``EXTRA_METRICS``) may be lower-is-better; ``LOWER_IS_BETTER`` names
those, and whatever ranks by one must negate it (``oriented``)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from mabbench.config.registry import Registry

LOSSES: Registry = Registry("loss")
METRICS: Registry = Registry("metric")
# Metrics recorded beside the task's own (as val_<name> / test_<name> on every curve
# point) so tables can rank by them too; keyed by the task's metric.
EXTRA_METRICS: dict[str, tuple[str, ...]] = {"accuracy": ("macro_f1",),
                                             "token_accuracy": ("perplexity",)}
LOWER_IS_BETTER = frozenset({"perplexity"})


def oriented(metric: str, value: float) -> float:
    """``value`` of ``metric`` on a higher-is-better scale (negated if lower is better)."""
    return -value if metric in LOWER_IS_BETTER else value


@LOSSES.register("cross_entropy")
def cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(outputs, targets, reduction="none")


def _cross_entropy_scores(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    # log-sum-exp minus the target's logit: the same value as F.cross_entropy
    # (to float rounding), ~4x faster on (rows, classes) outputs with few
    # classes, where log_softmax's row loop is the cost. (Pull rounds score
    # per copy instead: PER_COPY below.)
    if targets.is_floating_point():  # class probabilities: the general form
        return cross_entropy(outputs, targets)
    if outputs.dim() > 2:  # (N, C, d1, ...) per-position logits
        return _per_position_cross_entropy(outputs, targets)
    return torch.logsumexp(outputs, dim=1) - outputs.gather(1, targets.unsqueeze(1)).squeeze(1)


def class_rows(outputs: torch.Tensor) -> torch.Tensor:
    """(N, C, d1, ...) per-position outputs as (N d1 ..., C) rows, classes last.
    A model that computes classes last and hands out the (N, C, d1, ...) view (the
    GPT's logits) gets its own contiguous tensor back, without a copy."""
    return outputs.movedim(1, -1).reshape(-1, outputs.shape[1])


def _per_position_cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    # F.cross_entropy on rows with the classes last and contiguous: on a GPT's
    # (N, 2000, 32) logits, the (N, C, T) layout's log-softmax strides over the
    # classes and ran 2.3x slower (0.56 vs 0.25 s for 2,048 windows, one thread).
    losses = F.cross_entropy(class_rows(outputs), targets.reshape(-1), reduction="none")
    return losses.reshape(targets.shape)


# Losses with a faster form for scoring without gradients (pulls); training
# keeps the registered form, so dense weights do not depend on this table.
FORWARD_ONLY = {cross_entropy: _cross_entropy_scores}


def forward_only(loss):
    """The faster gradient-free form of ``loss`` where one is known, else ``loss``."""
    return FORWARD_ONLY.get(loss, loss)


@LOSSES.register("mse")
def mse(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (outputs.reshape(targets.shape) - targets).pow(2)


# Per-copy means: a pull round scores ``copies`` copies of the same B rows in
# one output tensor, (copies x B, ...) against B targets, and needs each copy's
# mean. The forms below read the outputs as (copies, B, ...) and broadcast the
# targets over copies instead of repeating them (a copy of copies x B targets
# per round): the same numbers as the per-example form's means, fewer ops.
# Signature: (outputs (copies B, ...), targets (B, ...), copies) -> (copies,).


def _cross_entropy_per_copy(outputs: torch.Tensor, targets: torch.Tensor,
                            copies: int) -> torch.Tensor:
    if targets.is_floating_point():  # class probabilities: the general form
        return repeated_means(cross_entropy, outputs, targets, copies)
    if outputs.dim() > 2:  # (N, vocab, T) next-token logits: the rows-last view is 2x slower
        return repeated_means(cross_entropy, outputs, targets, copies)
    # F.cross_entropy itself, on views that make the rows its last "spatial"
    # dimension: outputs (copies, C, d1, ..., B), class indices (copies, d1, ..., B).
    # Its log-softmax then runs over the classes with the rows as the inner,
    # vectorised dimension: 1.5-2x faster than log-sum-exp minus the target
    # logit over (copies x B, C), whose reductions run over a few classes each.
    grouped = outputs.view(copies, -1, *outputs.shape[1:]).movedim(1, -1)
    indices = targets.movedim(0, -1)
    losses = F.cross_entropy(grouped, indices.expand(copies, *indices.shape), reduction="none")
    return losses.reshape(copies, -1).mean(dim=1)


def _mse_per_copy(outputs: torch.Tensor, targets: torch.Tensor, copies: int) -> torch.Tensor:
    errors = (outputs.reshape(copies, *targets.shape) - targets).pow(2)
    return errors.reshape(copies, -1).mean(dim=1)


PER_COPY = {cross_entropy: _cross_entropy_per_copy, mse: _mse_per_copy}


def repeated_means(per_example, outputs: torch.Tensor, targets: torch.Tensor,
                   copies: int) -> torch.Tensor:
    """(copies,) means of ``per_example`` on each copy's rows, targets repeated:
    the general per-copy form, for any per-example loss or metric."""
    targets = targets.repeat(copies, *([1] * (targets.dim() - 1)))
    # in the outputs' dtype before the mean: a 0/1 metric may come as bool or int
    values = forward_only(per_example)(outputs, targets).to(outputs.dtype)
    return values.reshape(copies, -1).mean(dim=1)


def per_copy(per_example):
    """``per_example``'s per-copy form (see PER_COPY): the registered one where
    known, else ``repeated_means``."""
    form = PER_COPY.get(per_example)
    if form is not None:
        return form
    return lambda outputs, targets, copies: repeated_means(per_example, outputs, targets, copies)


@METRICS.register("accuracy")
def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    return (outputs.argmax(dim=1) == targets).double().mean().item()


@METRICS.register("macro_f1")
def macro_f1(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Unweighted mean over classes of F1 = 2 TP / (2 TP + FP + FN); classes absent from
    both targets and predictions are left out (as scikit-learn's average='macro')."""
    predicted = outputs.argmax(dim=1)
    n_classes = max(outputs.shape[1], int(targets.max()) + 1)
    true_positive = torch.bincount(targets[predicted == targets], minlength=n_classes)
    seen = torch.bincount(predicted, minlength=n_classes) + torch.bincount(targets, minlength=n_classes)
    present = seen > 0
    return (2 * true_positive[present].double() / seen[present].double()).mean().item()


@METRICS.register("r2")
def r2(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot."""
    predicted = outputs.reshape(targets.shape).double()
    targets = targets.double()
    ss_res = (targets - predicted).pow(2).sum()
    ss_tot = (targets - targets.mean()).pow(2).sum().clamp_min(1e-12)
    return (1.0 - ss_res / ss_tot).item()


@dataclass(frozen=True)
class PositionMean:
    """A metric that is a function of the mean over every (row, position) of a
    per-position value: computable batch by batch (mabbench.trial.curve.scores
    streams a split through the model in batches of bounded outputs instead of
    holding a language model's logits for the whole split, 0.6 GB on the GPT row's
    test windows)."""

    per_position: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # -> float64 values
    finish: Callable[[float], float] = float

    def __call__(self, outputs: torch.Tensor, targets: torch.Tensor) -> float:
        return self.finish(self.per_position(outputs, targets).mean().item())


def _correct_tokens(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return (class_rows(outputs).argmax(dim=1) == targets.reshape(-1)).double()


def _token_cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(class_rows(outputs).double(), targets.reshape(-1), reduction="none")


# Next-token accuracy over every position: outputs (N, vocab, T), targets (N, T).
token_accuracy = METRICS.register("token_accuracy")(PositionMean(_correct_tokens))
# exp(mean next-token cross-entropy) over every position (lower is better).
perplexity = METRICS.register("perplexity")(PositionMean(_token_cross_entropy, math.exp))
