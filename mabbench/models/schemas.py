"""Typed schemas of the model zoo (``/schema/model@_here_: <name>`` in
conf/model/*.yaml), apart from the torch modules they build: composing and
checking a config (``--help``, a preflight check, a finished trial's hash)
needs only these, and must not import torch.

``TASKS`` (not a config key) names the task families whose inputs a model
takes; validate.py refuses another pairing in one line before anything is built.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from mabbench.config.schemas import ModelConfig, store_schema


@dataclass
class MLPConfig(ModelConfig):
    # image only for flat signals (MNIST-1D): a 2-D image set has no
    # info["in_features"] and fails when built
    TASKS: ClassVar[tuple[str, ...]] = ("tabular", "regression", "image")
    _target_: str = "mabbench.models.mlp.MLP"
    name: str = "mlp"
    hidden: list[int] = field(default_factory=lambda: [32])
    activation: str = "relu"
    dropout: float = 0.0  # after each hidden activation, training only


@dataclass
class LeNetConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("image",)
    _target_: str = "mabbench.models.lenet.LeNet"
    name: str = "lenet"
    conv1: int = 20
    conv2: int = 50
    fc: int = 500
    padding: Optional[int] = None


@dataclass
class VGGConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("image",)
    _target_: str = "mabbench.models.vgg.VGG"
    name: str = "vgg"
    stages: list[list[int]] = field(default_factory=lambda: [[32, 32], [64, 64], [128, 128]])
    fc: list[int] = field(default_factory=lambda: [256])


@dataclass
class ResNetConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("image",)
    _target_: str = "mabbench.models.resnet.ResNet"
    name: str = "resnet"
    depth: int = 20  # 6n + 2
    width: int = 1  # multiplies the stage widths 16, 32, 64


@dataclass
class ViTConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("image",)
    _target_: str = "mabbench.models.vit.ViT"
    name: str = "vit"
    patch: int = 4  # must divide the image side
    dim: int = 64
    depth: int = 4
    heads: int = 4  # must divide dim
    mlp: int = 128


@dataclass
class GPTConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("language",)
    _target_: str = "mabbench.models.gpt.GPT"
    name: str = "gpt"
    dim: int = 64
    depth: int = 2
    heads: int = 4  # must divide dim
    mlp: int = 256


@dataclass
class MemN2NConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("reasoning",)
    _target_: str = "mabbench.models.memnet.MemN2N"
    name: str = "memnet"
    embedding_dim: int = 32
    hops: int = 3
    hidden: int = 64


@dataclass
class CNN1dConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("image",)  # 1-D signals of the image family (MNIST-1D)
    _target_: str = "mabbench.models.cnn1d.CNN1d"
    name: str = "cnn1d"
    channels: int = 25
    fc: int = 100


@dataclass
class EmbeddingBagConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("text",)
    _target_: str = "mabbench.models.text.EmbeddingBagMLP"
    name: str = "embedding_bag"
    embed_dim: int = 64
    hidden: list[int] = field(default_factory=lambda: [64])


@dataclass
class TextCNNConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("text",)
    _target_: str = "mabbench.models.text.TextCNN"
    name: str = "text_cnn"
    embed_dim: int = 64
    channels: int = 64
    kernel_size: int = 5
    hidden: int = 64


@dataclass
class LSTMConfig(ModelConfig):
    TASKS: ClassVar[tuple[str, ...]] = ("text",)
    _target_: str = "mabbench.models.text.LSTMClassifier"
    name: str = "lstm"
    embed_dim: int = 64
    lstm: int = 64
    hidden: int = 64


store_schema("model", "mlp", MLPConfig)
store_schema("model", "lenet", LeNetConfig)
store_schema("model", "vgg", VGGConfig)
store_schema("model", "resnet", ResNetConfig)
store_schema("model", "vit", ViTConfig)
store_schema("model", "gpt", GPTConfig)
store_schema("model", "memnet", MemN2NConfig)
store_schema("model", "cnn1d", CNN1dConfig)
store_schema("model", "embedding_bag", EmbeddingBagConfig)
store_schema("model", "text_cnn", TextCNNConfig)
store_schema("model", "lstm", LSTMConfig)
