"""What a user's table must not do silently (issue 25): a column name twice, or a
numeric column with a few cells that are not numbers.

pandas renames a repeated header ``y`` to ``y.1``, so a repeated target became a
feature (dense test 1.000 against 0.900 without the copy); a number column with a
stray word in some rows turned into text and was dropped or one-hot encoded. Both
are refused in one line naming the column and where.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd

from mabbench.config.errors import ConfigError

# Header delimiters of the text formats (Parquet has no header to repeat a name in).
DELIMITERS = {".csv": ",", ".tsv": "\t"}
# A column whose non-empty cells are at least this share numbers is meant to be numeric.
NUMERIC_SHARE = 0.9
SHOWN = 5  # rows named in a message


def header(path: Path) -> list[str] | None:
    """The raw names of a CSV/TSV's first line (before pandas renames repeats)."""
    delimiter = DELIMITERS.get(path.suffix.lower())
    if delimiter is None:
        return None
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle, delimiter=delimiter), [])


def refuse_repeated_names(names: list[str] | None, key: str, value: str,
                          target: str | None) -> None:
    repeated = [name for name, count in Counter(names or []).items() if count > 1]
    if not repeated:
        return
    name = target if target in repeated else repeated[0]
    where = [i + 1 for i, n in enumerate(names) if n == name]
    role = "the target column " if name == target else "column "
    raise ConfigError(f"{key}={value!r}: {role}{name!r} appears {len(where)} times in the "
                      f"header (columns {', '.join(map(str, where))}); expected unique names")


def refuse_stray_cells(frame: pd.DataFrame, key: str, value: str) -> None:
    """A text column whose cells are nearly all numbers: name the cells that are not."""
    for column in frame.columns:
        cells = frame[column]
        if pd.api.types.is_numeric_dtype(cells) or pd.api.types.is_bool_dtype(cells):
            continue
        filled = cells.dropna()
        filled = filled[filled.astype(str).str.strip() != ""]
        if filled.empty:
            continue
        numbers = pd.to_numeric(filled, errors="coerce")
        stray = filled[numbers.isna()]
        if stray.empty or len(stray) > (1 - NUMERIC_SHARE) * len(filled):
            continue
        rows = ", ".join(f"{i + 1} ({v!r})" for i, v in stray.head(SHOWN).items())
        more = f" and {len(stray) - SHOWN} more" if len(stray) > SHOWN else ""
        raise ConfigError(f"{key}={value!r}: column {column!r} holds numbers except in "
                          f"{len(stray)} of {len(filled)} rows: {rows}{more} (rows counted "
                          "from 1 under the header); fix them, or leave them empty for missing")
