"""Users' own data: a CSV or Parquet table (tabular / regression) or a CSV of
texts and labels (text).

    python -m mabbench task=tabular dataset=csv dataset.path=my.csv dataset.target=label
    python -m mabbench task=regression dataset=csv dataset.path=my.parquet dataset.target=price
    python -m mabbench task=text dataset=text_csv dataset.path=reviews.csv \
        dataset.text=review dataset.label=sentiment [dataset.test_path=held_out.csv]

The file is read as is (nothing is copied into the cache); missing values,
text columns and scaling are handled as for the packaged sets (frames.py).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import pandas as pd

from mabbench.config.errors import ConfigError
from mabbench.config.registry import Registry
from mabbench.tasks import DATASETS
from mabbench.tasks.frames import frame_splits
from mabbench.tasks.table_checks import header, refuse_repeated_names, refuse_stray_cells
from mabbench.tasks.text import text_splits

READERS: Registry[Callable[[Path], pd.DataFrame]] = Registry("file format")
READERS.register(".csv")(pd.read_csv)
READERS.register(".tsv")(lambda path: pd.read_csv(path, sep="\t"))
READERS.register(".parquet")(pd.read_parquet)
READERS.register(".pq")(pd.read_parquet)
KIND_OF_TASK = {"tabular": "classification", "regression": "regression"}

log = logging.getLogger(__name__)


def read_table(path_value: str, key: str = "dataset.path", target: str | None = None
               ) -> pd.DataFrame:
    """The file at ``path_value``, read by its suffix; ConfigError (one line) if it cannot be,
    or if it repeats a column name (table_checks.py)."""
    path = Path(path_value).expanduser()
    if not path.is_file():
        raise ConfigError(f"{key}={path_value!r}: no such file")
    try:
        reader = READERS.get(path.suffix.lower())
    except KeyError:
        raise ConfigError(f"{key}={path_value!r}: unknown format {path.suffix!r}; "
                          f"expected one of {', '.join(READERS.names())}") from None
    try:
        frame = reader(path)
        names = header(path)
    except Exception as error:  # a parser's own message, on one line, naming the file
        raise ConfigError(f"{key}={path_value!r}: cannot read it ({error})".replace("\n", " ")) \
            from None
    refuse_repeated_names(names if names is not None else list(map(str, frame.columns)),
                          key, path_value, target)
    return frame


@DATASETS.register("csv")
def load_table_file(cfg, split, seed: int, data_dir: Path):
    if cfg.family not in KIND_OF_TASK:
        raise ConfigError(f"dataset=csv is for task=tabular or task=regression, not "
                          f"task={cfg.family}; for text use dataset=text_csv")
    frame = read_table(cfg.path, target=cfg.target)
    ignored = [cfg.target, *cfg.drop]  # the target's own checks name it (frames.py)
    refuse_stray_cells(frame.drop(columns=[c for c in ignored if c in frame.columns]),
                       "dataset.path", cfg.path)
    try:
        return frame_splits(frame, cfg.target, KIND_OF_TASK[cfg.family], split, seed,
                            drop=list(cfg.drop))
    except ConfigError as error:  # the data itself (rows, columns): name the file
        raise ConfigError(f"dataset.path={cfg.path!r}: {error}") from None
    except ValueError as error:
        raise ConfigError(f"dataset.target={cfg.target!r} in {cfg.path}: {error}") from None


def _text_frame(path_value: str, key: str, cfg) -> pd.DataFrame:
    frame = read_table(path_value, key)
    missing = [c for c in (cfg.text, cfg.label) if c not in frame.columns]
    if missing:
        raise ConfigError(f"{key}={path_value!r} has no column {missing[0]!r} (dataset.text / "
                          f"dataset.label); columns: {', '.join(map(str, frame.columns))}")
    kept = frame[[cfg.text, cfg.label]].dropna()
    if kept.empty:
        raise ConfigError(f"{key}={path_value!r}: every row has an empty {cfg.text!r} or "
                          f"{cfg.label!r} cell; expected texts with labels")
    if len(kept) < len(frame):
        log.warning("%s: dropped %d of %d rows with an empty text or label", path_value,
                    len(frame) - len(kept), len(frame))
    frame = kept
    return pd.DataFrame({"text": frame[cfg.text].astype(str), "label": frame[cfg.label]})


@DATASETS.register("text_csv")
def load_text_file(cfg, split, seed: int, data_dir: Path):
    pool = _text_frame(cfg.path, "dataset.path", cfg)
    test = None if cfg.test_path is None else _text_frame(cfg.test_path, "dataset.test_path", cfg)
    try:
        return text_splits(cfg, pool, test, split, seed)
    except ConfigError as error:
        raise ConfigError(f"dataset.path={cfg.path!r}: {error}") from None
    except ValueError as error:
        raise ConfigError(f"dataset.label={cfg.label!r} in {cfg.path}: {error}") from None
