"""Will a model, or a batch through it, fit in memory? Estimated before allocating.

The model is built on PyTorch's ``meta`` device (shapes only, no storage), so
an absurd width (``model.hidden=[100000000]``) is refused in milliseconds
instead of allocating for many seconds and dying. Training needs about four
copies of the parameters (weights, gradients, two Adam moments); a forward
pass keeps every layer's output. Both are compared with the memory available
on the device (MemAvailable on CPU, free memory on CUDA).
"""
from __future__ import annotations

import torch
from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.models import build_model
from mabbench.pruning.arms import prunable_widths
from mabbench.tasks.base import Splits

TRAINING_COPIES = 4  # weights, gradients, Adam's two moments
GIB = 1 << 30


def readable(n_bytes: float) -> str:
    return f"{n_bytes / GIB:.1f} GiB" if n_bytes >= GIB else f"{n_bytes / (1 << 20):.0f} MiB"


def _meminfo(key: str) -> int | None:
    """A /proc/meminfo entry in bytes, or None when it cannot be read."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def available_bytes(device: torch.device) -> int | None:
    """Free memory on ``device``, or None when it cannot be told."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    return _meminfo("MemAvailable")


def total_bytes(device: torch.device) -> int | None:
    """All of ``device``'s memory, or None when it cannot be told."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[1])
    return _meminfo("MemTotal")


def _shortfall(need: int, available: int, device: torch.device, remedy: str) -> str:
    """What to do about needing ``need`` bytes with ``available`` free. When the
    device holds enough in all, other processes (e.g. a sweep's other jobs) hold the
    rest, and the job may fit later as it is: say so rather than only "shrink it"."""
    total = total_bytes(device)
    where = f"the {readable(available)} available on {device.type}"
    if total is not None and need <= total:
        return (f"{where} of {readable(total)} (other processes hold the rest: re-run when "
                f"they finish, or {remedy})")
    return f"{where}; {remedy}"


def forward_bytes(model: torch.nn.Module, splits: Splits, rows: int) -> int | None:
    """Bytes of every layer's output for a batch of ``rows`` (meta device); None
    if the model cannot run on the meta device."""
    outputs = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out))
             for m in model.modules() if not list(m.children())]
    inputs = tuple(torch.empty((rows, *x.shape[1:]), dtype=x.dtype, device="meta")
                   for x in splits.train.inputs)
    try:
        with torch.no_grad():
            model(*inputs)
    except Exception:  # noqa: BLE001  (an op without a meta kernel: no estimate)
        return None
    finally:
        for hook in hooks:
            hook.remove()
    return sum(o.numel() * o.element_size() for o in outputs if isinstance(o, torch.Tensor))


def _size_keys(model_cfg: DictConfig) -> str:
    keys = {k: v for k, v in OmegaConf.to_container(model_cfg, resolve=True).items()
            if k not in ("_target_", "name")}
    return " ".join(f"model.{k}={v}".replace(" ", "") for k, v in keys.items())


def check_fits(cfg: DictConfig, splits: Splits, device: torch.device) -> None:
    """Raise ConfigError (one line) if training the model, or the largest batch
    a trial runs through it, would exceed the memory available on ``device``."""
    available = available_bytes(device)
    if available is None:
        return
    with torch.device("meta"):
        model = build_model(cfg.model, splits)
    params = sum(p.numel() for p in model.parameters())
    need = TRAINING_COPIES * sum(p.numel() * p.element_size() for p in model.parameters())
    if need > available:
        raise ConfigError(
            f"model={cfg.model.name} ({_size_keys(cfg.model)}): {params:,} parameters need "
            f"~{readable(need)} to train, more than "
            f"{_shortfall(need, available, device, 'choose smaller widths')}")
    # The rows a forward really holds: a batch never exceeds its split, and a
    # pull batches at most one copy per arm of the widest layer, plus the base.
    widest = max(prunable_widths(model, cfg.pruning.layers).values())
    pull = cfg.pruning.batch_size * (min(cfg.pruning.arms_per_round, widest) + 1)
    batches = {  # key: (its value, the rows a forward really holds)
        "task.train.batch_size": (cfg.task.train.batch_size,
                                  min(cfg.task.train.batch_size, len(splits.train))),
        "pruning.batch_size x (pruning.arms_per_round + 1)":
            (pull, min(cfg.pruning.batch_size, len(splits.prune))
             * (min(cfg.pruning.arms_per_round, widest) + 1)),
    }
    for key, (value, rows) in batches.items():
        activations = forward_bytes(model, splits, rows)
        if activations is not None and need + 2 * activations > available:
            raise ConfigError(
                f"{key}={value}: a batch of {rows} rows needs ~{readable(2 * activations)} "
                f"of activations (plus {readable(need)} for the model), more than "
                f"{_shortfall(need + 2 * activations, available, device, 'choose a smaller batch')}")
