"""Incremental pulls: mask a unit by subtracting its term from the next linear operation.

Between a layer's mask point and the next Linear/Conv (call it N), the zoo's
layers apply only unit-wise operations that keep zero at zero (ReLU, Tanh,
max/avg-pooling, dropout in eval, flatten). Masking unit j therefore zeroes
exactly unit j's slice of N's input and nothing else, and since N is linear

    N(x with unit j's slice zeroed) = N(x) - N_without_bias(unit j's slice of x)

so each masked copy of N's output is N's unmasked output minus one small
term: for a Linear, ``x[..., slice_j] @ W[:, slice_j].T``; for a Conv, the
convolution of channel j alone with ``W[:, j]``. N runs once on the B rows;
only what lies above N runs per copy. When N produces the model's outputs
(LeNet fc1, an MLP's last hidden layer), no layer runs per copy at all.

Which slice of N's input belongs to unit j is read from shapes: a Conv's
input channel j; a Linear's input features [j * span, (j + 1) * span) where
span = in_features / width (1 after a Linear, H x W after a conv and flatten).
When the slice is one feature (span 1: N is a Linear after a Linear), unit
j's term is an outer product, x[:, j] times W[:, j]: one broadcast
``addcmul`` subtracts every copy's term from N's output in a single
elementwise kernel. FlopCounterMode counts matmuls and convolutions, not
elementwise ops, so ``TERM_FLOPS`` tells a counter to count that addcmul as
the matmul it replaces (2 FLOPs per multiply-add). A wider slice (a Linear
after a conv and flatten) takes one ``baddbmm``: the batched matmul of the
slices with the subtraction fused in.

Nothing here trusts that reading: the engine compares every unit of the
layer against masked forwards on probe rows at start-up and keeps the batched
path for any layer where they differ (BatchNorm or LayerNorm between the mask
point and N, an LSTM, attention, a skip connection, anything unrecognised).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

_CONVS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _outer_product_flops(self_shape, tensor1_shape, tensor2_shape, *args, **kwargs) -> int:
    """addcmul's products counted as a matmul's multiply-adds: 2 per product."""
    return 2 * math.prod(torch.broadcast_shapes(tensor1_shape, tensor2_shape))


# FlopCounterMode(custom_mapping=TERM_FLOPS): count the span-1 fan-out as the
# batched matmul (k, M, 1) x (k, 1, out) it computes.
TERM_FLOPS = {torch.ops.aten.addcmul: _outer_product_flops}


@dataclass(frozen=True)
class NextLinear:
    """The linear operation whose input carries a layer's units."""

    name: str
    module: nn.Module
    span: int  # Linear: input features per unit; Conv: 1 (one input channel per unit)

    def contribution(self, x: torch.Tensor, units: torch.Tensor) -> torch.Tensor:
        """(k, *N's output shape): unit units[i]'s term in N(x), bias excluded."""
        module = self.module
        if isinstance(module, nn.Linear):
            # A batched matmul, not a broadcast product, so the FLOP counter sees it.
            parts, weight = self._linear_factors(x, units)
            return torch.bmm(parts, weight).view(-1, *x.shape[:-1], module.out_features)
        k, out = int(units.shape[0]), module.out_channels
        weight = module.weight.index_select(1, units).transpose(0, 1)  # (k, out, *kernel)
        weight = weight.reshape(k * out, 1, *module.weight.shape[2:])
        conv = _CONVS[module.weight.dim() - 2]
        terms = conv(x.index_select(1, units), weight, None, module.stride, module.padding,
                     module.dilation, groups=k)  # (B, k * out, *spatial)
        return terms.view(x.shape[0], k, out, *terms.shape[2:]).transpose(0, 1)

    def _linear_factors(self, x: torch.Tensor, units: torch.Tensor
                        ) -> tuple[torch.Tensor, torch.Tensor]:
        """(k, M, span) slices of x (M rows) and (k, span, out) of W^T, unit by unit.
        index_select, not [:, units]: the same gather, several times faster here."""
        module = self.module
        width = module.in_features // self.span
        parts = x.reshape(-1, width, self.span).index_select(1, units).transpose(0, 1)
        weight = module.weight.view(module.out_features, width, self.span)
        return parts, weight.index_select(1, units).permute(1, 2, 0)

    def remove(self, x: torch.Tensor, output: torch.Tensor, units: torch.Tensor,
               out: torch.Tensor) -> None:
        """out[i] = ``output`` (N's output on input ``x``) less unit units[i]'s term."""
        module = self.module
        k = int(units.shape[0])
        if isinstance(module, nn.Linear) and self.span == 1:
            # (k, ..., 1) rows of x times (k, 1, ..., out) rows of W^T: one kernel
            # (counted through TERM_FLOPS), where a bmm with inner size 1 and a
            # subtraction take two, each several times slower at this size.
            lead = x.shape[:-1]
            features = x.reshape(-1, x.shape[-1]).t()[units].view(k, *lead, 1)
            # in the output's dtype, as a bmm under autocast would give it (out= must hold it)
            weights = module.weight.t()[units].to(output.dtype)
            weights = weights.view(k, *([1] * len(lead)), module.out_features)
            torch.addcmul(output, features, weights, value=-1, out=out)
        elif isinstance(module, nn.Linear):
            # output - parts @ weight in one baddbmm (counted as its bmm): the
            # subtraction rides on the matmul instead of a pass of its own
            parts, weight = self._linear_factors(x, units)
            rows, width = parts.shape[1], module.out_features
            base = output.reshape(1, rows, width).expand(k, rows, width)
            torch.baddbmm(base, parts, weight, alpha=-1, out=out.view(k, rows, width))
        else:
            torch.sub(output.unsqueeze(0), self.contribution(x, units), out=out)


