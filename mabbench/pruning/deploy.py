"""Inference forms of a model: what a user deploys, and what latency is timed on.

Every form starts from the same step, BatchNorm folded into the layer before
it. A BatchNorm in eval mode is a per-channel affine map, so it merges into
the preceding Conv/Linear (W' = W * g / sqrt(var + eps), b' = (b - mean)
* g / sqrt(var + eps) + beta). It matters when comparing latency with MACs:
a BatchNorm's work grows with the channels while a conv's grows with their
square, so left unfolded it makes a pruned conv net look slower than its MACs say.

The forms (``pruning.latency.deploy``; dense and pruned models always go
through the same one, so a latency ratio compares like with like):

- ``raw``: the model as trained, BatchNorm included (the timing before forms existed);
- ``folded``: BatchNorm folded, eager PyTorch, NCHW;
- ``channels_last``: folded, and a conv net's weights and image inputs in
  channels-last (NHWC) layout. oneDNN convolves NHWC directly, where NCHW
  costs a layout reorder of every activation on every conv: work that grows
  with the channels, not with the MACs, so it weighs more on a pruned net;
- ``frozen`` (the default): channels_last, then traced, frozen and optimised
  for inference by TorchScript (weights prepacked for oneDNN, activations
  kept in its blocked layout between convs, bias and ReLU fused). The
  fastest form here, dense and pruned, and the closest to the MAC ratio; it
  costs a trace per model (tens of ms for an MLP, about a second for the VGG).

docs/speedup.md has the measurements behind the default.
"""
from __future__ import annotations

import copy
import gc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mabbench.config.registry import Registry

if TYPE_CHECKING:  # torch loads when a model is deployed: config checks import the names
    from torch import nn

# (model, inputs) -> (module to call, inputs to call it with); the model is untouched
DEPLOY_FORMS: Registry[Callable[[nn.Module, tuple], tuple[nn.Module, tuple]]] = Registry(
    "pruning.latency.deploy")


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy of ``model`` in which every BatchNorm that alone reads a Conv/Linear
    layer's output (``mabbench.pruning.groups.norms_after``: a hand-declared
    model's ``mask_after``, a graph-built model's dependency graph, e.g. every
    BatchNorm of a ResNet) is folded into that layer and replaced by Identity.
    ``model`` is untouched."""
    import torch

    with torch.no_grad():
        return _folded_copy(model)


def _folded_copy(model: nn.Module) -> nn.Module:
    import torch
    from torch import nn

    from mabbench.pruning.groups import norms_after  # torch loads with it

    folded = copy.deepcopy(model).eval()
    for layer, point in norms_after(model).items():
        norm = folded.get_submodule(point)
        if not isinstance(norm, nn.modules.batchnorm._BatchNorm):
            continue
        module = folded.get_submodule(layer)
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        shape = [-1] + [1] * (module.weight.dim() - 1)
        bias = module.bias if module.bias is not None else torch.zeros_like(norm.running_mean)
        module.weight.mul_(scale.view(shape))
        module.bias = nn.Parameter((bias - norm.running_mean) * scale + norm.bias)
        parent, _, name = point.rpartition(".")
        setattr(folded.get_submodule(parent) if parent else folded, name, nn.Identity())
    return folded


def deployed(model: nn.Module, inputs: tuple, form: str) -> tuple[nn.Module, tuple]:
    """``model`` in inference form ``form`` (a DEPLOY_FORMS name) with ``inputs``
    in the layout it expects: call ``module(*inputs)``. Same outputs as ``model``."""
    import torch

    with torch.no_grad():
        return DEPLOY_FORMS.get(form)(model, tuple(inputs))


@contextmanager
def releasing_traces() -> Iterator[None]:
    """Free, when the block ends, the graphs TorchScript kept for the modules traced in it.

    Every trace registers its graphs in one process-wide compilation unit that
    never lets them go, and a frozen graph holds the weights as constants
    (pytorch/pytorch#35600, #96726). A trial traces each curve point, so a
    sweep worker kept every pruned model it had timed: about 1 GB per bAbI
    trial, until a reference-grid worker held 12 GB and the next trials were
    refused for memory. Dropping the unit's functions is safe only when all of
    them are ours: when it held none as the block began (nothing in mabbench
    scripts code; a user's scripted function would keep everything as before).
    The block must have released its traced modules (dropped graphs cannot run).
    """
    import torch

    unit = torch.jit._state._python_cu
    ours_only = not unit.get_functions()
    try:
        yield
    finally:
        if ours_only:
            # The functions own the graphs and their constants, so dropping them
            # frees most of the memory even while a cycle still holds a module
            # nobody will call again; a young-generation collection (~20 us) frees
            # such modules' own tensors too. A full gc.collect() costs ~0.1 s, 20
            # times a trial: more than a tabular trial itself.
            gc.collect(1)
            unit.drop_all_functions()


@DEPLOY_FORMS.register("raw")
def _raw(model: nn.Module, inputs: tuple) -> tuple[nn.Module, tuple]:
    return copy.deepcopy(model).eval(), inputs


@DEPLOY_FORMS.register("folded")
def _folded(model: nn.Module, inputs: tuple) -> tuple[nn.Module, tuple]:
    return fold_batchnorm(model), inputs


@DEPLOY_FORMS.register("channels_last")
def _channels_last(model: nn.Module, inputs: tuple) -> tuple[nn.Module, tuple]:
    import torch
    from torch import nn

    folded = fold_batchnorm(model)
    if not any(isinstance(m, nn.Conv2d) for m in folded.modules()):
        return folded, inputs  # nothing reads the layout: a copy would only cost time
    layout = torch.channels_last
    return (folded.to(memory_format=layout),
            tuple(x.contiguous(memory_format=layout) if x.dim() == 4 else x for x in inputs))


@DEPLOY_FORMS.register("frozen")
def _frozen(model: nn.Module, inputs: tuple) -> tuple[nn.Module, tuple]:
    import torch

    module, inputs = _channels_last(model, inputs)
    with warnings.catch_warnings():  # TorchScript is deprecated upstream, still shipped
        warnings.simplefilter("ignore", FutureWarning)
        # traced on two rows: a trace records ops, not the batch size, and a
        # full batch would cost a forward of it for nothing
        traced = torch.jit.trace(module, tuple(x[:2] for x in inputs), check_trace=False)
        return torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval())), inputs
