"""Model zoo. Every model declares ``prunable``: the names of the submodules
whose output units (Linear neurons, Conv channels) are arms. Masking a unit
must equal removing it: a model whose prunable layer feeds something not zero
at zero (BatchNorm) declares ``mask_after = {"conv1": "bn1"}``; one whose
layers above a prunable layer do not treat dim 0 as the batch sets
``batched_pulls = False``. The full convention: mabbench/pruning/arms.py.

A model is its module here (the torch class) and its schema in schemas.py,
which importing this package registers; the class is imported by
``build_model`` (its ``_target_``), so composing a config never imports torch."""
from __future__ import annotations

from typing import TYPE_CHECKING

from hydra.utils import instantiate

from mabbench.config.targets import confine
from mabbench.models import schemas  # noqa: F401  (registers the model schemas)

if TYPE_CHECKING:
    from torch import nn

    from mabbench.tasks.base import Splits


def build_model(model_cfg, splits: Splits) -> nn.Module:
    """Instantiate ``model_cfg._target_`` with the data's shape facts (only a torch
    module: mabbench.config.targets)."""
    from torch import nn

    confine(model_cfg, "model", (nn.Module,), "a network (a torch module)")
    return instantiate(model_cfg, n_outputs=splits.n_outputs, info=splits.info)
