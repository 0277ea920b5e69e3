"""Text: the packaged fine-food reviews, the tokenizer and vocabulary (train
only), the IMDB and Reuters parsers on small archives in the real layout, and
the text models (mask equals removal; beating the majority class)."""
from __future__ import annotations

import io
import pathlib
import tarfile
import zipfile

import pytest
import torch
from conftest import as_downloaded

from mabbench.bench.dense import trivial_score
from mabbench.config.errors import ConfigError
from mabbench.models import build_model
from mabbench.pruning.compaction import compact
from mabbench.tasks import load_splits, text_online
from mabbench.tasks.cache import RemoteFile
from mabbench.tasks.text import PAD, UNKNOWN, build_vocabulary, encode, tokenize
from mabbench.trial.curve import score
from mabbench.trial.training import train


def test_fine_food_has_its_published_split_and_two_classes(make_cfg):
    splits = load_splits(make_cfg("task=text"))
    assert splits.sizes() == {"train": 2600, "prune": 800, "select": 600, "test": 1000}
    assert splits.n_outputs == 2 and splits.info["classes"] == ["great", "other"]
    for part in (splits.train, splits.prune, splits.select, splits.test):
        ids = part.inputs[0]
        assert ids.dtype == torch.int64 and ids.shape[1] == 200
        assert ids.min() >= 0 and ids.max() < splits.info["vocab_size"]
        assert set(part.targets.tolist()) == {0, 1}


def test_tokenizer_and_vocabulary():
    assert tokenize("Great<br />coffee, isn't it? 10/10") == ["great", "coffee", "isn't", "it",
                                                              "10", "10"]
    vocab = build_vocabulary([["b", "a", "a", "c"], ["b", "a", "rare"]], size=2, min_freq=2)
    assert vocab == {"a": 2, "b": 3}  # by frequency; "c"/"rare" below min_freq
    ids = encode([["a", "zzz", "b"], []], vocab, max_len=4)
    assert ids.tolist() == [[2, UNKNOWN, 3, PAD], [PAD] * 4]


def _write_aclimdb(path, reviews):
    """A tiny aclImdb_v1.tar.gz: aclImdb/{train,test}/{pos,neg}/<id>_<stars>.txt (+ unsup)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in reviews.items():
            data = text.encode()
            info = tarfile.TarInfo(f"aclImdb/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_imdb_loader_reads_the_aclimdb_tree(make_cfg, monkeypatch):
    cfg = make_cfg("task=text", "dataset=imdb", "dataset.max_len=8")
    reviews = {}
    for split in ("train", "test"):
        for i in range(10):
            reviews[f"{split}/pos/{i}_9.txt"] = f"wonderful film {split}only{i} loved it"
            reviews[f"{split}/neg/{i}_2.txt"] = "dreadful boring<br />film hated it"
    reviews["train/unsup/0_0.txt"] = "no label here"
    reviews["train/urls_pos.txt"] = "http://example"
    folder = cfg.runtime.data_dir + "/imdb"
    pathlib.Path(folder).mkdir(parents=True)
    _write_aclimdb(f"{folder}/aclImdb_v1.tar.gz", reviews)
    # the real file is checked by its published MD5; this tiny one by nothing
    monkeypatch.setattr(text_online, "IMDB", RemoteFile(text_online.IMDB.url, "aclImdb_v1.tar.gz"))
    as_downloaded(f"{folder}/aclImdb_v1.tar.gz")
    splits = load_splits(cfg)
    assert (len(splits.train) + len(splits.prune) + len(splits.select), len(splits.test)) == (20, 20)
    assert splits.info["classes"] == ["neg", "pos"]
    # "testonly3" appears only in test documents: it is outside the vocabulary
    test_ids = splits.test.inputs[0]
    assert (test_ids == UNKNOWN).sum() == 10
    # parsed once; the kept Parquet gives the same splits
    assert pathlib.Path(folder, "aclImdb_v1.tar.gz.parquet").exists()
    again = load_splits(cfg)
    assert torch.equal(again.test.inputs[0], test_ids)
    assert torch.equal(again.train.targets, splits.train.targets)


def test_reuters_loader_keeps_single_topic_documents(make_cfg):
    cfg = make_cfg("task=text", "dataset=reuters")
    folder = pathlib.Path(cfg.runtime.data_dir) / "reuters"
    folder.mkdir(parents=True)
    cats, files = [], {}
    for i in range(12):
        topic = ("grain", "crude", "trade")[i % 3]
        cats.append(f"training/{i} {topic}")
        files[f"reuters/training/{i}"] = f"{topic} prices news {i}"
    cats.append("training/99 grain crude")  # two topics: left out
    files["reuters/training/99"] = "both"
    cats += ["test/200 grain", "test/201 crude", "test/202 cocoa"]  # cocoa unseen in training
    for doc in ("200", "201", "202"):
        files[f"reuters/test/{doc}"] = "grain crude news"
    with zipfile.ZipFile(folder / "reuters.zip", "w") as zf:
        zf.writestr("reuters/cats.txt", "\n".join(cats) + "\n")
        for name, text in files.items():
            zf.writestr(name, text)
    as_downloaded(folder / "reuters.zip")
    splits = load_splits(cfg)
    assert splits.info["classes"] == ["crude", "grain", "trade"]
    assert len(splits.train) + len(splits.prune) + len(splits.select) == 12 and len(splits.test) == 2


def test_offline_online_text_dataset_is_one_line_and_writes_nothing(make_cfg, monkeypatch):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")
    cfg = make_cfg("task=text", "dataset=imdb")
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    message = str(error.value)
    assert "\n" not in message and "dataset=imdb needs a download" in message
    assert f"{cfg.runtime.data_dir}/imdb" in message and "fine_food" in message
    assert not pathlib.Path(cfg.runtime.data_dir).exists()


@pytest.fixture(scope="module")
def fine_food(tmp_path_factory):
    from conftest import compose_config

    folder = tmp_path_factory.mktemp("text")
    return folder, load_splits(compose_config(["task=text"], folder))


@pytest.mark.parametrize("model", ["embedding_bag", "text_cnn", "lstm"])
def test_masking_a_unit_equals_removing_it(fine_food, model):
    from conftest import compose_config

    cfg = compose_config(["task=text", f"model={model}"], fine_food[0])
    splits = fine_food[1]
    torch.manual_seed(0)
    net = build_model(cfg.model, splits).eval()
    ids = splits.prune.inputs[0][:16]
    for layer in net.prunable:
        units = [0, 3]
        handle = net.get_submodule(layer).register_forward_hook(
            lambda m, a, out: out.index_fill(1, torch.tensor(units), 0.0))
        with torch.no_grad():
            masked = net(ids)
        handle.remove()
        smaller = compact(net, {layer: units}, (ids[:2],))
        with torch.no_grad():
            assert torch.allclose(smaller(ids), masked, atol=1e-5)


def test_embedding_bag_beats_the_majority_class(fine_food):
    from conftest import compose_config

    cfg = compose_config(["task=text", "task.train.epochs=3"], fine_food[0])
    splits = fine_food[1]
    torch.manual_seed(0)
    model = train(build_model(cfg.model, splits), splits.train, cfg.task.train, cfg.task.loss, 0)
    trained, majority = score(model, splits.test, "accuracy"), trivial_score(splits, "accuracy")
    assert trained > majority + 0.05, (trained, majority)
