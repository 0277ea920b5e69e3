"""bAbI question answering (Weston et al. 2015) as padded tensors for a memory network.

Two sources, one parser (``babi_format.parse``):

- ``dataset=babi_generated`` (offline, the reasoning default): stories from the
  seeded generator, written once in the official layout under
  ``<data_dir>/babi_generated/<key>/en/qa<N>_<name>_{train,test}.txt``.
- ``dataset=babi`` (online): the official tasks_1-20_v1-2 archive, fetched
  through ``tasks/cache.fetch`` and read straight out of the tar.

Each question is one example. ``inputs = (story, query)``: story (N, M, L)
int64 holds the last M statements before the question, most recent first
(slot 0 = latest), 0-padded; query (N, L). Words and answers are indexed from
the train file only (0 = padding, 1 = a word unseen in train). prune and
select are ``split.prune`` / ``split.select`` fractions of the train file's
*stories* (a story's questions stay together), drawn by the seed; test is the
test file.
"""
from __future__ import annotations

import fnmatch
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mabbench.config.errors import ConfigError
from mabbench.tasks import DATASETS
from mabbench.tasks.babi_format import Example, examples, parse
from mabbench.tasks.babi_generator import GENERATOR_VERSION, TASK_NAMES, file_name, generate_text
from mabbench.tasks.base import Split, Splits, role_split
from mabbench.tasks.cache import RemoteFile, dataset_dir, fetch
from mabbench.tasks.schemas import BABI_ARCHIVE

PAD, UNKNOWN = 0, 1
ARCHIVE = BABI_ARCHIVE


# ---- files -> examples -----------------------------------------------------

def write_generated(folder: Path, task: int, stories_train: int, stories_test: int,
                    seed: int) -> Path:
    """Generate task ``task`` into ``folder/en/`` unless it is there; the folder
    appears complete or not at all. Returns ``folder/en``."""
    target = folder / "en"
    if all((target / file_name(task, part)).exists() for part in ("train", "test")):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".generate-", dir=folder) as tmp:
        for part, n in (("train", stories_train), ("test", stories_test)):
            (Path(tmp) / file_name(task, part)).write_text(generate_text(task, n, seed, part))
        for part in ("train", "test"):  # per file, so another task's files stay
            target.mkdir(exist_ok=True)
            (Path(tmp) / file_name(task, part)).replace(target / file_name(task, part))
    return target


def read_folder(folder: Path, task: int) -> tuple[list[Example], list[Example]]:
    """(train, test) examples of ``qa<task>_*_{train,test}.txt`` in ``folder``."""
    found = []
    for part in ("train", "test"):
        paths = sorted(folder.glob(f"qa{task}_*_{part}.txt"))
        if not paths:
            raise ValueError(f"{folder}: no qa{task}_*_{part}.txt")
        found.append(examples(parse(paths[0].read_text(), str(paths[0]))))
    return found[0], found[1]


def read_archive(archive: Path, task: int, variant: str) -> tuple[list[Example], list[Example]]:
    """(train, test) examples of task ``task`` read from the official tar (no extraction)."""
    with tarfile.open(archive, "r:*") as tar:
        names = tar.getnames()
        found = []
        for part in ("train", "test"):
            pattern = f"tasks_1-20_v1-2/{variant}/qa{task}_*_{part}.txt"
            matches = sorted(fnmatch.filter(names, pattern))
            if not matches:
                raise ValueError(f"{archive}: no {pattern}")
            text = tar.extractfile(matches[0]).read().decode("utf-8")
            found.append(examples(parse(text, f"{archive}:{matches[0]}")))
    return found[0], found[1]


# ---- examples -> tensors ---------------------------------------------------

