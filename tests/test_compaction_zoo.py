"""For every model in conf/model/: physical removal equals masking, and the
batched pull engine equals one masked forward per arm. New model YAMLs are
picked up automatically; each is built on small fake inputs of the shape its
``forward`` arguments and ``info`` keys ask for."""
from __future__ import annotations

import inspect
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from conftest import CONF, compose_config
from torch import nn

from mabbench.models import build_model
from mabbench.pruning.arms import masked, prunable_widths
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import count_params
from mabbench.pruning.engine import PullEngine
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import cross_entropy

MODELS = sorted(p.stem for p in (CONF / "model").glob("*.yaml"))
N_OUTPUTS, ROWS, SEQ = 3, 6, 12
INFO = {"in_features": 10, "in_channels": 3, "image_size": 16, "vocab_size": 40,
        "memory_size": 5, "sentence_length": 6, "max_length": SEQ, "seq_len": SEQ,
        "max_len": SEQ}


def fake_inputs(model: nn.Module, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """One tensor per ``forward`` argument, shaped by its name (extend for new names)."""
    vocab, memory, sentence = INFO["vocab_size"], INFO["memory_size"], INFO["sentence_length"]
    has_conv2d = any(isinstance(m, nn.Conv2d) for m in model.modules())
    image = (ROWS, INFO["in_channels"], INFO["image_size"], INFO["image_size"])
    makers = {
        "x": lambda: torch.randn(image if has_conv2d else (ROWS, INFO["in_features"]),
                                 generator=generator),
        "ids": lambda: torch.randint(1, vocab, (ROWS, SEQ), generator=generator),
        "story": lambda: torch.randint(1, vocab, (ROWS, memory, sentence), generator=generator),
        "query": lambda: torch.randint(1, vocab, (ROWS, sentence), generator=generator),
    }
    names = list(inspect.signature(model.forward).parameters)
    unknown = [n for n in names if n not in makers]
    if unknown:
        pytest.fail(f"{type(model).__name__}.forward takes {unknown}: add a fake-input maker")
    return tuple(makers[n]() for n in names)


# Deep models at test size (every arm of every set is pulled in test_incremental.py);
# the structure that matters stays: stages, shortcuts, blocks, heads.
SMALLER = {"resnet": ["model.depth=8"], "vit": ["model.depth=2", "model.mlp=32"],
           "gpt": ["model.mlp=32"]}


def fake_targets(model: nn.Module, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """Class indices shaped as the outputs ask: (B,) for (B, C) logits, (B, T)
    for a language model's (B, vocab, T)."""
    with torch.no_grad():
        shape = model(*inputs).shape
    return torch.arange(ROWS * math.prod(shape[2:])).view(ROWS, *shape[2:]) % shape[1]


def zoo_model(name: str, tmp_path: Path) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    """The model of conf/model/<name>.yaml, with BatchNorm statistics and
    affine terms randomised (so BN(0) != 0 and masking in the wrong place shows)."""
    cfg = compose_config([f"model={name}", *SMALLER.get(name, [])], tmp_path)
    torch.manual_seed(0)
    model = build_model(cfg.model, SimpleNamespace(n_outputs=N_OUTPUTS, info=INFO)).eval()
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.running_mean.normal_(0, 0.5, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
                module.weight.normal_(1, 0.3, generator=generator)
                module.bias.normal_(0, 0.5, generator=generator)
    return model, fake_inputs(model, generator)


@pytest.mark.parametrize("name", MODELS)
def test_compacted_model_equals_masked_model(name, tmp_path):
    model, inputs = zoo_model(name, tmp_path)
    widths = prunable_widths(model)
    generator = torch.Generator().manual_seed(2)
    remove = {layer: torch.randperm(w, generator=generator)[: w // 2].tolist()
              for layer, w in widths.items()}
    with torch.no_grad(), masked(model, remove):
        expected = model(*inputs)
    smaller = compact(model, remove, inputs)
    with torch.no_grad():
        got = smaller(*inputs)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    for layer, width in widths.items():  # genuinely smaller, the model itself untouched
        assert prunable_widths(smaller)[layer] == width - len(remove[layer])
        assert prunable_widths(model)[layer] == width
    assert count_params(smaller) < count_params(model)


@pytest.mark.parametrize("name", MODELS)
def test_engine_pull_equals_one_masked_forward_per_arm(name, tmp_path):
    model, inputs = zoo_model(name, tmp_path)
    targets = fake_targets(model, inputs)
    batch = Split(inputs, targets)
    widths = prunable_widths(model)
    engine = PullEngine(model, widths, cross_entropy, probe=batch)
    with torch.no_grad():
        base = cross_entropy(model(*inputs), targets).mean()
    for layer, width in widths.items():
        units = torch.tensor([0, width // 2, width - 1])
        delta, got_base, _, _ = engine.pull(layer, units, batch)
        for unit, got in zip(units.tolist(), delta):
            with torch.no_grad(), masked(model, {layer: [unit]}):
                want = cross_entropy(model(*inputs), targets).mean() - base
            torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(got_base, base)
    assert engine.pulls == 3 * len(widths)
