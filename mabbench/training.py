"""Dense training, cached by the dense hash so every method prunes the same model."""
from __future__ import annotations

import io
import json
import time

import torch
from omegaconf import DictConfig
from torch import nn

from mabbench import memo, progress, store
from mabbench.models import build_model
from mabbench.objectives import LOSSES
from mabbench.tasks.base import Split, Splits
from mabbench.timing import phase

OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


def train(model: nn.Module, data: Split, train_cfg, loss_name: str, seed: int) -> nn.Module:
    """Mini-batch training; the shuffling order is fixed by ``seed``."""
    loss_fn = LOSSES.get(loss_name)
    optimizer = OPTIMIZERS[train_cfg.optimizer](
        model.parameters(), lr=train_cfg.lr, weight_decay=train_cfg.weight_decay
    )
    generator = torch.Generator().manual_seed(seed)
    model.train()
    epochs = progress.bar(train_cfg.epochs, desc="training", unit="epoch")
    for _ in range(train_cfg.epochs):
        order = torch.randperm(len(data), generator=generator).to(data.targets.device)
        for start in range(0, len(data), train_cfg.batch_size):
            batch = data.subset(order[start:start + train_cfg.batch_size])
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(*batch.inputs), batch.targets).mean()
            loss.backward()
            optimizer.step()
        if not epochs.disable:  # .item() syncs a GPU: only when someone is watching
            epochs.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
        epochs.update()
    epochs.close()
    return model.eval()


def _copy_of(model: nn.Module) -> dict[str, torch.Tensor]:
    """A state dict that later in-place edits of ``model`` cannot reach."""
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def dense_model(cfg: DictConfig, splits: Splits, device: torch.device) -> tuple[nn.Module, dict]:
    """Load the cached dense model, or train and cache it. Returns (model, meta)."""
    folder = store.dense_dir(cfg)
    weights, meta_path = folder / "model.pt", folder / "meta.json"
    torch.manual_seed(cfg.seed)  # the same initial weights for every policy
    model = build_model(cfg.model, splits).to(device)
    key = (str(folder), str(device))  # the folder names the dense hash and seed
    held = memo.DENSE.get(key)  # already loaded or trained by an earlier trial in this process
    if held is not None:
        model.load_state_dict(held[0])
        return model.eval(), dict(held[1])
    if weights.exists() and meta_path.exists():
        model.load_state_dict(torch.load(weights, map_location=device, weights_only=True))
        meta = json.loads(meta_path.read_text())
        memo.DENSE.put(key, (_copy_of(model), meta))
        return model.eval(), meta
    start = time.perf_counter()
    with phase("dense_training"):
        train(model, splits.train.to(device), cfg.task.train, cfg.task.loss, cfg.seed)
    meta = {"dense_hash": store.dense_hash(cfg), "train_seconds": time.perf_counter() - start}
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = weights.with_suffix(".pt.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(weights)
    store.atomic_write_json(meta_path, meta)
    memo.DENSE.put(key, (_copy_of(model), meta))
    return model, meta
