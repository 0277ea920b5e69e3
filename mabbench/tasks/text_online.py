"""Online text sets: IMDB (Maas et al. 2011) and Reuters-21578 (ApteMod split).

Both are read straight from the published archive (nothing is extracted):
- IMDB ``aclImdb_v1.tar.gz``: ``aclImdb/{train,test}/{pos,neg}/<id>_<stars>.txt``
  (``unsup/`` is unlabelled and skipped).
- Reuters, NLTK's ``reuters.zip``: ``reuters/{training,test}/<id>`` plain text and
  ``reuters/cats.txt`` lines ``<split>/<id> <topic> [<topic> ...]``. Documents
  with exactly one topic are kept (single-label classification, as the Keras
  Reuters set the 2017 code used); test topics unseen in training are dropped.
"""
from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pandas as pd

from mabbench.tasks import DATASETS
from mabbench.tasks.cache import RemoteFile, fetch
from mabbench.tasks.text import text_splits

IMDB = RemoteFile("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
                  "aclImdb_v1.tar.gz", "md5:7c2ac02c03563afcf9b574c7e56c153a")
REUTERS = RemoteFile(
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/reuters.zip",
    "reuters.zip")
IMDB_LABELS = ("neg", "pos")


def read_aclimdb(archive: Path) -> dict[str, pd.DataFrame]:
    """{"train": frame, "test": frame} with columns text, label (pos / neg), in
    file-name order so the result does not depend on the archive's order."""
    rows: dict[str, list[tuple[str, str, str]]] = {"train": [], "test": []}
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            parts = member.name.split("/")
            if (not member.isfile() or len(parts) != 4 or parts[1] not in rows
                    or parts[2] not in IMDB_LABELS or not parts[3].endswith(".txt")):
                continue
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            rows[parts[1]].append((member.name, text, parts[2]))
    return {split: pd.DataFrame(sorted(r), columns=["file", "text", "label"])[["text", "label"]]
            for split, r in rows.items()}


def read_reuters(archive: Path) -> dict[str, pd.DataFrame]:
    """{"train": frame, "test": frame} of single-topic documents (text, label)."""
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        cats = zf.read("reuters/cats.txt").decode("latin-1").splitlines()
        rows: dict[str, list[tuple[str, str]]] = {"training": [], "test": []}
        for line in cats:
            fields = line.split()
            if len(fields) != 2:  # no topic, or several
                continue
            doc, topic = fields
            member = f"reuters/{doc}"
            split = doc.split("/")[0]
            if split in rows and member in names:
                rows[split].append((zf.read(member).decode("latin-1"), topic))
    train = pd.DataFrame(rows["training"], columns=["text", "label"])
    test = pd.DataFrame(rows["test"], columns=["text", "label"])
    return {"train": train, "test": test[test["label"].isin(set(train["label"]))]}


def parsed_once(archive: Path, reader) -> dict[str, pd.DataFrame]:
    """``reader(archive)``, kept beside the archive as ``<archive>.parquet`` so
    later trials skip re-reading tens of thousands of archive members. The
    archive is checksum-verified, so the derived file cannot go stale."""
    kept = archive.with_name(archive.name + ".parquet")
    if kept.exists():
        combined = pd.read_parquet(kept)
        return {split: part.drop(columns="split").reset_index(drop=True)
                for split, part in combined.groupby("split", sort=False)}
    frames = reader(archive)
    partial = kept.with_name(f".{kept.name}.partial")
    pd.concat([f.assign(split=s) for s, f in frames.items()]).to_parquet(partial)
    partial.replace(kept)
    return frames


@DATASETS.register("imdb")
def load_imdb(cfg, split, seed: int, data_dir: Path):
    (archive,) = fetch(cfg, [IMDB], data_dir)
    frames = parsed_once(archive, read_aclimdb)
    return text_splits(cfg, frames["train"], frames["test"], split, seed)


@DATASETS.register("reuters")
def load_reuters(cfg, split, seed: int, data_dir: Path):
    (archive,) = fetch(cfg, [REUTERS], data_dir)
    frames = parsed_once(archive, read_reuters)
    return text_splits(cfg, frames["train"], frames["test"], split, seed)
