"""Training recipes as config choices: SGD with momentum, learning-rate schedules
(mabbench/trial/recipe.py) and train-batch augmentation (mabbench/tasks/augment.py);
bad choices fail in one line naming the key; the defaults leave training as it was."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.config.schemas import TrainConfig
from mabbench.tasks.augment import augmentation_for, random_crop, random_flip
from mabbench.tasks.base import Split
from mabbench.trial.recipe import optimizer_and_schedule
from mabbench.trial.training import train


def recipe(**keys) -> SimpleNamespace:
    cfg = vars(TrainConfig()) | keys
    cfg["lr_schedule"] = SimpleNamespace(**{"name": "constant", "milestones": [], "gamma": 0.1,
                                            **keys.get("lr_schedule", {})})
    cfg["early_stopping"] = None
    return SimpleNamespace(**cfg)


def images(n: int = 6, side: int = 8) -> torch.Tensor:
    return torch.arange(n * 2 * side * side, dtype=torch.float32).view(n, 2, side, side) + 1


def test_crop_is_a_shift_of_the_padded_image_with_zero_fill():
    x = images()
    out = random_crop(x, torch.Generator().manual_seed(0), pad=2)
    padded = nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(len(x)):  # every output is one window of its own padded image
        windows = [(dy, dx) for dy in range(5) for dx in range(5)
                   if torch.equal(out[i], padded[i, :, dy:dy + 8, dx:dx + 8])]
        assert len(windows) == 1
    assert (out == 0).any()  # some image was shifted: zeros came in at an edge


def test_crop_flip_is_fixed_by_the_generator_and_keeps_the_shape():
    x = images(32)
    augment = augmentation_for("crop_flip", (x,))
    first = augment(x, torch.Generator().manual_seed(3))
    assert first.shape == x.shape
    assert torch.equal(first, augment(x, torch.Generator().manual_seed(3)))
    assert not torch.equal(first, augment(x, torch.Generator().manual_seed(4)))
    flipped = random_flip(x, torch.Generator().manual_seed(3))
    kinds = [torch.equal(a, b) for a, b in zip(flipped, x)]
    assert all(same or torch.equal(a, b.flip(-1)) for same, a, b in zip(kinds, flipped, x))
    assert 0 < sum(kinds) < len(x)  # some mirrored, some not


def test_none_is_nothing_and_bad_names_or_inputs_are_one_line():
    assert augmentation_for("none", (torch.zeros(2, 5),)) is None
    with pytest.raises(ConfigError, match=r"^task.train.augmentation='crop_fip': .*did you mean crop_flip"):
        augmentation_for("crop_fip", (images(),))
    with pytest.raises(ConfigError, match=r"^task.train.augmentation=crop: needs one image input"):
        augmentation_for("crop", (torch.zeros(2, 5),))


def test_sgd_takes_momentum_and_multistep_divides_the_lr_at_its_milestones():
    model = nn.Linear(3, 2)
    optimizer, scheduler = optimizer_and_schedule(model.parameters(), recipe(
        optimizer="sgd", lr=0.1, momentum=0.9, nesterov=True, epochs=4,
        lr_schedule={"name": "multistep", "milestones": [1, 3]}))
    assert optimizer.param_groups[0]["momentum"] == 0.9 and optimizer.param_groups[0]["nesterov"]
    rates = []
    for _ in range(4):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([0.1, 0.01, 0.01, 0.001])


def test_cosine_anneals_to_zero_at_the_last_epoch():
    optimizer, scheduler = optimizer_and_schedule(nn.Linear(3, 2).parameters(), recipe(
        optimizer="sgd", lr=0.2, epochs=4, lr_schedule={"name": "cosine"}))
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("keys, message", [
    ({"optimizer": "sgdd"}, r"^task.train.optimizer='sgdd': expected one of adam, sgd"),
    ({"momentum": 0.9}, r"^task.train.momentum=0.9: only optimizer=sgd takes momentum"),
    ({"optimizer": "sgd", "nesterov": True}, r"^task.train.nesterov=true: needs"),
    ({"lr_schedule": {"name": "step"}}, r"^task.train.lr_schedule.name='step': expected one of"),
    ({"lr_schedule": {"name": "multistep", "milestones": [150, 100]}},
     r"^task.train.lr_schedule.milestones=\[150, 100\]: multistep needs increasing"),
])
def test_bad_recipes_fail_in_one_line_naming_the_key(keys, message):
    with pytest.raises(ConfigError, match=message) as error:
        optimizer_and_schedule(nn.Linear(3, 2).parameters(), recipe(**keys))
    assert "\n" not in str(error.value)


def _fit(cfg) -> torch.Tensor:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Flatten(), nn.Linear(3 * 8 * 8, 2))
    data = Split((torch.randn(16, 2, 8, 8, generator=torch.Generator().manual_seed(1)),),
                 torch.arange(16) % 2)
    train(model, data, cfg, "cross_entropy", seed=5)
    return model[0].weight.detach().clone()


def test_training_with_augmentation_is_seeded_and_differs_from_without():
    plain = recipe(epochs=2, batch_size=8)
    augmented = recipe(epochs=2, batch_size=8, augmentation="crop_flip")
    assert torch.equal(_fit(augmented), _fit(augmented))
    assert not torch.equal(_fit(augmented), _fit(plain))
    # the defaults are Adam at a constant lr, as before the recipe keys existed
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    optimizer, scheduler = optimizer_and_schedule(model.parameters(), recipe())
    assert isinstance(optimizer, torch.optim.Adam) and scheduler is None
