"""Batched mask-and-measure pulls.

A round pulls k arms on one mini-batch of B rows with a single forward: a
hook on the mask point of each layer involved (arms.arm_points) replicates
its output k + 1 times along the batch (copy 0 unmasked, copy i with arm i
zeroed). The network below the first replicating hook runs once per batch;
the part above it runs on (k + 1) x B rows. Nothing is copied or restored:
the mask lives only inside that forward, and building it is tensor indexing,
not a Python loop over arms.

Arms of several layers may share a round (scope=global): copy i zeroes arm i
in its own layer and leaves the other layers whole. Retired arms (iterative
pruning) are zeroed in every copy.

If a layer's batched pull disagrees with one-forward-per-copy on a few probe
rows (a model whose suffix does not treat dim 0 as the batch), or the model
sets ``batched_pulls = False``, that layer falls back to one forward per copy.

Faster still, where it is exact (see mabbench.pruning.incremental): a round
of one layer's arms fans out at the next Linear/Conv after the mask point, by
subtracting each unit's term from that operation's output, so nothing below
it runs per copy. Which layers may take this path is decided at start-up (with
a probe split) by comparing it, unit by unit, with masked forwards.

Fastest, for an engine given its ``source`` split (the prune split) and rounds
named by row indices (``pull_rows``): the input and output of each incremental
layer's next linear operation are kept for every source row
(mabbench.pruning.activations), so a round runs only what lies above it
(mabbench.pruning.suffix), again checked against masked forwards at start-up.
A round whose arms span several layers (scope=global) is split by layer, each
part on its layer's fastest exact path.
"""
from __future__ import annotations

import logging
from typing import NamedTuple, Optional, Union

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from mabbench.pruning.activations import ActivationCache
from mabbench.pruning.arms import arm_points
from mabbench.pruning.context import PerExampleLoss
from mabbench.pruning.fan_in import ancestors, replicate_hook
from mabbench.pruning.incremental import TERM_FLOPS, NextLinear, fan_out, fan_out_hook, next_linear
from mabbench.pruning.row_pieces import OUTPUT_ELEMENTS, in_pieces, rows_per_piece
from mabbench.pruning.suffix import leaf_calls, round_form, suffix_after, trace
from mabbench.tasks.base import Split
from mabbench.tasks.objectives import per_copy

log = logging.getLogger(__name__)

# Activations kept for pull_rows (mabbench.pruning.activations): layers are
# cached in order while their N input + output over the source rows fit.
DEFAULT_CACHE_BYTES = 1 << 30


class Pulled(NamedTuple):
    """What one round of pulls measured on its batch.

    ``delta`` (k,): masked minus unmasked mean loss per arm; ``base``: the
    unmasked mean loss (scalar). ``metric_delta`` / ``metric_base``: the same
    for the engine's per-example ``metric`` (e.g. 0/1 correctness, so the
    mean is accuracy); None when the engine was built without one.
    """

    delta: torch.Tensor
    base: torch.Tensor
    metric_delta: Optional[torch.Tensor] = None
    metric_base: Optional[torch.Tensor] = None


# A round's scores: each copy's mean loss, shape (copies,), then each copy's
# mean metric when the engine has one. Copy 0 is unmasked.
Scores = tuple[torch.Tensor, ...]


class BatchLayoutError(RuntimeError):
    """A hooked output whose dim 0 is neither B nor (k + 1) x B."""


def _unit_shape(n_dims: int, dim: int, width: int, copies: int = 0) -> list[int]:
    """View shape of a (width,) mask, or a (copies, width) one when ``copies``,
    over an output of ``n_dims`` dims (grouped as (copies, B, ...) when
    ``copies``) whose units sit on ``dim``."""
    lead = 1 if copies else 0
    shape = [copies] * lead + [1] * n_dims
    shape[lead + dim % n_dims] = width
    return shape


