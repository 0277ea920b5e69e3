"""The paper's UCI sets through OpenML (``sklearn.datasets.fetch_openml``), and
the UCI regression files OpenML does not mirror cleanly (airfoil, parkinsons).

Downloads are cached under ``<runtime.data_dir>/<dataset>/``; fetch_openml
checks each file's MD5 against OpenML's description, the UCI files are checked
by tasks/cache.py. Either way the frame goes through frames.py, like the
packaged sets. ``dataset=openml dataset.openml_name=<name> dataset.family=tabular``
reaches any other OpenML set.
"""
from __future__ import annotations

import shutil
import urllib.error
from pathlib import Path

import pandas as pd
from sklearn import datasets as sk_datasets

from mabbench.tasks import DATASETS
from mabbench.tasks.cache import RemoteFile, dataset_dir, fetch, offline_error, require_online
from mabbench.tasks.frames import frame_splits

KIND_OF_FAMILY = {"tabular": "classification", "regression": "regression"}
UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases"


def fetch_openml_frame(cfg, data_dir: Path) -> tuple[pd.DataFrame, str]:
    """(frame, target column) from OpenML, cached in ``<data_dir>/<name>``.

    Offline and not cached: the one-line error, and nothing is left on disk.
    """
    folder = dataset_dir(data_dir, cfg.name)
    existed = folder.exists()
    require_online(cfg, folder, cached=existed)
    try:
        which = ({"data_id": cfg.data_id} if cfg.get("data_id") is not None
                 else {"name": cfg.openml_name, "version": cfg.version})
        bunch = sk_datasets.fetch_openml(**which, data_home=str(folder), as_frame=True,
                                         parser="auto")
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        if not existed:
            shutil.rmtree(folder, ignore_errors=True)
        raise offline_error(cfg, folder, f"OpenML failed: {error}") from None
    target = cfg.target or _default_target(bunch)
    return bunch.frame, target


def _default_target(bunch) -> str:
    names = list(getattr(bunch, "target_names", []) or [])
    if len(names) != 1:
        raise ValueError(f"OpenML gives {len(names)} default targets ({names}); "
                         "set dataset.target=<column>")
    return names[0]


def load_openml(cfg, split, seed: int, data_dir: Path):
    frame, target = fetch_openml_frame(cfg, data_dir)
    kind = KIND_OF_FAMILY[cfg.family]
    return frame_splits(frame, target, kind, split, seed, drop=list(cfg.drop))


OPENML_SETS = ("openml", "adult", "car", "heart", "abalone", "poker", "wine_quality_red",
               "wine_quality_white", "spambase")
for _name in OPENML_SETS:
    DATASETS.register(_name)(load_openml)


# Airfoil self-noise: tab-separated, no header (UCI data set 291).
AIRFOIL = RemoteFile(f"{UCI}/00291/airfoil_self_noise.dat", "airfoil_self_noise.dat")
AIRFOIL_COLUMNS = ["frequency_hz", "angle_deg", "chord_m", "velocity_ms", "thickness_m",
                   "sound_pressure_db"]
# Parkinsons telemonitoring: CSV with a header; one row per voice recording.
PARKINSONS = RemoteFile(f"{UCI}/parkinsons/telemonitoring/parkinsons_updrs.data",
                        "parkinsons_updrs.data")


def read_airfoil(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=r"\s+", header=None, names=AIRFOIL_COLUMNS)


def read_parkinsons(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


@DATASETS.register("airfoil")
def load_airfoil(cfg, split, seed: int, data_dir: Path):
    (path,) = fetch(cfg, [AIRFOIL], data_dir)
    return frame_splits(read_airfoil(path), cfg.target, "regression", split, seed)


@DATASETS.register("parkinsons")
def load_parkinsons(cfg, split, seed: int, data_dir: Path):
    """The subject id is an identifier and the other UPDRS score a near-copy
    of the target, so both are dropped."""
    (path,) = fetch(cfg, [PARKINSONS], data_dir)
    other = {"total_UPDRS": "motor_UPDRS", "motor_UPDRS": "total_UPDRS"}.get(cfg.target)
    drop = ["subject#", *([other] if other else [])]
    return frame_splits(read_parkinsons(path), cfg.target, "regression", split, seed, drop)
