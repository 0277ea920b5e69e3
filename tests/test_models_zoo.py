"""The image and bAbI models adapt to their data's shapes (masking == removal
and exact batched pulls for every model: tests/test_compaction_zoo.py)."""
from __future__ import annotations

import pytest
import torch

from mabbench.models.lenet import LeNet
from mabbench.models.memnet import MemN2N, position_encoding
from mabbench.models.vgg import VGG


@pytest.mark.parametrize("channels, side, flat", [(1, 8, 50 * 2 * 2),     # digits, padded
                                                  (1, 28, 50 * 4 * 4),    # MNIST, Caffe LeNet
                                                  (3, 32, 50 * 5 * 5)])   # CIFAR / SVHN
def test_lenet_adapts_to_the_image_shape(channels, side, flat):
    model = LeNet(10, {"in_channels": channels, "image_size": side})
    assert model.fc1.in_features == flat and model.fc1.out_features == 500
    assert model(torch.zeros(2, channels, side, side)).shape == (2, 10)
    assert model.prunable == ("conv1", "conv2", "fc1")


@pytest.mark.parametrize("channels, side", [(3, 32), (1, 8)])
def test_vgg_masks_every_conv_after_its_batchnorm(channels, side):
    model = VGG(100, {"in_channels": channels, "image_size": side}, [[8, 8], [16], [16]], [32])
    assert model(torch.zeros(2, channels, side, side)).shape == (2, 100)
    convs = [name for name in model.prunable if name.startswith("conv")]
    assert convs == ["conv1", "conv2", "conv3", "conv4"]
    assert all(isinstance(model.get_submodule(model.mask_after[c]), torch.nn.BatchNorm2d)
               for c in convs)


def test_memory_network_ignores_padding_and_empty_slots():
    info = {"vocab_size": 12, "memory_size": 4, "sentence_length": 3}
    torch.manual_seed(0)
    model = MemN2N(5, info, embedding_dim=8, hops=2, hidden=16).eval()
    story = torch.tensor([[[2, 3, 0], [4, 0, 0], [0, 0, 0], [0, 0, 0]]])
    query = torch.tensor([[5, 6, 0]])
    before = model(story, query)
    assert before.shape == (1, 5)
    with torch.no_grad():  # what an empty slot would carry (its temporal vector) is never read
        for temporal in model.temporal:
            temporal.weight[2:] += 5.0
        torch.testing.assert_close(model(story, query), before)
        model.temporal[0].weight[1] += 5.0  # a filled slot is read
        assert not torch.allclose(model(story, query), before)
    # the paper's position encoding weights: (1 - j/J) - (k/d)(1 - 2j/J)
    encoding = position_encoding(3, 8)
    assert encoding.shape == (3, 8)
    assert encoding[0, 0].item() == pytest.approx((1 - 1 / 3) - (1 / 8) * (1 - 2 / 3))
