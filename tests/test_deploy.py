"""BatchNorm folding (the inference form the speed-up bench times) changes
no output and leaves no BatchNorm behind."""
from __future__ import annotations

import torch
from torch import nn

from mabbench.pruning.deploy import fold_batchnorm
from test_compaction_zoo import zoo_model


def test_folded_vgg_equals_the_original_and_has_no_batchnorm(tmp_path):
    model, inputs = zoo_model("vgg", tmp_path)  # BatchNorm statistics randomised
    folded = fold_batchnorm(model)
    with torch.no_grad():
        torch.testing.assert_close(folded(*inputs), model(*inputs), atol=1e-5, rtol=1e-5)
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in folded.modules())
    assert any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
