"""What a model computes after one of its modules, as a module of its own.

A pull that fans out at a layer's next linear operation N (mabbench.pruning.
incremental) needs only N's input and output: everything below N is the same
for every copy. When those are kept for every prune row (mabbench.pruning.
activations), a round needs to run only what lies above N. ``suffix_after``
cuts that part out of the model's traced graph (torch.fx): a GraphModule that
takes N's output and returns the model's. It calls the model's own leaf
modules (not copies), so forward hooks on them - the engine's masks of retired
units - fire as in a full forward.

Nothing is forced: a model fx cannot trace, a module called more than once,
or a value other than N's output (and parameters) that crosses the cut (a
skip connection, a second input used late) gives None, and the engine keeps
running full forwards. The engine also compares the cut against masked
forwards at start-up before using it.
"""
from __future__ import annotations

from typing import Optional

import torch
from torch import fx, nn


def trace(model: nn.Module) -> Optional[fx.GraphModule]:
    """``model``'s traced forward, or None if fx cannot trace it."""
    try:
        return fx.symbolic_trace(model)
    except Exception:  # data-dependent control flow, unsupported ops: no cut, no error
        return None


def leaf_calls(traced: fx.GraphModule) -> list[str]:
    """Names of the modules the traced forward calls, in order."""
    return [str(node.target) for node in traced.graph.nodes if node.op == "call_module"]


def suffix_after(traced: fx.GraphModule, name: str) -> Optional[fx.GraphModule]:
    """A module mapping module ``name``'s output to the traced model's output, or
    None (see module doc)."""
    nodes = list(traced.graph.nodes)
    cuts = [i for i, node in enumerate(nodes) if node.op == "call_module" and node.target == name]
    if len(cuts) != 1:
        return None
    cut = nodes[cuts[0]]
    before = set(nodes[:cuts[0]])
    graph = fx.Graph()
    env = {cut: graph.placeholder("activation")}
    for node in nodes[cuts[0] + 1:]:
        for arg in node.all_input_nodes:
            if arg in env:
                continue
            if arg not in before or arg.op != "get_attr":
                return None  # a value computed below the cut is used above it
            env[arg] = graph.node_copy(arg)
        env[node] = graph.node_copy(node, lambda arg: env[arg])
    suffix = fx.GraphModule(traced, graph)
    suffix.graph.eliminate_dead_code()
    suffix.recompile()
    return suffix


# Linear layers with at most this many outputs run, in a round, as W x^T
# rather than x W^T: MKL's GEMM with an output width of 1-2 (a binary
# classifier's or a regressor's head) ran 2.7-3.6x slower than the transposed
# product on (2,176-8,320) x 64 rows here; from 10 outputs on it is the
# other way round (0.5-0.95x), so wider heads keep torch's form.
NARROW_OUTPUTS = 2


def round_form(suffix: fx.GraphModule, keep: set[str]) -> fx.GraphModule:
    """``suffix`` as a round runs it on its fan-out buffer: same values, fewer
    passes. A ReLU taking the buffer first runs in place (the buffer is the
    round's own and dead after it: one pass over copies x rows instead of a
    read, an allocation and a write), and a Linear with at most
    ``NARROW_OUTPUTS`` outputs computes its transpose's product (the result is
    a transposed view with the same values). Modules named in ``keep`` (mask
    points: their hooks must fire) stay as they are."""
    graph = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    modules = dict(suffix.named_modules())
    for node in suffix.graph.nodes:
        module = modules.get(node.target) if node.op == "call_module" else None
        plain = (module is not None and node.target not in keep and len(node.args) == 1
                 and not node.kwargs and not module._forward_hooks
                 and not module._forward_pre_hooks)
        if plain and isinstance(module, nn.ReLU) and _only_use_of_input(node):
            env[node] = graph.call_function(torch.relu_, (env[node.args[0]],))
        elif plain and isinstance(module, nn.Linear) and module.out_features <= NARROW_OUTPUTS:
            weight = graph.get_attr(f"{node.target}.weight")
            bias = graph.get_attr(f"{node.target}.bias") if module.bias is not None else None
            env[node] = graph.call_function(narrow_linear, (env[node.args[0]], weight, bias))
        else:
            env[node] = graph.node_copy(node, lambda arg: env[arg])
    form = fx.GraphModule(suffix, graph)
    form.recompile()
    return form


def _only_use_of_input(node: fx.Node) -> bool:
    """``node`` reads the suffix's input (the fan-out buffer) and nothing else reads it."""
    source = node.args[0]
    return isinstance(source, fx.Node) and source.op == "placeholder" and len(source.users) == 1


def narrow_linear(x: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor]
                  ) -> torch.Tensor:
    """``F.linear(x, weight, bias)`` for a 2-D ``x``, computed as (W x^T)^T."""
    if x.dim() != 2:
        return nn.functional.linear(x, weight, bias)
    if bias is None:
        return torch.mm(weight, x.t()).t()
    return torch.addmm(bias.unsqueeze(1), weight, x.t()).t()
