"""The next-token task: windows are the stream shifted by one, the vocabulary
comes from train only, perplexity is declared lower-is-better while the
task's own metric (what rank tables read) is higher-is-better, the bigram
comparator learns a deterministic sequence, and a transformer's MACs count
attention at every token."""
from __future__ import annotations

import math

import pandas as pd
import pytest
import torch
from omegaconf import OmegaConf

from mabbench.models.gpt import GPT
from mabbench.pruning.compaction import compact
from mabbench.pruning.cost import count_macs
from mabbench.reference.ngram import fit_bigram, scores
from mabbench.tasks.language import language_splits, windows
from mabbench.tasks.objectives import LOWER_IS_BETTER, METRICS, oriented


def test_windows_are_the_stream_shifted_by_one_and_the_vocabulary_is_train_only():
    cfg = OmegaConf.create({"vocab_size": 50, "min_freq": 1, "context": 4})
    split = OmegaConf.create({"prune": 0.25, "select": 0.25, "test": 0.0, "stratify": False})
    pool = pd.Series([f"common words here number {i} again" for i in range(8)])
    test = pd.Series(["unseen vocabulary only in test " * 2])
    splits = language_splits(cfg, pool, test, split, seed=0)
    for role in splits.ROLES:
        part = getattr(splits, role)
        assert torch.equal(part.inputs[0][:, 1:], part.targets[:, :-1])
        assert torch.equal(part.inputs[0][1:, 0], part.targets[:-1, -1])  # windows run on
    assert bool((splits.test.inputs[0] == 1).any())  # test words unseen in train: unknown
    assert splits.info == {"vocab_size": splits.n_outputs, "max_len": 4}


def test_perplexity_is_lower_is_better_and_the_task_metric_is_not():
    targets = torch.tensor([[1, 2, 0]])
    sure = torch.nn.functional.one_hot(targets, 3).transpose(1, 2).float() * 10  # (1, 3, T)
    unsure = torch.zeros_like(sure)
    assert METRICS.get("perplexity")(sure, targets) < METRICS.get("perplexity")(unsure, targets)
    assert METRICS.get("perplexity")(unsure, targets) == pytest.approx(3.0)
    assert METRICS.get("token_accuracy")(sure, targets) == 1.0
    language = OmegaConf.load("conf/task/language.yaml")
    assert language.task.metric not in LOWER_IS_BETTER  # rank tables read higher = better
    assert oriented("perplexity", 5.0) < oriented("perplexity", 2.0)
    assert oriented("token_accuracy", 0.5) > oriented("token_accuracy", 0.2)


def test_bigram_learns_a_deterministic_sequence():
    words = [[str(i % 5) for i in range(200)]]
    vocabulary = {str(i): i + 2 for i in range(5)}
    data = windows(words, vocabulary, context=8)
    lam, table = fit_bigram(data, data, vocab=8)
    got = scores(table, data)
    assert lam > 0.5 and got["token_accuracy"] > 0.95 and got["perplexity"] < 1.5


def test_gpt_macs_count_attention_at_every_token_and_drop_with_its_heads():
    vocab, tokens, dim, mlp, depth = 30, 6, 16, 24, 2
    model = GPT(vocab, {"vocab_size": vocab, "max_len": tokens}, dim=dim, depth=depth,
                heads=4, mlp=mlp).eval()
    ids = (torch.randint(0, vocab, (2, tokens)),)

    def expected(heads: int) -> int:
        width = heads * dim // 4  # q, k, v and proj's input carry heads x head_dim
        block = (3 * dim * width + width * dim  # qkv, proj: per token
                 + 2 * tokens * width  # q k^T, attention x v: all T keys (masked after)
                 + 2 * dim * mlp)  # fc1, fc2
        return tokens * (depth * block + dim * vocab)  # + the tied head

    assert count_macs(model, ids) == expected(4)
    small = compact(model, {"blocks.0.attn.heads": [1], "blocks.1.attn.heads": [1]}, ids)
    assert count_macs(small, ids) == expected(3)
    assert math.isclose(count_macs(model, ids) / tokens, expected(4) / tokens)