@dataclass
class Vocabulary:
    words: dict[str, int]
    answers: list[str]
    memory_size: int
    sentence_length: int

    @classmethod
    def from_train(cls, train: list[Example], memory_size: int) -> "Vocabulary":
        seen = sorted({w for ex in train for sentence in (*ex.story, ex.query) for w in sentence})
        words = {w: i for i, w in enumerate(seen, start=2)}
        length = max(len(s) for ex in train for s in (*ex.story, ex.query))
        memory = min(memory_size, max(len(ex.story) for ex in train))
        return cls(words, sorted({ex.answer for ex in train}), memory, length)

    def encode(self, data: list[Example]) -> Split:
        """Stories (N, M, L), queries (N, L), answers (N,). An answer unseen in
        train gets the index len(answers): no model output can be right about it."""
        story = np.zeros((len(data), self.memory_size, self.sentence_length), dtype=np.int64)
        query = np.zeros((len(data), self.sentence_length), dtype=np.int64)
        index = {a: i for i, a in enumerate(self.answers)}
        answers = np.array([index.get(ex.answer, len(self.answers)) for ex in data])
        for n, ex in enumerate(data):
            for slot, sentence in enumerate(reversed(ex.story[-self.memory_size:])):
                story[n, slot, :len(sentence)] = self.ids(sentence)
            query[n, :min(len(ex.query), self.sentence_length)] = self.ids(ex.query)
        return Split((torch.from_numpy(story), torch.from_numpy(query)), torch.from_numpy(answers))

    def ids(self, sentence: list[str]) -> list[int]:
        return [self.words.get(w, UNKNOWN) for w in sentence[:self.sentence_length]]


def babi_splits(train: list[Example], test: list[Example], memory_size: int,
                split, seed: int) -> Splits:
    """prune / select = ``split.prune`` / ``split.select`` fractions of the train
    stories, drawn by ``seed``; the rest trains."""
    stories = np.unique([ex.story_index for ex in train])
    roles = role_split(len(stories), split, seed, published_test=True)[:3]
    role_of = {int(stories[i]): r for r, index in enumerate(roles) for i in index}
    fit, prune, select = ([ex for ex in train if role_of[ex.story_index] == r] for r in range(3))
    vocab = Vocabulary.from_train(fit, memory_size)
    # Unseen test answers get the extra index len(answers); count it as a class
    # only when it occurs, so the usual case has exactly the train answers.
    encoded = [vocab.encode(part) for part in (fit, prune, select, test)]
    n_outputs = max(len(vocab.answers), int(max(e.targets.max() for e in encoded)) + 1)
    return Splits(*encoded, n_outputs=n_outputs,
                  info={"vocab_size": len(vocab.words) + 2, "memory_size": vocab.memory_size,
                        "sentence_length": vocab.sentence_length, "answers": vocab.answers})


# ---- registered loaders ----------------------------------------------------

# One dataset name per generated task (babi_generated is task 1, the default),
# so each task is its own row in the results and the rank tables.
@DATASETS.register("babi_qa2")
@DATASETS.register("babi_qa3")
@DATASETS.register("babi_qa6")
@DATASETS.register("babi_generated")
def load_generated(cfg, split, seed: int, data_dir: Path) -> Splits:
    if cfg.task not in TASK_NAMES:
        raise ConfigError(f"dataset.task={cfg.task}: the generator writes tasks "
                          f"{', '.join(map(str, TASK_NAMES))}; dataset=babi reads all 20")
    named = cfg.name.removeprefix("babi_qa")
    if named.isdigit() and int(named) != cfg.task:
        raise ConfigError(f"dataset={cfg.name} is bAbI task {named}, not dataset.task={cfg.task}; "
                          f"use dataset=babi_qa{cfg.task} or dataset=babi_generated")
    key = (f"v{GENERATOR_VERSION}-seed{cfg.generator_seed}"
           f"-train{cfg.stories_train}-test{cfg.stories_test}")
    folder = write_generated(dataset_dir(data_dir, cfg.name) / key, cfg.task,
                             cfg.stories_train, cfg.stories_test, cfg.generator_seed)
    return babi_splits(*read_folder(folder, cfg.task), cfg.memory_size, split, seed)


load_generated.data_version = GENERATOR_VERSION  # enters the dense hash (store._determinants)


@DATASETS.register("babi")
def load_official(cfg, split, seed: int, data_dir: Path) -> Splits:
    if not 1 <= cfg.task <= 20:
        raise ConfigError(f"dataset.task={cfg.task}: bAbI has tasks 1..20")
    (archive,) = fetch(cfg, [RemoteFile(cfg.url, ARCHIVE, None)], data_dir)
    return babi_splits(*read_archive(archive, cfg.task, cfg.variant), cfg.memory_size,
                       split, seed)
