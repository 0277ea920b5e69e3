"""Training-time augmentation of an image mini-batch (``task.train.augmentation``).

Applied by dense training to each train batch, on the batch's device, with
the random numbers drawn from the training generator (so a seed fixes them).
Never applied to prune, select or test rows: every method is scored on the
images as published.

- ``none``: the batch as is (the default: no existing result changes).
- ``crop_flip``: the CIFAR recipe of He et al. 2016 (section 4.2) that
  ResNet-56 tables are trained with: pad 4 pixels on each side, take a random
  crop of the original size, flip left-right with probability 1/2.
- ``crop``: the crop alone, for digits, where a mirrored 2 or 7 is no longer one.

The batch is already standardised by the train statistics, so the padding is
zero *there*, i.e. the train mean colour, not black as torchvision pads before
``Normalize``; padding after standardisation is how GPU-side pipelines do it,
and the crops keep at least 24 of 32 pixels per side either way.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from mabbench.config.registry import Registry

PAD = 4  # pixels per side, as every CIFAR ResNet recipe since He et al. 2016

# (images (B, C, H, W), generator on the CPU) -> images of the same shape
Augmentation = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
AUGMENTATIONS: Registry[Augmentation] = Registry("task.train.augmentation")


def random_crop(images: torch.Tensor, generator: torch.Generator, pad: int = PAD) -> torch.Tensor:
    """Each image shifted by its own offset in [-pad, pad] per axis, zero filled."""
    n, _, height, width = images.shape
    padded = F.pad(images, (pad, pad, pad, pad))
    # offsets drawn on the CPU generator (reproducible on any device), then moved
    dy, dx = (torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(images.device)
              for _ in range(2))
    rows = (dy[:, None] + torch.arange(height, device=images.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(width, device=images.device))[:, None, None, :]
    batch = torch.arange(n, device=images.device)[:, None, None, None]
    channel = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
    return padded[batch, channel, rows, cols]


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image mirrored left-right with probability 1/2."""
    flip = (torch.rand(images.shape[0], generator=generator) < 0.5).to(images.device)
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


AUGMENTATIONS.register("none")(lambda images, generator: images)
AUGMENTATIONS.register("crop")(random_crop)
AUGMENTATIONS.register("crop_flip")(
    lambda images, generator: random_flip(random_crop(images, generator), generator))


def augmentation_for(name: str, inputs: tuple[torch.Tensor, ...]) -> Augmentation | None:
    """The augmentation named ``name`` (None for ``none``: nothing to call per
    batch); ConfigError (one line) for an unknown name or for inputs that are
    not one batch of images (B, C, H, W)."""
    from mabbench.config.errors import ConfigError, did_you_mean

    if name not in AUGMENTATIONS:
        raise ConfigError(f"task.train.augmentation={name!r}: expected one of "
                          f"{', '.join(AUGMENTATIONS.names())}{did_you_mean(name, AUGMENTATIONS.names())}")
    if name != "none" and (len(inputs) != 1 or inputs[0].dim() != 4):
        shapes = ", ".join(str(tuple(x.shape)) for x in inputs)
        raise ConfigError(f"task.train.augmentation={name}: needs one image input (N, C, H, W), "
                          f"got {shapes}; use none")
    return None if name == "none" else AUGMENTATIONS.get(name)
