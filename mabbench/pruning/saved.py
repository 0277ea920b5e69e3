"""Saved pruned models (``pruning.save_models=true``): tensors and JSON, no pickles.

Each curve point is kept in the run folder as::

    models/sparsity=<level>/weights.safetensors   the smaller model's state dict,
                                                  plus the example rows it was traced on
    models/sparsity=<level>/plan.json             the removal plan: model config, shape
                                                  facts, {layer: [removed units]}

``load_pruned(folder)`` rebuilds the dense architecture from the plan, removes
the same units (mabbench.pruning.compaction) and loads the weights strictly:
the result is the smaller model, with no code read from the files. Only
builders under ``mabbench.models`` are accepted, so a plan from someone else
cannot name arbitrary code.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from hydra.utils import instantiate
from safetensors.torch import load_file, save_file
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.files.atomic import atomic_write_text
from mabbench.pruning.compaction import compact

MODELS_DIR = "models"
WEIGHTS = "weights.safetensors"
PLAN = "plan.json"
EXAMPLE_PREFIX = "__example_input__."
TRUSTED_BUILDERS = "mabbench.models."


def point_dir(run_folder: Path, sparsity: float) -> Path:
    return Path(run_folder) / MODELS_DIR / f"sparsity={sparsity:g}"


def save_pruned(folder: Path, model: nn.Module, removed: dict[str, list[int]],
                example_inputs: tuple, model_cfg: dict, n_outputs: int, info: dict,
                sparsity: float) -> Path:
    """Write ``model`` (already compacted) and how to rebuild it into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {name: value.detach().cpu().contiguous() for name, value in
               model.state_dict().items()}
    tensors |= {f"{EXAMPLE_PREFIX}{i}": x.detach().cpu().contiguous()
                for i, x in enumerate(example_inputs)}
    save_file(tensors, str(folder / WEIGHTS))
    plan = {"sparsity": sparsity, "model": model_cfg, "n_outputs": int(n_outputs),
            "info": info, "removed": {layer: [int(u) for u in units]
                                      for layer, units in removed.items()}}
    atomic_write_text(folder / PLAN, json.dumps(plan, indent=2, sort_keys=True) + "\n")
    return folder


def load_pruned(folder: Path, device: str | torch.device = "cpu") -> nn.Module:
    """The smaller model saved in ``folder`` (a ``models/sparsity=<level>`` folder),
    in eval mode on ``device``; its outputs equal the pruned model's at save time."""
    folder = Path(folder)
    try:
        plan = json.loads((folder / PLAN).read_text())
        tensors = load_file(str(folder / WEIGHTS))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{folder}: not a saved pruned model ({error})") from None
    target = str(plan["model"].get("_target_", ""))
    if not target.startswith(TRUSTED_BUILDERS):
        raise ConfigError(f"{folder / PLAN}: model._target_={target!r} is not a "
                          f"{TRUSTED_BUILDERS}* builder")
    torch.manual_seed(0)  # the dense skeleton's values are overwritten below
    dense = instantiate(plan["model"], n_outputs=plan["n_outputs"], info=plan["info"])
    examples = [tensors.pop(name) for name in sorted(
        (n for n in tensors if n.startswith(EXAMPLE_PREFIX)),
        key=lambda n: int(n[len(EXAMPLE_PREFIX):]))]
    small = compact(dense.eval(), plan["removed"], tuple(examples))
    small.load_state_dict(tensors, strict=True)
    return small.to(device).eval()
