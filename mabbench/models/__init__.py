"""Model zoo. Every model declares ``prunable``: the names of the submodules
whose output units (Linear neurons, Conv channels) are arms."""
from __future__ import annotations

from hydra.utils import instantiate
from torch import nn

from mabbench.models import mlp  # noqa: F401  (registers its schema)
from mabbench.models import lenet, memnet, vgg  # noqa: F401,E402
from mabbench.tasks.base import Splits


def build_model(model_cfg, splits: Splits) -> nn.Module:
    """Instantiate ``model_cfg._target_`` with the data's shape facts."""
    return instantiate(model_cfg, n_outputs=splits.n_outputs, info=splits.info)
