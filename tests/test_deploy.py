"""Inference forms (what latency is timed on): BatchNorm folding and every
form in DEPLOY_FORMS change no output of any zoo model; latency records say
which form it was measured in; an unknown form is refused by name."""
from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from test_compaction_zoo import MODELS, zoo_model
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.config.schemas import LatencyConfig
from mabbench.experiments.preflight import preflight
from mabbench.pruning.arms import prunable_widths
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import measure_latency
from mabbench.pruning.deploy import DEPLOY_FORMS, deployed, fold_batchnorm


def _has_batchnorm(model: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


# vgg declares mask_after by hand; resnet's BatchNorms (block, stem, shortcut)
# come from its dependency graph, and a compacted ResNet is traced afresh
@pytest.mark.parametrize("name, cut", [("vgg", False), ("resnet", False), ("resnet", True)])
def test_folded_model_equals_the_original_and_has_no_batchnorm(tmp_path, name, cut):
    model, inputs = zoo_model(name, tmp_path)  # BatchNorm statistics randomised
    if cut:
        remove = {layer: list(range(0, width, 3)) for layer, width in prunable_widths(model).items()}
        model = compact(model, remove, inputs)
    folded = fold_batchnorm(model)
    with torch.no_grad():
        torch.testing.assert_close(folded(*inputs), model(*inputs), atol=1e-5, rtol=1e-5)
    assert not _has_batchnorm(folded) and _has_batchnorm(model)


@pytest.mark.parametrize("form", DEPLOY_FORMS.names())
@pytest.mark.parametrize("name", MODELS)
def test_every_form_of_every_zoo_model_gives_the_same_outputs(name, form, tmp_path):
    # frozen traces on two rows and runs on all six: a trace that baked in the
    # batch or a data-dependent branch would show here
    model, inputs = zoo_model(name, tmp_path)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    module, moved = deployed(model, inputs, form)
    with torch.inference_mode():
        torch.testing.assert_close(module(*moved), model(*inputs), atol=1e-4, rtol=1e-4)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # the model is untouched


def test_channels_last_puts_conv_weights_and_images_in_nhwc(tmp_path):
    model, inputs = zoo_model("vgg", tmp_path)
    module, moved = deployed(model, inputs, "channels_last")
    layout = torch.channels_last
    assert moved[0].is_contiguous(memory_format=layout)
    assert all(m.weight.is_contiguous(memory_format=layout)
               for m in module.modules() if isinstance(m, nn.Conv2d))


def test_latency_record_names_its_form():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    for form in ("folded", "frozen"):
        measured = measure_latency(model, (torch.randn(3, 4),),
                                   LatencyConfig(batch_size=8, warmup=0, repeats=2, deploy=form))
        assert measured["latency_deploy"] == form and measured["latency_s"] > 0


def test_an_unknown_form_is_refused_naming_the_key_and_the_forms():
    with pytest.raises(ConfigError) as caught:
        preflight(["pruning.latency.deploy=jit"])
    message = str(caught.value)
    assert "pruning.latency.deploy" in message and "frozen" in message and "\n" not in message


# A fresh interpreter: the test process's compilation unit may hold other tests' traces.
RELEASE_SCRIPT = """
import sys, torch
from torch import nn
from mabbench.config.schemas import LatencyConfig
from mabbench.pruning.arms import prunable_widths
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import measure_latency
unit = torch.jit._state._python_cu
cfg = LatencyConfig(batch_size=8, warmup=1, repeats=1, deploy="frozen")
model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3)).eval()
rows = (torch.randn(8, 6),)
if sys.argv[1] == "user":
    @torch.jit.script
    def twice(x: torch.Tensor) -> torch.Tensor:
        return 2 * x
for _ in range(3):
    measure_latency(model, rows, cfg)
kept = len(unit.get_functions())
print(kept, float(twice(torch.ones(1))) if sys.argv[1] == "user" else "")
"""


def _functions_left(tmp_path, mode: str) -> list[str]:
    script = tmp_path / "release.py"
    script.write_text(RELEASE_SCRIPT)
    done = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_timing_frozen_forms_leaves_no_traced_graphs_behind(tmp_path):
    # each frozen trace holds its weights as graph constants in TorchScript's
    # process-wide unit; a sweep worker timing every curve point grew by GBs
    assert _functions_left(tmp_path, "none") == ["0"]


def test_a_users_scripted_function_survives_latency_timing(tmp_path):
    kept, value = _functions_left(tmp_path, "user")
    assert int(kept) > 1 and float(value) == 2.0  # theirs (and ours, left in place) still run