def _fan_out_hook(masks: torch.Tensor, dim: int, batch: int):
    """Output (B, ...) or ((k+1) B, ...) -> ((k+1) B, ...), copy c times masks[c]."""
    copies, width = masks.shape

    def hook(module: nn.Module, args, output: torch.Tensor) -> torch.Tensor:
        rows = output.shape[0]
        if rows == batch:
            grouped = output.unsqueeze(0)
        elif rows == copies * batch:
            grouped = output.view(copies, batch, *output.shape[1:])
        else:
            raise BatchLayoutError(f"hooked output has {rows} rows, expected {batch} "
                                   f"or {copies * batch}")
        masked = grouped * masks.view(_unit_shape(output.dim(), dim, width, copies))
        return masked.reshape(copies * batch, *output.shape[1:])

    return hook


def _scale_hook(mask: torch.Tensor, dim: int):
    """Output (any rows, ...) times one (width,) mask: same for every copy."""

    def hook(module: nn.Module, args, output: torch.Tensor) -> torch.Tensor:
        return output * mask.view(_unit_shape(output.dim(), dim, mask.shape[0]))

    return hook


def _assembled(parts: list[tuple[torch.Tensor, Scores]], k: int) -> Pulled:
    """One Pulled from rounds over disjoint subsets of a round's k arms:
    ``parts`` = [(arm indices, their round's Scores)]. Every part measured the
    same rows unmasked; the first part's copy 0 is the base."""
    fields = []
    for i, first in enumerate(parts[0][1]):
        delta = first.new_empty(k)
        for arms, scores in parts:
            delta.index_copy_(0, arms, scores[i][1:] - scores[i][0])
        fields += [delta, first[0]]
    return Pulled(*fields)


def _by_layer(layers: torch.Tensor, n_layers: int) -> list[tuple[int, torch.Tensor]]:
    """(position, indices of its arms in the round) of each layer with arms, in
    layer order: one stable sort and one count, where a comparison and a
    nonzero per layer take more ops for the same groups."""
    order = torch.argsort(layers, stable=True)
    counts = torch.bincount(layers, minlength=n_layers).tolist()
    return [(j, arms) for j, arms in enumerate(order.split(counts)) if counts[j]]


def _pulled(scores: Scores) -> Pulled:
    """Copy 0 is unmasked; copies 1.. are the arms."""
    fields = []
    for means in scores:  # the loss, then the metric
        base = means[0]
        fields += [means[1:] - base, base]
    return Pulled(*fields)


