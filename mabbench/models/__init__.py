"""Model zoo. Every model declares ``prunable``: the names of the submodules
whose output units (Linear neurons, Conv channels) are arms. Masking a unit
must equal removing it: a model whose prunable layer feeds something not zero
at zero (BatchNorm) declares ``mask_after = {"conv1": "bn1"}``; one whose
layers above a prunable layer do not treat dim 0 as the batch sets
``batched_pulls = False``. The full convention: mabbench/pruning/arms.py."""
from __future__ import annotations

from hydra.utils import instantiate
from torch import nn

from mabbench.models import mlp  # noqa: F401  (registers its schema)
from mabbench.models import lenet, memnet, vgg  # noqa: F401,E402
from mabbench.models import text  # noqa: F401,E402
from mabbench.models import cnn1d  # noqa: F401,E402
from mabbench.tasks.base import Splits


def build_model(model_cfg, splits: Splits) -> nn.Module:
    """Instantiate ``model_cfg._target_`` with the data's shape facts."""
    return instantiate(model_cfg, n_outputs=splits.n_outputs, info=splits.info)
