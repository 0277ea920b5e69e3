"""Typed schemas of the dataset options (``/schema/dataset@_here_: <name>`` in
conf/dataset/*.yaml), apart from the loaders: composing a config (``--help``, a
preflight check, a finished trial's hash) needs only these, and must not pay
for pandas, scikit-learn or torch, which the loaders import.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from omegaconf import MISSING

from mabbench.config.schemas import DatasetConfig, store_schema

# The official bAbI archive (tasks.babi reads it; BabiOfficialConfig.url ends with it).
BABI_ARCHIVE = "tasks_1-20_v1-2.tar.gz"


@dataclass
class PackagedDatasetConfig(DatasetConfig):
    """A packaged set's card with the sizes a test checks: ``rows`` after cleaning,
    ``features`` after one-hot encoding, ``classes`` (1 for regression)."""

    rows: int = 0
    features: int = 0
    classes: int = 0
    cleaned: str = ""


@dataclass
class ImageDatasetConfig(DatasetConfig):
    """``limit``: keep at most this many train+prune+select images (stratified, by the
    seed) so a large set fits a CPU run; None keeps them all."""

    limit: Optional[int] = None


@dataclass
class ImageFolderConfig(ImageDatasetConfig):
    path: str = MISSING
    image_size: int = 32
    grayscale: bool = False


@dataclass
class TableFileConfig(DatasetConfig):
    """A table on disk; ``family`` follows the task (``${task.name}``)."""

    path: str = MISSING
    target: str = MISSING
    drop: list[str] = field(default_factory=list)  # identifier columns to leave out


@dataclass
class TextDatasetConfig(DatasetConfig):
    """Vocabulary and length limits; all fitted on the train split only."""

    vocab_size: int = 10000  # most frequent train words kept (plus pad and unknown)
    min_freq: int = 2  # rarer train words map to the unknown id
    max_len: int = 200  # tokens kept per document (the rest is cut off)


@dataclass
class LanguageDatasetConfig(DatasetConfig):
    """A corpus for next-token prediction; vocabulary fitted on train only."""

    vocab_size: int = 2000  # most frequent train words kept (plus pad and unknown)
    min_freq: int = 2  # rarer train words map to the unknown id
    context: int = 32  # tokens per window (the model's input length)


@dataclass
class TextFileConfig(TextDatasetConfig):
    """A CSV with one text column and one label column; ``test_path`` (optional)
    is a held-out file in the same layout, else test is drawn by the seed."""

    path: str = MISSING
    text: str = "text"
    label: str = "label"
    test_path: Optional[str] = None


@dataclass
class OpenMLDatasetConfig(DatasetConfig):
    """An OpenML data set by name and version, or by ``data_id`` (which wins: ids are
    unambiguous, as suites such as OpenML-CC18 list them); ``target`` None = OpenML's
    default target."""

    openml_name: str = ""
    version: int = 1
    data_id: Optional[int] = None
    loader: str = "openml"  # so any name (``dataset.name=kr-vs-kp``) reaches this loader
    target: Optional[str] = None
    drop: list[str] = field(default_factory=list)  # identifier / leaking columns
    online: bool = True


@dataclass
class UCIFileDatasetConfig(DatasetConfig):
    """A UCI file parsed by its own reader; ``target`` picks the column to predict."""

    target: str = ""
    online: bool = True


@dataclass
class MNIST1DConfig(DatasetConfig):
    """``num_samples`` and ``generator_seed`` fix the data (the package's defaults,
    5,000 and 42, are the published set); the run's seed only draws prune and select."""

    num_samples: int = 5000
    generator_seed: int = 42


@dataclass
class BabiConfig(DatasetConfig):
    task: int = 1
    memory_size: int = 50  # statements a question can look back on (Sukhbaatar et al.: 50)


@dataclass
class BabiGeneratedConfig(BabiConfig):
    stories_train: int = 200
    stories_test: int = 200
    generator_seed: int = 0  # fixes the data itself; the run's seed only draws prune/select


@dataclass
class BabiOfficialConfig(BabiConfig):
    url: str = "https://www.thespermwhale.com/jaseweston/babi/" + BABI_ARCHIVE
    variant: str = "en"  # "en" (1k questions per task) or "en-10k"


store_schema("dataset", "packaged", PackagedDatasetConfig)
store_schema("dataset", "image", ImageDatasetConfig)
store_schema("dataset", "table_file", TableFileConfig)
store_schema("dataset", "text_file", TextFileConfig)
store_schema("dataset", "openml", OpenMLDatasetConfig)
store_schema("dataset", "uci_file", UCIFileDatasetConfig)
store_schema("dataset", "text", TextDatasetConfig)
store_schema("dataset", "language", LanguageDatasetConfig)
store_schema("dataset", "mnist1d", MNIST1DConfig)
store_schema("dataset", "image_folder", ImageFolderConfig)
store_schema("dataset", "babi_generated", BabiGeneratedConfig)
store_schema("dataset", "babi", BabiOfficialConfig)