def fan_out(plan: NextLinear, inputs: torch.Tensor, output: torch.Tensor,
            units: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """N's ``output`` on B rows (``inputs`` its input) -> ((k + 1) B, ...): copy 0
    unmasked, copy i the output with unit units[i - 1] removed; written into
    ``out`` ((k + 1, *output.shape)) when given."""
    k = int(units.shape[0])
    copies = output.new_empty((k + 1, *output.shape)) if out is None else out
    copies[0] = output
    plan.remove(inputs, output, units, out=copies[1:])
    return copies.view(-1, *output.shape[1:])


def fan_out_hook(plan: NextLinear, units: torch.Tensor, batch: int):
    """Forward hook on N: output (B, ...) -> ((k + 1) B, ...) (``fan_out``)."""

    def hook(module: nn.Module, args, output: torch.Tensor) -> torch.Tensor:
        if output.shape[0] != batch or args[0].shape[0] != batch:
            raise RuntimeError(f"{plan.name} ran on {output.shape[0]} rows, expected {batch}")
        return fan_out(plan, args[0], output, units)

    return hook


def next_linear(model: nn.Module, point: nn.Module, width: int, inputs: tuple
                ) -> Optional[NextLinear]:
    """The first Linear/Conv to start after ``point`` finishes in one forward on
    ``inputs``, with the unit slice its shapes imply; None when ``point`` or
    that module does not run exactly once, or the shapes do not fit."""
    events: list[tuple[str, str]] = []
    handles = [point.register_forward_hook(lambda *_: events.append(("done", "")))]
    for name, module in model.named_modules():
        if isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)):
            handles.append(module.register_forward_pre_hook(
                lambda *_, name=name: events.append(("start", name))))
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    done = [i for i, (kind, _) in enumerate(events) if kind == "done"]
    if len(done) != 1:
        return None
    after = [name for kind, name in events[done[0] + 1:] if kind == "start"]
    if not after or sum(name == after[0] for _, name in events) != 1:
        return None
    module = model.get_submodule(after[0])
    if isinstance(module, nn.Linear):
        if module.in_features % width:
            return None
        return NextLinear(after[0], module, module.in_features // width)
    fits = (module.in_channels == width and module.groups == 1
            and module.padding_mode == "zeros")
    return NextLinear(after[0], module, 1) if fits else None