class PullEngine:
    """Pulls arms of ``widths``' layers of ``model`` and counts what it spends.

    ``pulls`` counts arm evaluations; ``flops`` counts the matmul/conv FLOPs
    of every operation issued (prefix once per batch; per copy, the unit's
    term on the incremental path and the layers above the fan-out point),
    measured with torch's FlopCounterMode once per round shape and reused.
    ``path(layer)``: "cached", "incremental", "block" (batched from an enclosing block's
    input: mabbench.pruning.fan_in), "batched" or "single" (one forward per copy);
    ``channels_last``: the cached layers whose rounds run channels-last.

    ``source``: the split ``pull_rows`` indexes (the prune split); with it, the
    activations of incremental layers are kept for its rows while they fit in
    ``cache_bytes``. Without ``probe`` nothing is verified, so only the
    batched path is used.
    """

    def __init__(self, model: nn.Module, widths: dict[str, int], loss: PerExampleLoss,
                 probe: Split | None = None, metric: PerExampleLoss | None = None,
                 incremental: bool = True, source: Split | None = None,
                 cache_bytes: int = DEFAULT_CACHE_BYTES,
                 output_budget: int = OUTPUT_ELEMENTS) -> None:
        self.model, self.widths = model, dict(widths)
        # a round's rows run in pieces whose outputs stay within output_budget
        # floats (mabbench.pruning.row_pieces); elements per row known after the probe
        self.output_budget, self.output_elements = output_budget, 0
        # per-copy means of a round's outputs (mabbench.tasks.objectives.per_copy)
        self.loss = per_copy(loss)
        self.metric = per_copy(metric) if metric is not None else None
        # (module, unit dim) of each mask point: one for a layer's units, several
        # for a coupled group (a residual stream is masked wherever it is written)
        self.points = {layer: [(model.get_submodule(p.module), p.dim)
                               for p in arm_points(model, layer)] for layer in widths}
        device = next(model.parameters()).device
        self.retired = {layer: torch.zeros(w, dtype=torch.bool, device=device)
                        for layer, w in widths.items()}
        self.keep = {layer: torch.ones(w, device=device) for layer, w in widths.items()}
        # layers with retired units, kept beside ``retired`` so a round asks a
        # set, not a tensor (``any()`` is an op and a sync per layer per round)
        self._retiring: set[str] = set()
        self._templates: dict[tuple[str, int], torch.Tensor] = {}  # (layer, copies) -> masks
        declared = getattr(model, "batched_pulls", True)
        self.batched = {layer: bool(declared) for layer in widths}
        # layers whose batched rounds replicate an enclosing block's input
        # (mabbench.pruning.fan_in), chosen at start-up
        self.fan_in: dict[str, nn.Module] = {}
        self.pulls, self.flops = 0, 0.0
        self._round_flops: dict[tuple, float] = {}
        self.position: dict[str, int] | None = None  # mask points in execution order
        self.incremental: dict[str, NextLinear] = {}  # layers verified exact at start-up
        self._allow_incremental = incremental  # False: batched only (benchmarks compare)
        # elements per row where a layer's round fans out (sizes what a round holds)
        self.row_elements: dict[str, int] = {}
        self.source = source
        self.suffixes: dict[str, nn.Module] = {}  # cached layers: what runs above N
        self._masked_at_next: dict[str, list[str]] = {}  # cached layer -> layers masked at N
        self.cache: ActivationCache | None = None
        self._fan_out_buffer: torch.Tensor | None = None  # see _copies_buffer
        self._fan_out_key: tuple | None = None  # its shape, dtype, device, layout
        # cached conv layers whose rounds run channels-last (_exact_cut)
        self.channels_last: set[str] = set()
        if probe is not None:
            self._verify(probe)
            if source is not None and self._allow_incremental:
                self._plan_cache(probe, cache_bytes)

    # -- state -----------------------------------------------------------------
    def retire(self, layer: str, units: torch.Tensor) -> None:
        """Zero ``units`` of ``layer`` in every later pull (iterative pruning)."""
        self.retired[layer][units] = True
        self.keep[layer] = (~self.retired[layer]).to(torch.float32)
        if bool(self.retired[layer].any()):
            self._retiring.add(layer)
        self._templates = {key: t for key, t in self._templates.items() if key[0] != layer}
        if self.cache is not None:
            self.cache.clear()  # activations above the retired units change

    # -- pulls -----------------------------------------------------------------
    @torch.no_grad()
    def pull(self, layers: Union[str, torch.Tensor], units: torch.Tensor,
             batch: Split) -> Pulled:
        """Loss change of masking arm i = (layer of i, units[i]), i < k, on ``batch``.

        ``layers`` is one layer name (every arm in it) or a (k,) long tensor of
        positions in ``widths`` (one per arm, scope=global). See ``Pulled``.
        """
        k = int(units.shape[0])
        self.pulls += k
        limit = self._rows_per_piece(k)
        if len(batch) <= limit:
            return _pulled(self._per_copy(layers, units, batch))
        return in_pieces(torch.arange(len(batch), device=batch.targets.device), limit,
                         lambda piece: _pulled(self._per_copy(layers, units, batch.subset(piece))))

    @torch.no_grad()
    def pull_rows(self, layers: Union[str, torch.Tensor], units: torch.Tensor,
                  rows: torch.Tensor) -> Pulled:
        """``pull`` on rows ``rows`` of ``source``: arms of cached layers from the
        kept activations (one part per layer), the others in one batched round."""
        if self.source is None:
            raise ValueError("pull_rows needs an engine built with a source split")
        k = int(units.shape[0])
        self.pulls += k
        return in_pieces(rows.to(self.source.targets.device), self._rows_per_piece(k),
                         lambda piece: self._pull_rows(layers, units, piece))

    def _rows_per_piece(self, k: int) -> int:
        return rows_per_piece(k + 1, self.output_elements, self.output_budget)

    def _pull_rows(self, layers: Union[str, torch.Tensor], units: torch.Tensor,
                   rows: torch.Tensor) -> Pulled:
        k = int(units.shape[0])
        targets = self.source.targets.index_select(0, rows)
        if isinstance(layers, str):  # one layer (scope=layer, the oracle): one part
            if layers in self.suffixes:
                return _pulled(self._cached_round(layers, units, rows, targets))
            return _pulled(self._per_copy(layers, units, self.source.subset(rows)))
        names = list(self.widths)
        parts: list[tuple[torch.Tensor, Scores]] = []  # (arm indices, their scores)
        rest = []
        for j, arms in _by_layer(layers, len(names)):
            if names[j] in self.suffixes:
                parts.append((arms, self._cached_round(names[j], units.index_select(0, arms),
                                                       rows, targets)))
            else:
                rest.append(arms)
        if rest:
            arms = torch.cat(rest)
            rest_layers = self._single_layer(layers[arms])
            parts.append((arms, self._per_copy(rest_layers if rest_layers is not None
                                               else layers[arms], units[arms],
                                               self.source.subset(rows))))
        return _assembled(parts, k)

    def path(self, layer: str) -> str:
        if layer in self.suffixes:
            return "cached"
        if layer in self.incremental:
            return "incremental"
        if layer in self.fan_in:
            return "block"  # batched from the enclosing block's input
        return "batched" if self.batched[layer] else "single"

    def _per_copy(self, layers: Union[str, torch.Tensor], units: torch.Tensor,
                  batch: Split) -> Scores:
        """Scores of the unmasked copy and each arm's (k + 1 copies)."""
        k = int(units.shape[0])
        layer = self._single_layer(layers)
        if layer in self.incremental:
            key = ("incremental", layer, k, len(batch))
            return self._counted(key, lambda: self._incremental(layer, units, batch))
        varying = self._masks(layers, units)
        if len(varying) > 1 and any(name in self.fan_in for name in varying):
            return self._by_parts(layers, units, batch)  # each replicates its own block
        batched = all(self.batched[name] for name in varying)
        # A round's FLOPs depend only on where the fan-out starts: the first
        # varying mask point in execution order (when known from the probe).
        where = (tuple(sorted(varying)) if self.position is None
                 else min(self.position[name] for name in varying))
        key = (where, k, len(batch), batched)
        return self._counted(key, lambda: self._forward(varying, batch, batched))

    def _by_parts(self, layers: torch.Tensor, units: torch.Tensor, batch: Split) -> Scores:
        """A round over several layers as one round per layer, same rows: copy 0
        of the first part is the base."""
        names = list(self.widths)
        parts = [(arms, self._per_copy(names[j], units.index_select(0, arms), batch))
                 for j, arms in _by_layer(layers, len(names))]
        fields = []
        for i, first in enumerate(parts[0][1]):
            scores = first.new_empty(int(units.shape[0]) + 1)
            scores[0] = first[0]
            for arms, part in parts:
                scores.index_copy_(0, arms + 1, part[i][1:])
            fields.append(scores)
        return tuple(fields)

    def _cached_round(self, layer: str, units: torch.Tensor, rows: torch.Tensor,
                      targets: torch.Tensor) -> Scores:
        if not self.cache.entries:
            self._build_cache()
        inputs, output = self.cache.rows(layer, rows)
        key = ("cached", layer, int(units.shape[0]), int(rows.shape[0]))
        return self._counted(key, lambda: self._score(
            self._above(layer, units, inputs, output), targets, int(units.shape[0]) + 1))

    def _above(self, layer: str, units: torch.Tensor, inputs: torch.Tensor,
               output: torch.Tensor) -> torch.Tensor:
        """Model outputs of every copy from N's input and output on B rows: fan
        out, zero retired units whose mask point is N, run what lies above N.
        When nothing lies above N they are the fan-out buffer itself, which the
        next round overwrites: score them before."""
        plan = self.incremental[layer]
        buffer = self._copies_buffer((int(units.shape[0]) + 1, *output.shape), output,
                                     layer in self.channels_last)
        copies = fan_out(plan, inputs, output, units, out=buffer)
        for name, dim in self._masked_at_next[layer]:
            if name in self._retiring:
                copies = _scale_hook(self.keep[name], dim)(plan.module, (), copies)
        handles = self._hooks({}, int(output.shape[0]), None)  # retired units above N
        try:
            return self.suffixes[layer](copies)
        finally:
            for handle in handles:
                handle.remove()

    def _copies_buffer(self, shape: tuple[int, ...], like: torch.Tensor,
                       channels_last: bool = False) -> torch.Tensor:
        """The buffer a cached round fans out into, kept for the next round of the
        same shape. A block of megabytes allocated afresh each round can cost
        as much as the round's arithmetic (the allocator hands large freed
        blocks back to the system, so every round pays page faults again; the
        oracle's loop on LeNet conv2 and the 64-wide MLP ran 1.5-1.8x faster
        with it). One buffer per engine: the oracle's and one layer's rounds
        repeat a shape; a global round's parts alternate and reallocate as
        before (a buffer per layer measured no faster there).

        ``channels_last``: (copies, B, C, H, W) laid out as (copies, B, H, W, C),
        so the copies' (copies x B, C, H, W) view is channels-last."""
        key = (shape, like.dtype, like.device, channels_last)
        if self._fan_out_buffer is None or self._fan_out_key != key:
            self._fan_out_buffer = None  # freed before its successor is allocated
            if channels_last:
                stored = like.new_empty((*shape[:2], *shape[3:], shape[2]))
                self._fan_out_buffer = stored.movedim(-1, 2)
            else:
                self._fan_out_buffer = like.new_empty(shape)
            self._fan_out_key = key
        return self._fan_out_buffer

    def _build_cache(self) -> None:
        with FlopCounterMode(display=False) as counter:
            self.cache.build(self.model, lambda rows: self._hooks({}, rows, None))
        self.flops += float(counter.get_total_flops())

    def _single_layer(self, layers: Union[str, torch.Tensor]) -> str | None:
        """The one layer every arm of the round belongs to, else None."""
        if isinstance(layers, str):
            return layers
        first = int(layers[0])
        return list(self.widths)[first] if bool((layers == first).all()) else None

    def _counted(self, key: tuple, run) -> Scores:
        """``run()``, adding its FLOPs (counted once per round shape) to ``flops``."""
        if key in self._round_flops:
            result = run()
        else:
            with FlopCounterMode(display=False, custom_mapping=TERM_FLOPS) as counter:
                result = run()
            self._round_flops[key] = float(counter.get_total_flops())
        self.flops += self._round_flops[key]
        return result

    def _incremental(self, layer: str, units: torch.Tensor, batch: Split) -> Scores:
        """Scores of k + 1 copies, fanning out at the layer's next linear operation."""
        outputs = self._incremental_outputs(self.incremental[layer], units, batch)
        return self._score(outputs, batch.targets, int(units.shape[0]) + 1)

    def _incremental_outputs(self, plan: NextLinear, units: torch.Tensor,
                             batch: Split) -> torch.Tensor:
        # The fan-out first: when N is itself a mask point, its retired units
        # are zeroed after, in every copy.
        handles = [plan.module.register_forward_hook(fan_out_hook(plan, units, len(batch)))]
        handles += self._hooks({}, len(batch), None)  # retired units of every layer
        try:
            return self.model(*batch.inputs)
        finally:
            for handle in handles:
                handle.remove()

    @torch.no_grad()
    def losses(self, layer: str, masks: torch.Tensor, batch: Split) -> torch.Tensor:
        """Mean loss on ``batch`` of each copy c with ``masks[c]`` applied at
        ``layer``'s mask point (and retired units zeroed), shape (copies,).

        ``masks`` is (copies, width), 1 = keep, 0 = remove: any coalition per
        copy (Shapley's permutation prefixes), in one batched forward. FLOPs
        are counted; pulls are not (the caller knows what a copy is worth).
        """
        varying = {layer: masks.to(self.keep[layer].dtype) * self.keep[layer]}
        batched = self.batched[layer]
        where = (layer,) if self.position is None else self.position[layer]
        key = (where, int(masks.shape[0]) - 1, len(batch), batched)  # k + 1 copies, as pull
        return self._counted(key, lambda: self._forward(varying, batch, batched))[0]

    def _masks(self, layers: Union[str, torch.Tensor], units: torch.Tensor
               ) -> dict[str, torch.Tensor]:
        """{layer with arms this round: (k + 1, width) mask}, retired units zeroed."""
        copies = int(units.shape[0]) + 1
        if isinstance(layers, str):
            chosen = {layers: torch.arange(1, copies, device=units.device)}
        else:  # rows (copy indices) of each layer's arms
            names = list(self.widths)
            chosen = {names[j]: arms + 1 for j, arms in _by_layer(layers, len(names))}
        varying = {}
        for layer, rows in chosen.items():
            template = self._templates.get((layer, copies))
            if template is None:
                template = self._templates[(layer, copies)] = (
                    self.keep[layer].expand(copies, -1).contiguous())
            masks = template.clone()
            masks[rows, units[rows - 1]] = 0.0
            varying[layer] = masks
        return varying

    def _hooks(self, varying: dict[str, torch.Tensor], batch_rows: int, copy: int | None):
        """Register the round's hooks; ``copy`` set = one-copy-per-forward mode."""
        handles = []
        for layer, block in self.fan_in.items():
            if layer in varying and copy is None:
                copies = int(varying[layer].shape[0])
                handles.append(block.register_forward_pre_hook(replicate_hook(copies, batch_rows)))
        for layer, points in self.points.items():
            for module, dim in points:
                if layer in varying:  # a later point of a group sees (k + 1) B rows
                    hook = (_fan_out_hook(varying[layer], dim, batch_rows) if copy is None
                            else _scale_hook(varying[layer][copy], dim))
                elif layer in self._retiring:
                    hook = _scale_hook(self.keep[layer], dim)
                else:
                    continue
                handles.append(module.register_forward_hook(hook))
        return handles

    def _forward(self, varying: dict[str, torch.Tensor], batch: Split,
                 batched: bool) -> Scores:
        """Scores of the k + 1 copies ``varying`` masks."""
        copies = next(iter(varying.values())).shape[0]
        if batched:
            return self._run(varying, batch, None, copies)
        singles = [self._run(varying, batch, c, 1) for c in range(copies)]
        return tuple(torch.cat(field) for field in zip(*singles))

    def _run(self, varying, batch: Split, copy: int | None, copies: int) -> Scores:
        return self._score(self._outputs(varying, batch, copy), batch.targets, copies)

    def _outputs(self, varying, batch: Split, copy: int | None) -> torch.Tensor:
        handles = self._hooks(varying, len(batch), copy)
        try:
            return self.model(*batch.inputs)
        finally:
            for handle in handles:
                handle.remove()

    def _score(self, outputs: torch.Tensor, targets: torch.Tensor, copies: int) -> Scores:
        """Mean loss (and metric) of each copy's B rows."""
        loss = self.loss(outputs, targets, copies)
        if self.metric is None:
            return (loss,)
        return loss, self.metric(outputs, targets, copies).to(loss.dtype)

    # -- start-up check ----------------------------------------------------------
    def _execution_order(self, small: Split) -> dict[str, int] | None:
        """Position of each layer's first mask point in one forward (where its
        rounds fan out); None if a point runs more than once or not at all
        (then rounds are keyed by layer set)."""
        seen: list[tuple[str, int]] = []
        handles = [module.register_forward_hook(
                       lambda *_, key=(layer, i): seen.append(key))
                   for layer, points in self.points.items()
                   for i, (module, _) in enumerate(points)]
        try:
            self.model(*small.inputs)
        finally:
            for handle in handles:
                handle.remove()
        expected = [(layer, i) for layer, points in self.points.items()
                    for i in range(len(points))]
        if sorted(seen) != sorted(expected):
            return None
        order: dict[str, int] = {}
        for layer, _ in seen:
            order.setdefault(layer, len(order))
        return order

    @torch.no_grad()
    def _verify(self, probe: Split, rows: int = 4) -> None:
        """On a few probe rows: fall back to one forward per copy for a layer
        whose batched pulls differ from it (or fail); take the incremental path
        for a layer whose incremental outputs equal masked forwards."""
        small = probe.subset(torch.arange(min(rows, len(probe)), device=probe.targets.device))
        self.output_elements = self.model(*small.inputs).numel() // len(small)
        self.position = self._execution_order(small)
        for layer, width in self.widths.items():
            if self.batched[layer]:
                self._check_batched(layer, width, small)
            # a group masked at several points changes more than one operation's input
            plan = (next_linear(self.model, self.points[layer][0][0], width, small.inputs)
                    if self._allow_incremental and len(self.points[layer]) == 1 else None)
            if plan is not None and self._incremental_agrees(layer, plan, small):
                self.incremental[layer] = plan
            self.row_elements[layer] = self._row_elements(
                plan.module if layer in self.incremental else self.points[layer][0][0], small)
            log.debug("layer %s: %s pulls", layer, self.path(layer))

    @torch.no_grad()
    def _plan_cache(self, probe: Split, budget: int, rows: int = 4) -> None:
        """Cache the incremental layers whose cut model equals masked forwards on
        probe rows, in layer order while N's input and output over every source
        row fit in ``budget`` bytes."""
        small = probe.subset(torch.arange(min(rows, len(probe)), device=probe.targets.device))
        traced = trace(self.model)
        points = {p.module for layer in self.widths for p in arm_points(self.model, layer)}
        if traced is None or any(leaf_calls(traced).count(p) != 1 for p in points):
            return  # a mask point fx traces through would miss its hook above N
        cuts = {layer: suffix_after(traced, plan.name) for layer, plan in self.incremental.items()}
        cuts = {layer: cut if cut is None else round_form(cut, keep=points)
                for layer, cut in cuts.items()}
        candidates = {layer: self.incremental[layer].module
                      for layer, cut in cuts.items() if cut is not None}
        # per layer, the layers whose mask point is its N: masked after the fan-out
        self._masked_at_next = {
            layer: [(name, dim) for name, points in self.points.items()
                    for point, dim in points if point is module]
            for layer, module in candidates.items()}
        probed = ActivationCache(small, candidates)
        probed.build(self.model, lambda n: [])  # N's input and output on the probe rows
        modules = {}
        for layer, module in candidates.items():
            inputs, output = probed.entries[layer]
            per_row = (inputs[0].numel() + output[0].numel()) * output.element_size()
            if per_row * len(self.source) > budget:
                continue
            self.suffixes[layer] = cuts[layer]
            if self._exact_cut(layer, inputs, output, small):
                budget -= per_row * len(self.source)
                modules[layer] = module
            else:
                del self.suffixes[layer]
        if modules:
            self.cache = ActivationCache(self.source, modules)

    def _exact_cut(self, layer: str, inputs: torch.Tensor, output: torch.Tensor,
                   small: Split) -> bool:
        """Whether the cut model above ``layer``'s N equals masked forwards; for a
        2-d conv N, channels-last first. Convolutions and pooling over (copies x B)
        rows run 1.3-2x faster channels-last here (oneDNN keeps its blocked
        layout instead of reordering every activation; VGG suffixes above
        conv2-conv6, 544 rows), for outputs equal to 1e-8; a model whose code
        needs contiguous NCHW (``view`` after the convs) fails that check and
        runs NCHW."""
        if output.dim() == 4:
            self.channels_last.add(layer)
            if self._cut_agrees(layer, inputs, output, small):
                return True
            self.channels_last.discard(layer)
        return self._cut_agrees(layer, inputs, output, small)

    def _cut_agrees(self, layer: str, inputs: torch.Tensor, output: torch.Tensor,
                    small: Split) -> bool:
        units = _spread_units(self.widths[layer], small.targets.device)
        reference = self._incremental_outputs(self.incremental[layer], units, small)
        try:
            fast = self._above(layer, units, inputs, output)
        except Exception as error:  # a cut that does not run on copies: not exact
            log.debug("cut model above %s failed: %s", layer, error)
            return False
        return _same_outputs(fast, reference)

    def _check_batched(self, layer: str, width: int, small: Split) -> None:
        units = torch.arange(min(2, width), device=small.targets.device)
        varying = self._masks(layer, units)
        reference = self._forward(varying, small, batched=False)
        # replicate at the mask point, else at the input of a block around it
        for block in [None, *ancestors(arm_points(self.model, layer)[0].module)]:
            if block is not None:
                self.fan_in[layer] = self.model.get_submodule(block)
            try:
                fast = self._forward(varying, small, batched=True)
                if all(f.shape == r.shape and torch.allclose(f, r, rtol=1e-4, atol=1e-5)
                       for f, r in zip(fast, reference)):
                    return
            except Exception as error:  # any failure of the batched layout means: fall back
                log.debug("batched pull of %s (fan-in %r) failed: %s", layer, block, error)
            self.fan_in.pop(layer, None)
        self.batched[layer] = False
        log.warning("layer %s: batched pulls disagree with single pulls; "
                    "using one forward per arm (slower, exact)", layer)

    def _incremental_agrees(self, layer: str, plan: NextLinear, small: Split) -> bool:
        """Outputs of the incremental path equal masked forwards' for units spread
        over the layer (``_spread_units``)."""
        units = _spread_units(self.widths[layer], small.targets.device)
        varying = self._masks(layer, units)
        copies = range(int(units.shape[0]) + 1)
        reference = (self._outputs(varying, small, None) if self.batched[layer] else
                     torch.cat([self._outputs(varying, small, copy) for copy in copies]))
        try:
            fast = self._incremental_outputs(plan, units, small)
        except Exception as error:  # a layout the slice reading did not foresee: not exact
            log.debug("incremental pull of %s failed: %s", layer, error)
            return False
        return _same_outputs(fast, reference)

    def _row_elements(self, module: nn.Module, small: Split) -> int:
        sizes: list[int] = []
        handle = module.register_forward_hook(
            lambda _m, _a, output: sizes.append(output[0].numel()))
        try:
            self.model(*small.inputs)
        finally:
            handle.remove()
        return sizes[0] if sizes else 1


def _spread_units(width: int, device, sample: int = 8) -> torch.Tensor:
    """Up to ``sample`` units spread over a layer, first and last included (a wrong
    reading of the unit slices shows at either end)."""
    units = torch.linspace(0, width - 1, min(sample, width)).round().long().unique()
    return units.to(device)


def _same_outputs(fast: torch.Tensor, reference: torch.Tensor) -> bool:
    """A fast path's model outputs equal the reference's, to float tolerance at their scale."""
    scale = float(reference.abs().max()) if reference.numel() else 1.0
    return fast.shape == reference.shape and torch.allclose(
        fast, reference, rtol=1e-4, atol=1e-5 * max(1.0, scale))
