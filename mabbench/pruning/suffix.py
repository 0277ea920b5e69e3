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
